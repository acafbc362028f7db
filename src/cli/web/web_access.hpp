// Who may call `lokbackup serve`: the Host a request is addressed to, the session cookie, the
// CSRF token and the origin of requests that change something, and the session's connection,
// through which every call runs as the logged-in role.
#pragma once

#include "cli/connection.hpp"
#include "cli/web/web_sessions.hpp"
#include "core/base/json_document.hpp"

#include <httplib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lokbackup::cli
{

struct WebSettings {
    ConnectionOptions connection; // where the catalog is; the user is whoever logs in
    bool secure_cookie = false;   // behind a TLS proxy: the browser sends the cookie on https only
    // The Host headers that requests may carry ("127.0.0.1:8080"): a page of another site that
    // resolves its own name to this address (DNS rebinding) is refused.
    std::vector<std::string> allowed_hosts;
};

extern const char *const session_cookie_name;

// The token in the caller's session cookie.
std::optional<std::string> session_token(const httplib::Request &request);

// Throws HttpError 421 for a Host header that is not one of settings.allowed_hosts.
void check_host(const WebSettings &settings, const httplib::Request &request);

// Refuses a request that a page of another site could have sent: an Origin or Sec-Fetch-Site
// that is not this server's.
void refuse_cross_site(const httplib::Request &request);

enum class Access {
    read,       // a request of the person
    change,     // ... that changes something: needs the CSRF token, from this site only
    check_only, // a look at the session that does not count as activity (polling)
};

// The caller's session, or HttpError 401 (no login, expired) or 403 (a change without the
// session's CSRF token, or from another site's page). Requests with the header
// X-Lokbackup-Poll (the page's timed refreshes) count as check_only.
std::shared_ptr<Session> require_session(SessionStore &sessions, const httplib::Request &request,
                                         Access access);

// Calls `use` with the session's connection, one caller at a time; a connection that PostgreSQL
// closed ends the session (401) instead of failing every later call.
void with_connection(SessionStore &sessions, const httplib::Request &request, Session &session,
                     const std::function<void(Connection &)> &use);
// One statement through with_connection(); @extschema@ in `sql` is the extension's schema
// (Connection::with_extension_schema()).
QueryResult session_query(SessionStore &sessions, const httplib::Request &request, Session &session,
                          const std::string &sql,
                          const std::vector<std::optional<std::string>> &parameters = {});
// The one JSON value that `sql` selects.
Json session_json(SessionStore &sessions, const httplib::Request &request, Session &session,
                  const std::string &sql,
                  const std::vector<std::optional<std::string>> &parameters = {});
// HttpError 403 unless `user`, connected through `connection`, is a member of lokbackup_admin.
void require_admin(Connection &connection, const std::string &user);
// ... for the session's role, now.
void require_admin(SessionStore &sessions, const httplib::Request &request, Session &session);

} // namespace lokbackup::cli
