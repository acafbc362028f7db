// Logging in to `lokbackup serve` is logging in to PostgreSQL: the server checks the password,
// by whatever pg_hba.conf says, and a login that it lets in without a password (trust, peer,
// ident) is refused, so that such a line does not open the dashboard to anyone.
#include "cli/web_errors.hpp"
#include "cli/web_routes.hpp"

namespace lokbackup::cli
{

namespace
{

std::unique_ptr<Connection> connect_as(const WebSettings &settings, const Login &login)
{
    std::unique_ptr<Connection> connection;
    try {
        connection = std::make_unique<Connection>(settings.connection,
                                                  settings.connection.catalog_database, &login);
    } catch (const Error &error) {
        throw HttpError(401, std::string("login failed: ") + error.what());
    }
    if (!connection->server_checked_password())
        throw HttpError(401,
                        "login refused: PostgreSQL let \"" + login.user +
                            "\" in without checking a password",
                        "pg_hba.conf has a trust, peer or ident line for these connections; "
                        "lokbackup serve accepts only logins whose password the server checks "
                        "(scram-sha-256 or md5).");
    return connection;
}

// Times in the API are ISO 8601 in UTC; the functions are found in the extension's schema.
void prepare_session(Connection &connection, const std::string &catalog_database)
{
    QueryResult schema = connection.query(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'lokbackup'");
    if (schema.rows() != 1)
        throw HttpError(409,
                        "the lokbackup extension is not installed in database \"" +
                            catalog_database + "\"",
                        "Run CREATE EXTENSION lokbackup there, or pass --catalog-dbname.");
    connection.query("SELECT set_config('search_path', quote_ident($1) || ', pg_catalog', false), "
                     "set_config('TimeZone', 'UTC', false)",
                     {schema.value(0, 0)});
}

std::string session_cookie(const std::string &value, bool secure, bool expire)
{
    return std::string(session_cookie_name) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" +
           (secure ? "; Secure" : "") + (expire ? "; Max-Age=0" : "");
}

Json describe(const Session &session)
{
    return {{"user", session.user}, {"admin", session.is_admin}, {"csrfToken", session.csrf_token}};
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
    std::unique_ptr<Connection> connection = connect_as(app.settings, login);
    prepare_session(*connection, app.settings.connection.catalog_database);
    bool is_admin =
        connection->query("SELECT pg_has_role('lokbackup_admin', 'USAGE')").value(0, 0) == "t";
    auto [token, session] = app.sessions.open(std::move(connection), login.user, is_admin);
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

void add_auth_routes(httplib::Server &server, WebApp &app)
{
    server.Post("/api/auth/login", json_route(app, log_in));
    server.Post("/api/auth/logout", json_route(app, log_out));
    server.Get("/api/auth/session", json_route(app, show_session));
}

} // namespace lokbackup::cli
