#include "cli/web/web_access.hpp"

#include "cli/web/web_errors.hpp"

#include <openssl/crypto.h>

#include <algorithm>

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

} // namespace

std::optional<std::string> session_token(const httplib::Request &request)
{
    return cookie(request, session_cookie_name);
}

void check_host(const WebSettings &settings, const httplib::Request &request)
{
    std::string host = request.get_header_value("Host");
    const auto &allowed = settings.allowed_hosts;
    if (std::find(allowed.begin(), allowed.end(), host) == allowed.end())
        throw HttpError(421, "requests for host \"" + host + "\" are refused",
                        "lokbackup serve answers for " + allowed.front() +
                            "; name the others with --public-host.");
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
    if (request.has_header("X-Lokbackup-Poll") && access == Access::read)
        access = Access::check_only;
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
    with_connection(sessions, request, session, [&](Connection &connection) {
        result = connection.query(connection.with_extension_schema(sql), parameters);
    });
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

void require_admin(Connection &connection, const std::string &user)
{
    if (connection.query("SELECT pg_has_role('lokbackup_admin', 'USAGE')").value(0, 0) != "t")
        throw HttpError(403,
                        "permission denied: \"" + user + "\" is not a member of lokbackup_admin",
                        "A superuser can grant it: GRANT lokbackup_admin TO \"" + user + "\";");
}

void require_admin(SessionStore &sessions, const httplib::Request &request, Session &session)
{
    with_connection(sessions, request, session,
                    [&](Connection &connection) { require_admin(connection, session.user); });
}

} // namespace lokbackup::cli
