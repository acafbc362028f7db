#include "cli/restore/restore_flow.hpp"

#include "cli/restore/copy_choice.hpp"
#include "cli/restore/object_source.hpp"
#include "core/backup/client_version.hpp"
#include "core/base/human_units.hpp"
#include "core/backup/manifest.hpp"
#include "core/backup/restore_names.hpp"
#include "core/storage/small_object.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace lokbackup::cli
{

namespace
{

// ALTER DATABASE ... RENAME waits up to 5 seconds for the sessions that it finds to end; a
// session that connected in between the termination and the rename is terminated on the next try.
constexpr int rename_attempts = 3;
const std::string object_in_use = "55006";

bool database_exists(Connection &admin, const std::string &name)
{
    return admin.query("SELECT 1 FROM pg_database WHERE datname = $1", {name}).rows() > 0;
}

std::string in_quotes(const std::string &name)
{
    return "\"" + name + "\"";
}

void set_allow_connections(Connection &admin, const std::string &database, bool allow)
{
    admin.query("ALTER DATABASE " + sql_identifier(database) + " WITH ALLOW_CONNECTIONS " +
                (allow ? "true" : "false"));
}

// Terminates the sessions of `from` and renames it; new sessions are refused already.
void rename_when_free(Connection &admin, const std::string &from, const std::string &to)
{
    for (int attempt = 1;; ++attempt) {
        admin.query("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    {from});
        try {
            admin.query("ALTER DATABASE " + sql_identifier(from) + " RENAME TO " +
                        sql_identifier(to));
            return;
        } catch (const ServerError &error) {
            if (error.sqlstate != object_in_use || attempt == rename_attempts)
                throw;
        }
    }
}

// The flow's progress for the pipeline, which reads the object for one step.
RestoreProgress progress_of(RestoreStep step, const RestoreFlowProgress &progress)
{
    if (!progress)
        return nullptr;
    return [step, &progress](std::uint64_t done) { progress(step, done); };
}

// The message of a statement that failed, without its DETAIL and HINT lines.
std::string primary_message(const Error &error)
{
    if (const auto *server = dynamic_cast<const ServerError *>(&error))
        return server->primary;
    return error.what();
}

} // namespace

const char *restore_step_name(RestoreStep step)
{
    return step == RestoreStep::verifying ? "verifying" : "replaying";
}

void drop_database(Connection &admin, const std::string &name)
{
    // FORCE: the backend of a replay that was just killed may not have ended yet.
    admin.query("DROP DATABASE IF EXISTS " + sql_identifier(name) + " WITH (FORCE)");
}

std::string describe_backup(const BackupPlan &plan)
{
    std::string contents =
        plan.backup.is_roles() ? "roles" : "database \"" + plan.backup.database + "\"";
    return "backup " + std::to_string(plan.backup.id) + " (" + contents + ", " +
           pretty_size(plan.backup.raw_size) + ")";
}

RestoreFlow::RestoreFlow(RestoreRequest request, AdminConnector connect, ReplayInto replay_into)
    : request_(std::move(request)), connect_(std::move(connect)),
      replay_into_(std::move(replay_into))
{
    side_ = side_database_name(request_.target, request_.plan.backup.id);
    previous_ = previous_database_name(request_.target, request_.plan.backup.id);
    hold_restore_lock();
    check_server_version(*guard_);
    check_target(*guard_);
    if (!request_.plan.backup.is_roles())
        load_properties();
}

std::unique_ptr<Connection> RestoreFlow::admin()
{
    for (const std::string &database :
         {request_.plan.catalog_database, std::string("postgres"), std::string("template1")})
        if (database != request_.target && database != side_)
            return connect_(database);
    throw Error("no database to connect to"); // unreachable: three names, two excluded
}

// The lock is a session's: it goes with the connection, also when the program is killed.
void RestoreFlow::hold_restore_lock()
{
    guard_ = admin();
    QueryResult locked = guard_->query("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                                       {"lokbackup restore into " + side_});
    if (locked.value(0, 0) != "t")
        throw RestoreRefused("a restore of backup " + std::to_string(request_.plan.backup.id) +
                                 " into database \"" + request_.target + "\" is running",
                             "Wait until it has ended.");
}

// pg_dump writes for its own major version and the ones after it; pg_restore reads no archive of a
// newer pg_dump than itself.
void RestoreFlow::check_server_version(Connection &admin)
{
    int made_by = server_major_version(request_.plan.backup.server_version);
    int server =
        std::stoi(admin.query("SELECT current_setting('server_version_num')").value(0, 0)) / 10000;
    if (made_by > server)
        throw RestoreRefused(describe_backup(request_.plan) + " was made by PostgreSQL " +
                                 request_.plan.backup.server_version + ", and this server runs " +
                                 std::to_string(server) +
                                 ": a dump restores into a server of its own major version or "
                                 "a newer one",
                             "Restore it into a server of PostgreSQL " + std::to_string(made_by) +
                                 " or later, with the lokbackup program installed with that "
                                 "server.");
}

void RestoreFlow::check_target(Connection &admin)
{
    const std::string &target = request_.target;
    if (target.empty() || target.size() > max_database_name)
        throw RestoreRefused("invalid target database name \"" + target + "\"",
                             "A database name has 1 to 63 bytes.");
    QueryResult found = admin.query(
        "SELECT datistemplate, CASE WHEN has_database_privilege(oid, 'CONNECT') "
        "THEN pg_size_pretty(pg_database_size(oid)) END FROM pg_database WHERE datname = $1",
        {target});
    target_exists_ = found.rows() > 0;
    // A restore into a template would put the backup's objects into every new database.
    if ((target_exists_ && found.value(0, 0) == "t") || target == "template0" ||
        target == "template1")
        throw RestoreRefused("database \"" + target + "\" is a template database",
                             "Restore into a database other than template0, template1 and the "
                             "catalog database (\"" +
                                 request_.plan.catalog_database +
                                 "\"), and other than any template database.");
    if (target_exists_)
        target_size_ = found.value(0, 1);
    if (request_.plan.backup.is_roles()) {
        if (!target_exists_)
            throw RestoreRefused("database \"" + target + "\" does not exist",
                                 "A roles backup replays through an existing database: name "
                                 "one, such as the catalog database.");
        return;
    }
    if (target == request_.plan.catalog_database && !request_.allow_catalog_database)
        throw RestoreRefused("database \"" + target +
                                 "\" holds the lokbackup catalog, which the restore would "
                                 "replace",
                             "Restore into another database; the lokbackup program replaces "
                             "the catalog database with --allow-catalog-database.");
    if (!target_exists_)
        return;
    // No other restore of this backup into the target runs (the lock says so): a side database
    // is what a killed one left.
    leftover_side_ = database_exists(admin, side_);
    if (database_exists(admin, previous_))
        throw RestoreRefused(
            "database \"" + previous_ +
                "\" exists, kept by an earlier restore "
                "of backup " +
                std::to_string(request_.plan.backup.id) + " into \"" + target + "\"",
            "Drop it, or rename it, before this backup replaces \"" + target + "\" again.");
}

// The properties that the catalog recorded are the server's own word. Otherwise (--from, or a
// backup made before 0.4.0) they come from the manifest, which whoever can write to storage can
// change: it is read again even when the plan came from one. A backup whose manifest cannot be
// read still restores, with a warning.
void RestoreFlow::load_properties()
{
    const BackupPlan &plan = request_.plan;
    if (plan.properties_from_catalog) {
        properties_ = plan.backup.database_properties;
        properties_recorded_ = true;
        return;
    }
    std::string lost = "; the database is created from template0 with the server's default "
                       "encoding and locale, and without the source's owner, privileges, "
                       "comment, connection limit and settings";
    try {
        auto reader = open_location(plan.manifest_location);
        BackupDescription manifest = manifest_from_json(read_small_object(*reader, "the manifest"));
        if (manifest.id != plan.backup.id || manifest.sha256 != plan.backup.sha256)
            throw Error("it describes another backup (" + std::to_string(manifest.id) + ")");
        properties_ = manifest.database_properties;
        if (!properties_)
            warnings_.push_back("backup " + std::to_string(plan.backup.id) +
                                " records no database properties (lokbackup before 0.3.0 made "
                                "it)" +
                                lost);
    } catch (const Error &error) {
        warnings_.push_back("the manifest of backup " + std::to_string(plan.backup.id) +
                            " could not be read (" + error.what() + ")" + lost);
    }
}

std::string RestoreFlow::what_happens() const
{
    const std::string &target = request_.target;
    if (request_.plan.backup.is_roles())
        return "Restoring " + describe_backup(request_.plan) +
               " creates and alters the roles of the whole cluster (through database \"" + target +
               "\").";
    std::string size = target_size_.empty() ? "size unknown" : target_size_;
    return "Restoring " + describe_backup(request_.plan) + " replaces database \"" + target +
           "\" (" + size + "): its sessions are terminated, and it is " +
           (request_.drop_previous ? "dropped" : "kept as \"" + previous_ + "\"") +
           " once the restore has succeeded." +
           (leftover_side_
                ? " Database \"" + side_ + "\", left by an interrupted restore, is dropped first."
                : "");
}

bool RestoreFlow::verifies_first() const
{
    return request_.verify_first || request_.plan.backup.is_roles();
}

RestoreOutcome RestoreFlow::run(const RestoreFlowProgress &progress)
{
    // Before anything else: an object that fails the check leaves the server as it was, a side
    // database left by an interrupted restore included.
    choose_intact_copy(progress);
    if (request_.plan.backup.is_roles())
        return run_roles(progress);
    RestoreOutcome outcome;
    outcome.warnings = warnings_;
    outcome.copy = copy_;
    outcome.copies = std::max<std::size_t>(1, request_.plan.copies.size());
    if (!target_exists_) {
        restore_into(request_.target, progress, outcome);
        return outcome;
    }
    if (leftover_side_) {
        drop_database(*admin(), side_);
        outcome.warnings.push_back("database " + in_quotes(side_) +
                                   ", left by an interrupted restore of this backup, was dropped");
    }
    restore_into(side_, progress, outcome);
    std::unique_ptr<Connection> connection = admin();
    try {
        swap(*connection, outcome);
    } catch (const Error &error) {
        std::string message =
            std::string(error.what()) + "; database \"" + request_.target + "\" was not replaced";
        try {
            drop_database(*connection, side_);
        } catch (const Error &drop_error) {
            message += " (and then: " + std::string(drop_error.what()) + ")";
        }
        throw_like(error, message);
    }
    return outcome;
}

// The message names the object by its key: a presigned URL, the location of an S3 object, carries
// its signature. Without the first read, a copy is passed over only when its object does not open
// (missing, or its storage unreachable): one that differs fails the replay's commit.
void RestoreFlow::choose_intact_copy(const RestoreFlowProgress &progress)
{
    BackupPlan &plan = request_.plan;
    try {
        copy_ = choose_copy(
            plan,
            [&](const BackupCopy &copy) {
                auto reader = open_location(copy.location);
                if (verifies_first())
                    verify_object(*reader, plan.expected(),
                                  progress_of(RestoreStep::verifying, progress));
            },
            warnings_);
    } catch (const Error &error) {
        throw_like(error, describe_backup(plan) + ", object " + plan.backup.object_key + ": " +
                              error.what() +
                              "; nothing was restored: this happened before the replay, so no "
                              "statement of the object ran and no database was created or "
                              "changed");
    }
}

// A roles dump cannot run in one transaction (CREATE ROLE fails for each role that exists), so
// run() always verifies its object before the replay starts.
RestoreOutcome RestoreFlow::run_roles(const RestoreFlowProgress &progress)
{
    const BackupPlan &plan = request_.plan;
    run_restore(*open_location(plan.location), plan.expected(), replay_into_(request_.target),
                progress_of(RestoreStep::replaying, progress));
    RestoreOutcome outcome;
    outcome.warnings = warnings_;
    outcome.copy = copy_;
    outcome.copies = std::max<std::size_t>(1, request_.plan.copies.size());
    outcome.warnings.push_back("statements that failed, such as CREATE ROLE for a role that "
                               "exists already, were skipped");
    return outcome;
}

// A setting that an ordinary role may set for itself, or one that the server does not know (an
// application's own, such as app.tenant): giving it to the database grants nothing. Any other
// (session_preload_libraries, a server-wide parameter) would be set with the restoring
// superuser's rights from a file that whoever can write to storage can change.
static bool setting_anyone_may_set(Connection &connection, const std::string &setting)
{
    if (setting.empty())
        return true;
    QueryResult context =
        connection.query("SELECT context FROM pg_catalog.pg_settings WHERE name = $1", {setting});
    return context.rows() == 0 ? setting.find('.') != std::string::npos
                               : context.value(0, 0) == "user";
}

void RestoreFlow::restore_into(const std::string &database, const RestoreFlowProgress &progress,
                               RestoreOutcome &outcome)
{
    const BackupPlan &plan = request_.plan;
    {
        std::unique_ptr<Connection> connection = admin();
        connection->query(properties_ ? create_database_sql(database, *properties_)
                                      : "CREATE DATABASE " + sql_identifier(database) +
                                            " TEMPLATE template0");
    }
    try {
        run_restore(*open_location(plan.location), plan.expected(), replay_into_(database),
                    progress_of(RestoreStep::replaying, progress));
        if (progress)
            progress(RestoreStep::replaying, plan.backup.size);
        // After the replay: a setting such as default_transaction_read_only, or a connection
        // limit of 0, would stop it.
        std::unique_ptr<Connection> connection = admin();
        if (properties_)
            for (const PropertyStatement &statement : property_statements(database, *properties_))
                try {
                    if (!properties_recorded_ &&
                        !setting_anyone_may_set(*connection, statement.setting)) {
                        outcome.warnings.push_back(
                            statement.description + " was not restored: only a superuser may " +
                            "set it, and the manifest that holds it is not covered by the " +
                            "backup's checksum; if it is right, run: " + statement.sql);
                        continue;
                    }
                    connection->query(statement.sql);
                } catch (const Error &error) {
                    outcome.warnings.push_back(statement.description +
                                               " was not restored: " + primary_message(error));
                }
    } catch (const Error &error) {
        std::string message = error.what();
        try {
            drop_database(*admin(), database);
        } catch (const Error &drop_error) {
            message += " (and then, dropping database " + in_quotes(database) + ": " +
                       drop_error.what() + ")";
        }
        throw_like(error, message);
    }
}

// New sessions of the target are refused from the first step on, so that terminating its
// sessions leaves none behind; the replaced database keeps its own ALLOW_CONNECTIONS.
void RestoreFlow::swap(Connection &admin, RestoreOutcome &outcome)
{
    const std::string &target = request_.target;
    bool allowed = admin.query("SELECT datallowconn FROM pg_database WHERE datname = $1", {target})
                       .value(0, 0) == "t";
    set_allow_connections(admin, target, false);
    try {
        rename_when_free(admin, target, previous_);
    } catch (const Error &) {
        set_allow_connections(admin, target, allowed);
        throw;
    }
    try {
        admin.query("ALTER DATABASE " + sql_identifier(side_) + " RENAME TO " +
                    sql_identifier(target));
    } catch (const Error &) {
        admin.query("ALTER DATABASE " + sql_identifier(previous_) + " RENAME TO " +
                    sql_identifier(target));
        set_allow_connections(admin, target, allowed);
        throw;
    }
    set_allow_connections(admin, previous_, allowed);
    if (!request_.drop_previous) {
        outcome.previous = previous_;
        return;
    }
    try {
        drop_database(admin, previous_);
    } catch (const Error &error) {
        outcome.previous = previous_;
        outcome.warnings.push_back("the replaced database, kept as " + in_quotes(previous_) +
                                   ", could not be dropped: " + primary_message(error));
    }
}

} // namespace lokbackup::cli
