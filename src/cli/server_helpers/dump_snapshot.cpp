#include "cli/server_helpers/dump_snapshot.hpp"

#include "cli/restore/database_properties_query.hpp"
#include "cli/restore/inventory_query.hpp"

#include <string>

namespace lokbackup::cli
{

namespace
{

ConnectionOptions options_for(const BackupRequest &request)
{
    ConnectionOptions options;
    options.host = request.socket_dir;
    options.port = std::to_string(request.port);
    options.user = request.user;
    options.application_name = backup_application_name(request.backup.id);
    return options;
}

} // namespace

HeldSnapshot::HeldSnapshot(const BackupRequest &request)
    : connection_(options_for(request), request.backup.database)
{
    // REPEATABLE READ: the snapshot of the first query is the transaction's, the one exported.
    // The session only waits while pg_dump works: a server-wide idle-in-transaction timeout must
    // not end it (pg_dump lifts the same timeouts for its own session).
    connection_.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    connection_.query("SET LOCAL idle_in_transaction_session_timeout = 0");
    connection_.query("SET LOCAL statement_timeout = 0");
    QueryResult exported =
        connection_.query("SELECT pg_catalog.pg_export_snapshot(),"
                          " EXISTS (SELECT FROM pg_catalog.pg_largeobject_metadata)");
    snapshot_.id = exported.value(0, 0);
    snapshot_.large_objects = exported.value(0, 1) == "t";
    snapshot_.read_database_properties = [this] { return read_database_properties(connection_); };
    snapshot_.read_schema_inventory = [this] { return read_schema_inventory(connection_); };
}

} // namespace lokbackup::cli
