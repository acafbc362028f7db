// Logging in to `lokbackup serve` is logging in to PostgreSQL (web_login.hpp). Only members of
// lokbackup_admin get a session: the dashboard has nothing for anyone else, and a session holds a
// server connection. A scraper of /metrics logs in alike, for one request (admin_login()).
#include "cli/web/web_errors.hpp"
#include "cli/web/web_login.hpp"
#include "cli/web/web_routes.hpp"

namespace lokbackup::cli
{

namespace
{

std::string session_cookie(const std::string &value, bool secure, bool expire)
{
    return std::string(session_cookie_name) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" +
           (secure ? "; Secure" : "") + (expire ? "; Max-Age=0" : "");
}

Json describe(const Session &session)
{
    return {{"user", session.user}, {"csrfToken", session.csrf_token}};
}

void log_in(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    refuse_cross_site(request);
    Json body = json_body(request);
    Login login{string_field(body, "username").value_or(""),
                string_field(body, "password").value_or("")};
    if (login.user.empty() || login.password.empty())
        throw HttpError(400, "username and password are required",
                        "Log in with your PostgreSQL user name and password.");
    std::unique_ptr<Connection> connection = admin_login(
        app, request, login,
        HttpError(401, "login failed",
                  "Log in with the user name and password of a PostgreSQL role that is a member of "
                  "lokbackup_admin; lokbackup serve's log has the reason."));
    // A new login replaces the browser's old session rather than leaving it open.
    if (std::optional<std::string> old_token = session_token(request))
        app.sessions.close(*old_token);
    auto [token, session] = app.sessions.open(std::move(connection), login.user);
    response.set_header("Set-Cookie", session_cookie(token, app.settings.secure_cookie, false));
    send_json(response, 200, describe(*session));
}

void log_out(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    require_session(app.sessions, request, Access::change);
    app.sessions.close(*session_token(request));
    response.set_header("Set-Cookie", session_cookie("", app.settings.secure_cookie, true));
    send_json(response, 200, {{"loggedOut", true}});
}

void show_session(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    send_json(response, 200, describe(*require_session(app.sessions, request, Access::check_only)));
}

} // namespace

std::unique_ptr<Connection> admin_login(WebApp &app, const httplib::Request &request,
                                        const Login &login, const HttpError &refusal)
{
    std::unique_ptr<Connection> connection;
    attempt_login(app.logins, login, request.remote_addr, refusal, [&] {
        connection = connect_as(app.settings.connection, login);
        prepare_session(*connection);
        require_admin(*connection, login.user);
    });
    return connection;
}

void add_auth_routes(httplib::Server &server, WebApp &app)
{
    server.Post("/api/auth/login", json_route(app, log_in));
    server.Post("/api/auth/logout", json_route(app, log_out));
    server.Get("/api/auth/session", json_route(app, show_session));
}

} // namespace lokbackup::cli
