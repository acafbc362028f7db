#include "cli/web/web_request.hpp"

#include "cli/connection.hpp"
#include "cli/web/web_errors.hpp"
#include "cli/web/web_log.hpp"
#include "core/base/text.hpp"

namespace lokbackup::cli
{

void send_json(httplib::Response &response, int status, const Json &body)
{
    response.status = status;
    response.set_header("Cache-Control", "no-store");
    // What a client sent (a path, a Host header) may not be UTF-8: it is shown with U+FFFD
    // rather than failing the answer.
    response.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace),
                         "application/json");
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

void respond(httplib::Response &response, const std::function<void()> &handler)
{
    try {
        handler();
    } catch (const HttpError &error) {
        send_error(response, error.status, error.what(), "", error.hint);
        if (error.retry_after != 0)
            response.set_header("Retry-After", std::to_string(error.retry_after));
    } catch (const ServerError &error) {
        send_error(response, http_status_of(error), error.primary, error.detail, error.hint);
    } catch (const Error &error) {
        // lokbackup's own errors are written for the person who reads them.
        send_error(response, 500, error.what());
    } catch (const std::exception &error) {
        // Anything else (out of memory, a library's failure) is for the log, not the caller.
        log_line("unexpected error: " + printable(error.what()));
        send_error(response, 500, "internal error", "", "lokbackup serve's log has the details.");
    } catch (...) {
        log_line("unexpected error of unknown type");
        send_error(response, 500, "internal error");
    }
}

namespace
{

// "Application/JSON; charset=utf-8" -> "application/json"
std::string media_type(const std::string &content_type)
{
    return to_lower(trim(std::string_view(content_type).substr(0, content_type.find(';'))));
}

} // namespace

void check_body_has_length(const httplib::Request &request)
{
    bool sends_body =
        request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    if (sends_body && !request.has_header("Content-Length") &&
        !request.has_header("Transfer-Encoding"))
        throw HttpError(400, "the request has no Content-Length header",
                        "Send a JSON body (Content-Type: application/json), or Content-Length: 0 "
                        "for none (curl -X POST sends neither: use curl -d '{}').");
}

void check_body_is_json(const httplib::Request &request)
{
    bool has_body = !request.body.empty();
    if (!request.has_header("Content-Type") && !has_body)
        return;
    std::string type = media_type(request.get_header_value("Content-Type"));
    if (type != "application/json")
        throw HttpError(415,
                        type.empty() ? "the request body has no Content-Type"
                                     : "the request body is " + type + ", not JSON",
                        "Send JSON, with Content-Type: application/json.");
}

Json json_body(const httplib::Request &request)
{
    if (request.body.empty())
        return Json::object();
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

bool boolean_parameter(const httplib::Request &request, const char *name, bool fallback)
{
    std::optional<std::string> text = text_parameter(request, name);
    if (!text)
        return fallback;
    if (*text != "true" && *text != "false")
        throw HttpError(400, std::string("invalid ") + name + " \"" + *text + "\"",
                        std::string("The ") + name + " is true or false.");
    return *text == "true";
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
