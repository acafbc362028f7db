// What every route of `lokbackup serve` shares: the one place where a handler's exceptions become
// JSON error responses, the session check (login, expiry, cross-site requests), and reading JSON
// bodies and query parameters with errors that say what is wrong.
#pragma once

#include "cli/connection.hpp"
#include "cli/web_sessions.hpp"
#include "core/json_document.hpp"

#include <httplib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace lokbackup::cli
{

struct WebSettings {
    ConnectionOptions connection; // where the catalog is; the user is whoever logs in
    bool secure_cookie = false;   // behind a TLS proxy: the browser sends the cookie on https only
};

extern const char *const session_cookie_name;

// The token in the caller's session cookie.
std::optional<std::string> session_token(const httplib::Request &request);

void send_json(httplib::Response &response, int status, const Json &body);

// Runs `handler`; an HttpError, ServerError or other exception it throws becomes a JSON error
// response. Nothing else of serve catches.
void respond(httplib::Response &response, const std::function<void()> &handler);

enum class Access { read, change, check_only };

// The caller's session, or HttpError 401 (no login, expired) or 403 (a change without the
// session's CSRF token, or from another site's page). A check_only does not count as activity.
std::shared_ptr<Session> require_session(SessionStore &sessions, const httplib::Request &request,
                                         Access access);

// Calls `use` with the session's connection, one caller at a time; a connection that PostgreSQL
// closed ends the session (401) instead of failing every later call.
void with_connection(SessionStore &sessions, const httplib::Request &request, Session &session,
                     const std::function<void(Connection &)> &use);
// One statement through with_connection().
QueryResult session_query(SessionStore &sessions, const httplib::Request &request, Session &session,
                          const std::string &sql,
                          const std::vector<std::optional<std::string>> &parameters = {});
// The one JSON value that `sql` selects.
Json session_json(SessionStore &sessions, const httplib::Request &request, Session &session,
                  const std::string &sql,
                  const std::vector<std::optional<std::string>> &parameters = {});

// Refuses a request that a page of another site could have sent: an Origin or Sec-Fetch-Site
// that is not this server's.
void refuse_cross_site(const httplib::Request &request);

// The body as a JSON object (an empty body is {}); HttpError 400/415 otherwise.
Json json_body(const httplib::Request &request);
// A string field of `body`: std::nullopt when absent; HttpError 400 when not a string.
std::optional<std::string> string_field(const Json &body, const char *field);
// Query parameter `name` as an integer in [minimum, maximum], or `fallback` when absent.
long long integer_parameter(const httplib::Request &request, const char *name, long long fallback,
                            long long minimum, long long maximum);
std::optional<std::string> text_parameter(const httplib::Request &request, const char *name);

} // namespace lokbackup::cli
