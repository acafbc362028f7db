// The drill child, `lokbackup drill-child`: one restore drill for the server's background worker
// (extension/drill.cpp). It restores the backup with the flow of `lokbackup restore` into a
// scratch database, which must come out with every table, row, index, constraint, sequence value
// and large object that the dump held at backup time; it drops the scratch database whatever
// happens, and records the outcome in the catalog itself (the worker only fails a drill whose
// child recorded none).
#include "cli/command.hpp"
#include "cli/server_helpers/child_request.hpp"
#include "cli/connection.hpp"
#include "cli/options.hpp"
#include "cli/restore/backup_plan.hpp"
#include "cli/restore/decryption_keys.hpp"
#include "cli/restore/inventory_query.hpp"
#include "cli/restore/replay.hpp"
#include "cli/restore/restore_flow.hpp"
#include "core/backup/drill_conninfo.hpp"
#include "core/backup/drill_request.hpp"

#include <chrono>
#include <iostream>
#include <memory>

namespace lokbackup::cli
{

namespace
{

const char *const help =
    R"(lokbackup drill-child: run one restore drill for the server's background worker

Usage:
  lokbackup drill-child < REQUEST

Internal: the lokbackup background worker runs this. It reads one drill request (JSON) on stdin,
restores the backup into a scratch database, checks it against what the backup held, drops the
scratch database and records the outcome in lokbackup_drills. It exits with 0 when the drill
passed.
)";

// The server the scratch database goes to: lokbackup.drill_conninfo's, else this one; and the
// database there for the flow's own statements.
struct DrillServer {
    ConnectionOptions options;
    std::string admin_database;
};

DrillServer drill_server(const DrillRequest &request, const ConnectionOptions &local)
{
    if (request.drill_conninfo.empty())
        return {local, request.catalog_database};
    DrillConninfo conninfo = parse_drill_conninfo(request.drill_conninfo);
    DrillServer server{ConnectionOptions{}, conninfo.dbname};
    server.options.application_name = local.application_name;
    server.options.host = conninfo.host;
    server.options.port = conninfo.port;
    server.options.user = conninfo.user;
    server.options.password = conninfo.password;
    return server;
}

// Scratch databases of drills that ended, left by a drill whose child was killed (a timeout, a
// restart): dropped before the next drill starts.
void drop_leftover_scratch_databases(Connection &catalog, const DrillServer &server)
{
    QueryResult ended = catalog.query(catalog.with_extension_schema(
        "SELECT coalesce(array_agg(d.target), '{}') FROM @extschema@.lokbackup_drills d"
        " WHERE d.status IN ('passed', 'failed', 'error') AND d.target IS NOT NULL"));
    Connection admin(server.options, server.admin_database);
    QueryResult left =
        admin.query("SELECT datname FROM pg_catalog.pg_database WHERE datname = ANY ($1::text[])",
                    {ended.value(0, 0)});
    for (int row = 0; row < left.rows(); ++row) {
        std::cerr << "lokbackup: dropping database \"" << left.value(row, 0)
                  << "\", left by an interrupted restore drill\n";
        drop_database(admin, left.value(row, 0));
    }
}

std::optional<DumpInventory> recorded_inventory(Connection &catalog, std::int64_t backup_id)
{
    QueryResult row = catalog.query(
        catalog.with_extension_schema(
            "SELECT inventory FROM @extschema@.lokbackup_backups WHERE id = $1::bigint"),
        {std::to_string(backup_id)});
    if (row.rows() != 1 || row.is_null(0, 0))
        return std::nullopt;
    return dump_inventory_from_json(Json::parse(row.value(0, 0)));
}

Json checks_of(const std::optional<DumpInventory> &restored)
{
    Json checks = {{"checksum", "matched"}, {"replay", "committed"}};
    if (!restored) {
        checks["inventory"] = "not recorded at backup time";
        return checks;
    }
    std::uint64_t rows = 0;
    for (const auto &table : restored->table_rows)
        rows += table.second;
    checks["tables"] = restored->tables.size();
    checks["rows"] = rows;
    checks["indexes"] = restored->indexes.size();
    checks["constraints"] = restored->constraints.size();
    checks["sequences"] = restored->sequences.size();
    checks["large_objects"] = restored->large_objects;
    return checks;
}

struct DrillOutcome {
    std::string status = "passed"; // passed, failed, or error: the drill could not run
    std::optional<double> restore_seconds;
    std::optional<std::string> failed_check;
    Json checks = Json::object();

    void fail(const std::string &status_, const std::string &why)
    {
        status = status_;
        failed_check = why;
    }
};

// The backup to drill, with its keys; throws Error when the catalog or the keys fail (the drill
// cannot run: that says nothing of the backup).
BackupPlan drill_plan(const DrillRequest &request, Connection &catalog)
{
    BackupSelector selector;
    selector.which = std::to_string(request.backup_id);
    BackupPlan plan = find_backup(
        selector, request.catalog_database, [&]() -> Connection & { return catalog; },
        BackupUse::verify);
    std::vector<std::string> identities;
    if (!request.identity_file.empty())
        identities.push_back(request.identity_file);
    load_decryption_keys(plan, identities, request.passphrase_file);
    return plan;
}

// Restores into the scratch database, with the flow's check of the whole object before anything
// of it is replayed (whoever could write to storage would otherwise have their statements run as
// a superuser before the commit failed), and compares; throws Error when the restore fails.
void restore_and_check(const DrillRequest &request, BackupPlan plan, Connection &catalog,
                       const DrillServer &server, DrillOutcome &outcome)
{
    // What a restore of the backup costs, its verifying read included.
    auto started = std::chrono::steady_clock::now();
    // The flow's own statements run in the drill server's database.
    plan.catalog_database = server.admin_database;
    RestoreRequest restore{plan, request.target, false, false};
    RestoreFlow flow(
        restore,
        [&](const std::string &database) {
            return std::make_unique<Connection>(server.options, database);
        },
        [&](const std::string &database) {
            return replay_command(plan, server.options, database);
        });
    flow.run(nullptr);
    outcome.restore_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::optional<DumpInventory> at_backup = recorded_inventory(catalog, request.backup_id);
    std::optional<DumpInventory> restored;
    if (at_backup) {
        Connection scratch(server.options, request.target);
        restored = read_restored_inventory(scratch, *at_backup);
        if (std::optional<std::string> difference = first_difference(*at_backup, *restored))
            outcome.fail("failed", *difference);
    }
    outcome.checks = checks_of(restored);
}

void record(Connection &catalog, const DrillRequest &request, const DrillOutcome &outcome)
{
    catalog.query("SELECT lokbackup_internal.finish_drill($1::bigint, $2::text, "
                  "$3::double precision, $4::text, $5::jsonb)",
                  {std::to_string(request.drill_id), outcome.status,
                   outcome.restore_seconds
                       ? std::optional<std::string>(std::to_string(*outcome.restore_seconds))
                       : std::nullopt,
                   outcome.failed_check, outcome.checks.dump()});
}

int drill_child(const std::vector<std::string> &argument_list)
{
    DrillRequest request =
        drill_request_from_json(read_child_request("drill-child", argument_list));

    ConnectionOptions local;
    local.host = request.socket_dir;
    local.port = std::to_string(request.port);
    local.user = request.user;
    local.catalog_database = request.catalog_database;
    local.application_name = "lokbackup drill " + std::to_string(request.drill_id);
    Connection catalog(local, request.catalog_database);
    // Idle while the restore runs: a server-wide idle_session_timeout must not end it before the
    // outcome is recorded.
    catalog.query("SET idle_session_timeout = 0");

    DrillOutcome outcome;
    std::optional<DrillServer> server;
    std::optional<BackupPlan> plan;
    try {
        server = drill_server(request, local);
        drop_leftover_scratch_databases(catalog, *server);
        Connection admin(server->options, server->admin_database);
        // Left by an earlier drill of the same id (the catalog was created again): never swapped.
        drop_database(admin, request.target);
        plan = drill_plan(request, catalog);
    } catch (const std::exception &error) {
        outcome.fail("error", std::string("the drill could not run: ") + error.what());
    }
    if (plan) {
        try {
            restore_and_check(request, *plan, catalog, *server, outcome);
        } catch (const std::exception &error) {
            outcome.fail("failed", std::string("restore: ") + error.what());
        }
    }
    if (server) {
        try {
            Connection admin(server->options, server->admin_database);
            drop_database(admin, request.target);
        } catch (const std::exception &error) {
            // The next drill drops it (drop_leftover_scratch_databases()).
            std::cerr << "lokbackup: could not drop the scratch database \"" << request.target
                      << "\" of restore drill " << request.drill_id << ": " << error.what() << "\n";
        }
    }
    record(catalog, request, outcome);
    return outcome.status == "passed" ? 0 : 1;
}

} // namespace

const Command drill_child_command = {"drill-child",
                                     "run one restore drill for the server's background worker "
                                     "(internal)",
                                     help,
                                     drill_child,
                                     nullptr,
                                     false,
                                     false};

} // namespace lokbackup::cli
