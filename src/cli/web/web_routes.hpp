// The routes of `lokbackup serve`, by concern; serve.cpp registers them all.
#pragma once

#include "cli/web/web_access.hpp"
#include "cli/web/web_errors.hpp"
#include "cli/web/web_login_throttle.hpp"
#include "cli/web/web_request.hpp"
#include "cli/web/web_restores.hpp"
#include "cli/web/web_sessions.hpp"

#include <httplib.h>

namespace lokbackup::cli
{

struct WebApp {
    WebSettings settings;
    SessionStore sessions;
    RestoreJobs restores;
    LoginThrottle logins; // of logins and of the password checks of restores
};

using AppHandler = void (*)(WebApp &, const httplib::Request &, httplib::Response &);

// An httplib handler that runs `handler` inside respond(), after the checks of every request (the
// Host header, a JSON body). They run here, not before routing: httplib reads the body only
// after its pre-routing hook, and a body left unread on a kept-alive connection would be read as
// the next request (a refused form login's password then appeared in the log).
inline httplib::Server::Handler json_route(WebApp &app, AppHandler handler)
{
    return [&app, handler](const httplib::Request &request, httplib::Response &response) {
        respond(response, [&] {
            check_host(app.settings, request);
            check_body_is_json(request);
            handler(app, request, response);
        });
    };
}

// httplib's hooks around the routes: a body without a length refused before routing, its own
// refusals, the last resort for exceptions and the request log.
void install_boundary(httplib::Server &server);
// POST /api/auth/login, POST /api/auth/logout, GET /api/auth/session
void add_auth_routes(httplib::Server &server, WebApp &app);
// A prepared connection as `login`, a member of lokbackup_admin whose password the server checked
// (attempt_login(): throttled, and refused with `refusal` alone whatever the reason).
std::unique_ptr<Connection> admin_login(WebApp &app, const httplib::Request &request,
                                        const Login &login, const HttpError &refusal);
// /api/admin/backups...
void add_backup_routes(httplib::Server &server, WebApp &app);
// GET /api/admin/backups/{id}/download (a presigned URL), GET /api/admin/backups/{id}/object
void add_download_routes(httplib::Server &server, WebApp &app);
// POST /api/admin/backups/{id}/restore, GET /api/admin/restores[/{id}]
void add_restore_routes(httplib::Server &server, WebApp &app);
// GET /api/admin/health
void add_health_routes(httplib::Server &server, WebApp &app);
// GET /metrics
void add_metrics_routes(httplib::Server &server, WebApp &app);
// GET /api/admin/drills, POST /api/admin/backups/{id}/drill
void add_drill_routes(httplib::Server &server, WebApp &app);
// GET /api/admin/history
void add_history_routes(httplib::Server &server, WebApp &app);
// The statement that selects lokbackup_health() as the API's JSON array.
extern const char *const health_json_query;
// The statement that selects the WAL archive's health as JSON (null without archiving).
extern const char *const wal_health_json_query;
// The dashboard: /, /login and /assets/...
void add_page_routes(httplib::Server &server, WebApp &app);

} // namespace lokbackup::cli
