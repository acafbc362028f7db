// Restores from the dashboard. A restore replays into a database as the logged-in role, so it
// needs that role's password once more (serve keeps none) and goes to a new database unless the
// caller types the name of the existing one a second time. An encrypted backup needs the age
// identity of one of its recipients, pasted: used for that restore, never stored or logged.
#include "cli/restore/replay.hpp"
#include "cli/restore/restore_flow.hpp"
#include "cli/web/web_errors.hpp"
#include "cli/web/web_login.hpp"
#include "cli/web/web_routes.hpp"
#include "core/base/text.hpp"
#include "core/crypto/backup_encryption.hpp"

#include <openssl/crypto.h>

namespace lokbackup::cli
{

namespace
{

BackupPlan plan_of(WebApp &app, const httplib::Request &request, Session &session)
{
    BackupSelector selector;
    selector.which = request.matches[1];
    BackupPlan plan;
    with_connection(app.sessions, request, session, [&](Connection &connection) {
        plan = find_backup(selector, app.settings.connection.catalog_database,
                           [&]() -> Connection & { return connection; });
    });
    if (plan.backup.is_roles())
        throw HttpError(400, "backup " + selector.which + " holds the roles of the cluster",
                        "Restore roles with the lokbackup program: lokbackup restore " +
                            selector.which);
    return plan;
}

// The keys of an encrypted backup: the identity pasted (the contents of an age-keygen key file),
// checked against the backup's recipients before anything starts. Its errors never quote it.
AgeDecryptionKeys pasted_identity(const Json &body, const BackupPlan &plan)
{
    std::string backup = "backup " + std::to_string(plan.backup.id);
    if (plan.backup.encrypted_to == std::vector<std::string>{passphrase_fingerprint})
        throw HttpError(400, backup + " is encrypted with a passphrase",
                        "Restore it with the lokbackup program: lokbackup restore " +
                            std::to_string(plan.backup.id) + " --passphrase-file FILE ...");
    std::string text = string_field(body, "identity").value_or("");
    AgeDecryptionKeys keys;
    try {
        if (text.empty())
            throw InvalidValue("none was given");
        keys.identities = parse_age_identity_file(text);
    } catch (const InvalidValue &invalid) {
        OPENSSL_cleanse(text.data(), text.size());
        throw HttpError(
            400,
            backup + " is encrypted, and the identity is not an age identity: " + invalid.what(),
            "Paste the key file that age-keygen wrote (AGE-SECRET-KEY-1...) for one "
            "of the recipients " +
                joined(plan.backup.encrypted_to) + " (fingerprints).");
    }
    OPENSSL_cleanse(text.data(), text.size());
    try {
        check_decryption_keys(backup, plan.backup.encrypted_to, keys);
    } catch (const Error &refused) {
        throw HttpError(400, refused.what(), "Paste the identity of one of those recipients.");
    }
    return keys;
}

std::string target_of(const Json &body, const BackupPlan &plan)
{
    return string_field(body, "target")
        .value_or(plan.backup.database + "_restored_" + std::to_string(plan.backup.id));
}

// The server checks the password again, as for a login, and so guesses are slowed down alike.
void confirm_password(WebApp &app, const httplib::Request &request, const Login &login)
{
    attempt_login(app.logins, login, request.remote_addr,
                  HttpError(403, "the password was not accepted",
                            "A restore connects as you: type your PostgreSQL password again."),
                  [&] { connect_as(app.settings.connection, login); });
}

// The restore flow of `lokbackup restore` (cli/restore/restore_flow.hpp), connecting as the
// logged-in role; its refusals are the client's mistakes. The catalog database is never a target
// here, and the object is always verified before the replay (RestoreRequest's default).
std::shared_ptr<RestoreFlow> restore_flow(WebApp &app, const BackupPlan &plan,
                                          const std::string &target, const Json &body,
                                          const Login &login)
{
    ConnectionOptions options = app.settings.connection;
    options.user = login.user;
    auto drop_previous = body.find("dropPrevious");
    if (drop_previous != body.end() && !drop_previous->is_boolean())
        throw HttpError(400, "dropPrevious must be true or false",
                        "Send true to drop the replaced database instead of keeping it.");
    RestoreRequest restore{plan, target, drop_previous != body.end() && *drop_previous == true,
                           false};
    auto connect = [options, login](const std::string &database) {
        return std::make_unique<Connection>(options, database, &login);
    };
    auto replay_into = [plan, options, login](const std::string &database) {
        Replay replay = replay_command(plan, options, database);
        replay.process.environment.emplace_back("PGPASSWORD", login.password);
        return replay;
    };
    try {
        return std::make_shared<RestoreFlow>(restore, connect, replay_into);
    } catch (const RestoreRefused &refused) {
        throw HttpError(400, refused.primary, refused.hint);
    }
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
    if (plan.backup.is_encrypted())
        plan.decryption = pasted_identity(body, plan);
    std::string target = target_of(body, plan);
    app.restores.check_can_start(target);
    confirm_password(app, request, login);

    std::shared_ptr<RestoreFlow> flow = restore_flow(app, plan, target, body, login);
    if (flow->target_exists() && string_field(body, "confirmTarget") != target)
        throw HttpError(409, "database \"" + target + "\" exists. " + flow->what_happens(),
                        "To replace it, send its name again as confirmTarget.");
    Json job =
        app.restores.start(plan, target, login.user, [flow](const RestoreFlowProgress &progress) {
            return flow->run(progress);
        });
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
