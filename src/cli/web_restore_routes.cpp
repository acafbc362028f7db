// Restores from the dashboard. A restore replays into a database as the logged-in role, so it
// needs that role's password once more (serve keeps none) and goes to a new database unless the
// caller types the name of the existing one a second time.
#include "cli/replay.hpp"
#include "cli/web_errors.hpp"
#include "cli/web_login.hpp"
#include "cli/web_routes.hpp"

namespace lokbackup::cli
{

namespace
{

// PostgreSQL's limit on a database name (NAMEDATALEN - 1).
const std::size_t max_database_name = 63;

BackupPlan plan_of(WebApp &app, const httplib::Request &request, Session &session)
{
    BackupSelector selector;
    selector.which = request.matches[1];
    BackupPlan plan;
    with_connection(app.sessions, request, session, [&](Connection &connection) {
        plan = find_backup(selector, app.settings.connection.catalog_database,
                           [&]() -> Connection & { return connection; });
    });
    if (plan.is_roles())
        throw HttpError(400, "backup " + selector.which + " holds the roles of the cluster",
                        "Restore roles with the lokbackup program: lokbackup restore " +
                            selector.which);
    return plan;
}

std::string target_of(const Json &body, const BackupPlan &plan)
{
    std::string target = string_field(body, "target")
                             .value_or(plan.database + "_restored_" + std::to_string(plan.id));
    if (target.empty() || target.size() > max_database_name)
        throw HttpError(400, "invalid target database name \"" + target + "\"",
                        "A database name has 1 to 63 bytes.");
    // A restore into a template would put the backup's objects into every new database.
    if (target == "template0" || target == "template1")
        throw HttpError(400, "database \"" + target + "\" is a template database",
                        "Restore into a database other than template0, template1 and the catalog "
                        "database (\"" +
                            plan.catalog_database + "\").");
    if (target == plan.catalog_database)
        throw HttpError(400, "database \"" + target + "\" holds the lokbackup catalog",
                        "Restore into another database; the lokbackup program can overwrite the "
                        "catalog database with --allow-catalog-database.");
    return target;
}

// The server checks the password again, as for a login, and so guesses are slowed down alike.
void confirm_password(WebApp &app, const httplib::Request &request, const Login &login)
{
    attempt_login(app.logins, login, request.remote_addr,
                  HttpError(403, "the password was not accepted",
                            "A restore connects as you: type your PostgreSQL password again."),
                  [&] { connect_as(app.settings.connection, login); });
}

// Creates `target`, or makes sure that the caller means to overwrite it. Returns whether it
// created the database.
bool prepare_target(WebApp &app, const httplib::Request &request, Session &session,
                    const Json &body, const std::string &target)
{
    QueryResult existing = session_query(app.sessions, request, session,
                                         "SELECT 1 FROM pg_database WHERE datname = $1", {target});
    if (existing.rows() == 0) {
        with_connection(app.sessions, request, session, [&](Connection &connection) {
            connection.query("CREATE DATABASE " + connection.quote_identifier(target));
        });
        return true;
    }
    if (string_field(body, "confirmTarget") != target)
        throw HttpError(409,
                        "database \"" + target +
                            "\" exists; the restore would replace every object of the backup "
                            "that it holds",
                        "To overwrite it, send its name again as confirmTarget.");
    return false;
}

void start_restore(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::change);
    Json body = json_body(request);
    Login login{session->user, string_field(body, "password").value_or("")};
    if (login.password.empty())
        throw HttpError(400, "password is required",
                        "A restore connects to the target database as you: confirm your "
                        "PostgreSQL password.");
    BackupPlan plan = plan_of(app, request, *session);
    std::string target = target_of(body, plan);
    app.restores.check_can_start(target);
    confirm_password(app, request, login);

    ConnectionOptions as_user = app.settings.connection;
    as_user.user = login.user;
    Replay replay = replay_command(plan, as_user, target);
    replay.process.environment.emplace_back("PGPASSWORD", login.password);
    bool created = prepare_target(app, request, *session, body, target);
    // A failed restore commits nothing; a database created for it goes too.
    auto undo = [options = app.settings.connection, login, target, created] {
        if (!created)
            return;
        std::unique_ptr<Connection> connection = connect_as(options, login);
        connection->query("DROP DATABASE IF EXISTS " + connection->quote_identifier(target));
    };
    Json job;
    try {
        job = app.restores.start(plan, std::move(replay), target, login.user, undo);
    } catch (...) {
        undo();
        throw;
    }
    send_json(response, 202, {{"restore", job}});
}

void list_restores(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    require_admin(app.sessions, request, *require_session(app.sessions, request, Access::read));
    send_json(response, 200, {{"restores", app.restores.list()}});
}

void show_restore(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    require_admin(app.sessions, request, *require_session(app.sessions, request, Access::read));
    send_json(response, 200,
              {{"restore", app.restores.find(std::stoul(std::string(request.matches[1])))}});
}

} // namespace

void add_restore_routes(httplib::Server &server, WebApp &app)
{
    server.Post(R"(/api/admin/backups/(\d+)/restore)", json_route(app, start_restore));
    server.Get("/api/admin/restores", json_route(app, list_restores));
    server.Get(R"(/api/admin/restores/(\d{1,9}))", json_route(app, show_restore));
}

} // namespace lokbackup::cli
