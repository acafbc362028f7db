// What every route of `lokbackup serve` shares: the one place where a handler's exceptions become
// JSON error responses, and reading JSON bodies and query parameters with errors that say what is
// wrong.
#pragma once

#include "core/base/json_document.hpp"

#include <httplib.h>

#include <functional>
#include <optional>
#include <string>

namespace lokbackup::cli
{

void send_json(httplib::Response &response, int status, const Json &body);
// {"error", "detail", "hint"}; empty parts are left out.
void send_error(httplib::Response &response, int status, const std::string &message,
                const std::string &detail = "", const std::string &hint = "");

// Runs `handler`; an HttpError, ServerError or other exception it throws becomes a JSON error
// response. Every route runs inside it: the one place where a request's errors end.
void respond(httplib::Response &response, const std::function<void()> &handler);

// Before httplib reads a body: HttpError 400 for a POST, PUT or PATCH without Content-Length or
// chunked encoding (httplib would read it until the client closes the connection).
void check_body_has_length(const httplib::Request &request);
// Once httplib has read the body: HttpError 415 for a body or Content-Type that is not JSON.
void check_body_is_json(const httplib::Request &request);
// The body as a JSON object (an empty body is {}), after check_body_is_json(); HttpError 400
// otherwise.
Json json_body(const httplib::Request &request);
// A string field of `body`: std::nullopt when absent; HttpError 400 when not a string.
std::optional<std::string> string_field(const Json &body, const char *field);
// Query parameter `name` as an integer in [minimum, maximum], or `fallback` when absent.
long long integer_parameter(const httplib::Request &request, const char *name, long long fallback,
                            long long minimum, long long maximum);
std::optional<std::string> text_parameter(const httplib::Request &request, const char *name);
// Query parameter `name`, "true" or "false", or `fallback` when absent.
bool boolean_parameter(const httplib::Request &request, const char *name, bool fallback);

} // namespace lokbackup::cli
