#include "cli/web_request.hpp"

#include "cli/web_errors.hpp"

#include <openssl/crypto.h>

#include <iostream>

namespace lokbackup::cli
{

const char *const session_cookie_name = "lokbackup_session";

namespace
{

std::optional<std::string> cookie(const httplib::Request &request, const std::string &name)
{
    std::string header = request.get_header_value("Cookie");
    std::size_t position = 0;
    while (position < header.size()) {
        std::size_t end = header.find(';', position);
        if (end == std::string::npos)
            end = header.size();
        std::string pair = header.substr(position, end - position);
        pair.erase(0, pair.find_first_not_of(' '));
        if (pair.rfind(name + "=", 0) == 0)
            return pair.substr(name.size() + 1);
        position = end + 1;
    }
    return std::nullopt;
}

bool equal_in_constant_time(const std::string &a, const std::string &b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// "http://host:port" -> "host:port"
std::string host_of_origin(const std::string &origin)
{
    std::size_t scheme_end = origin.find("://");
    return scheme_end == std::string::npos ? origin : origin.substr(scheme_end + 3);
}

void send_error(httplib::Response &response, int status, const std::string &message,
                const std::string &detail, const std::string &hint)
{
    Json body = {{"error", message}};
    if (!detail.empty())
        body["detail"] = detail;
    if (!hint.empty())
        body["hint"] = hint;
    send_json(response, status, body);
}

} // namespace

std::optional<std::string> session_token(const httplib::Request &request)
{
    return cookie(request, session_cookie_name);
}

void send_json(httplib::Response &response, int status, const Json &body)
{
    response.status = status;
    response.set_header("Cache-Control", "no-store");
    response.set_content(body.dump(), "application/json");
}

void respond(httplib::Response &response, const std::function<void()> &handler)
{
    try {
        handler();
    } catch (const HttpError &error) {
        send_error(response, error.status, error.what(), "", error.hint);
    } catch (const ServerError &error) {
        int status = http_status_of(error);
        send_error(response, status, error.primary, error.detail, error.hint);
    } catch (const std::exception &error) {
        std::cerr << "lokbackup serve: error: " << error.what() << "\n";
        send_error(response, 500, error.what(), "", "");
    }
}

void refuse_cross_site(const httplib::Request &request)
{
    std::string fetch_site = request.get_header_value("Sec-Fetch-Site");
    std::string origin = request.get_header_value("Origin");
    bool foreign_origin =
        !origin.empty() && host_of_origin(origin) != request.get_header_value("Host");
    if (foreign_origin || fetch_site == "cross-site" || fetch_site == "same-site")
        throw HttpError(403, "cross-site request refused",
                        "Requests that change something must come from the dashboard's own page.");
}

std::shared_ptr<Session> require_session(SessionStore &sessions, const httplib::Request &request,
                                         Access access)
{
    std::optional<std::string> token = session_token(request);
    SessionStore::Lookup lookup = SessionStore::Lookup::unknown;
    std::shared_ptr<Session> session =
        token ? sessions.find(*token, lookup, access != Access::check_only) : nullptr;
    if (lookup == SessionStore::Lookup::expired)
        throw HttpError(401, "your session expired", "Log in again.");
    if (!session)
        throw HttpError(401, "not logged in",
                        "Log in with your PostgreSQL user name and password.");
    if (access == Access::change) {
        refuse_cross_site(request);
        if (!equal_in_constant_time(request.get_header_value("X-CSRF-Token"), session->csrf_token))
            throw HttpError(403, "missing or wrong X-CSRF-Token header",
                            "Send the csrfToken that the login returned.");
    }
    return session;
}

void with_connection(SessionStore &sessions, const httplib::Request &request, Session &session,
                     const std::function<void(Connection &)> &use)
{
    std::lock_guard<std::mutex> guard(session.mutex);
    try {
        use(*session.connection);
    } catch (const ServerError &) {
        if (session.connection->is_open())
            throw;
        if (auto token = session_token(request))
            sessions.close(*token);
        throw HttpError(401, "the connection to PostgreSQL was lost", "Log in again.");
    }
}

QueryResult session_query(SessionStore &sessions, const httplib::Request &request, Session &session,
                          const std::string &sql,
                          const std::vector<std::optional<std::string>> &parameters)
{
    std::optional<QueryResult> result;
    with_connection(sessions, request, session,
                    [&](Connection &connection) { result = connection.query(sql, parameters); });
    return std::move(*result);
}

Json session_json(SessionStore &sessions, const httplib::Request &request, Session &session,
                  const std::string &sql, const std::vector<std::optional<std::string>> &parameters)
{
    QueryResult result = session_query(sessions, request, session, sql, parameters);
    if (result.rows() != 1 || result.is_null(0, 0))
        return nullptr;
    return Json::parse(result.value(0, 0));
}

Json json_body(const httplib::Request &request)
{
    if (request.body.empty())
        return Json::object();
    std::string type = request.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) != 0)
        throw HttpError(415, "the request body must be JSON",
                        "Send Content-Type: application/json.");
    Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        throw HttpError(400, "the request body is not a JSON object");
    return body;
}

std::optional<std::string> string_field(const Json &body, const char *field)
{
    auto it = body.find(field);
    if (it == body.end() || it->is_null())
        return std::nullopt;
    if (!it->is_string())
        throw HttpError(400, std::string("field \"") + field + "\" must be a string");
    return it->get<std::string>();
}

std::optional<std::string> text_parameter(const httplib::Request &request, const char *name)
{
    if (!request.has_param(name) || request.get_param_value(name).empty())
        return std::nullopt;
    return request.get_param_value(name);
}

long long integer_parameter(const httplib::Request &request, const char *name, long long fallback,
                            long long minimum, long long maximum)
{
    std::optional<std::string> text = text_parameter(request, name);
    if (!text)
        return fallback;
    bool digits = text->size() <= 9 && text->find_first_not_of("0123456789") == std::string::npos;
    long long value = digits ? std::stoll(*text) : -1;
    if (value < minimum || value > maximum)
        throw HttpError(400, std::string("invalid ") + name + " \"" + *text + "\"",
                        std::string("The ") + name + " is a whole number from " +
                            std::to_string(minimum) + " to " + std::to_string(maximum) + ".");
    return value;
}

} // namespace lokbackup::cli
