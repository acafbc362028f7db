#include "cli/restore/inventory_query.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace lokbackup::cli
{

namespace
{

// What pg_dump dumps: everything but the system's schemas and other sessions' temporary objects.
// Names as quote_ident() quotes them, which is how pg_dump quotes them too. The session's
// search_path is pg_catalog alone (connection.hpp): these are the system's functions.
const char *const user_schema = " n.nspname NOT IN ('pg_catalog', 'information_schema')"
                                " AND n.nspname NOT LIKE 'pg\\_toast%'"
                                " AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

std::string relations_query(const char *relkinds)
{
    return std::string("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
                       " JOIN pg_namespace n ON n.oid = c.relnamespace"
                       " WHERE c.relkind IN (") +
           relkinds + ") AND" + user_schema;
}

// pg_dump leaves out an invalid index (a CREATE INDEX CONCURRENTLY that failed).
const std::string indexes_query =
    "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid"
    " WHERE c.relkind IN ('i', 'I') AND i.indisvalid AND" +
    std::string(user_schema);

const std::string constraints_query =
    "SELECT format('%I.%I.%I', n.nspname, c.relname, k.conname) FROM pg_constraint k"
    " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p', 'f', 'm') AND" +
    std::string(user_schema);

// The relation that a recorded name resolves to in this database, spelled as the catalog spells
// it: only that is ever put in a statement, and only for the kinds that the caller reads; and
// whether it belongs to an extension.
const char *const resolve_query =
    "SELECT c.relkind, format('%I.%I', n.nspname, c.relname),"
    " EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
    " AND d.objid = c.oid AND d.deptype = 'e')"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.oid = to_regclass($1)";

struct Resolved {
    char relkind;
    std::string name;
    bool extension_member;
};

std::vector<std::string> sorted_names(Connection &connection, const std::string &sql)
{
    QueryResult result = connection.query(sql);
    std::vector<std::string> names;
    for (int row = 0; row < result.rows(); ++row)
        names.push_back(result.value(row, 0));
    // In bytes, as the inventory compares them, whatever the database's collation.
    std::sort(names.begin(), names.end());
    return names;
}

// What `name` resolves to, when it is a relation of one of `relkinds`.
std::optional<Resolved> resolved(Connection &connection, const std::string &name,
                                 const std::string &relkinds)
{
    QueryResult relation = connection.query(resolve_query, {name});
    if (relation.rows() != 1 || relkinds.find(relation.value(0, 0)) == std::string::npos)
        return std::nullopt;
    return Resolved{relation.value(0, 0)[0], relation.value(0, 1), relation.value(0, 2) == "t"};
}

} // namespace

DumpInventory read_schema_inventory(Connection &connection)
{
    DumpInventory inventory;
    inventory.tables = sorted_names(connection, relations_query("'r', 'p', 'f', 'm'"));
    inventory.indexes = sorted_names(connection, indexes_query);
    inventory.constraints = sorted_names(connection, constraints_query);
    inventory.sequences = sorted_names(connection, relations_query("'S'"));
    inventory.large_objects =
        std::stoull(connection.query("SELECT count(*) FROM pg_largeobject_metadata").value(0, 0));
    return inventory;
}

DumpInventory read_restored_inventory(Connection &connection, const DumpInventory &at_backup)
{
    // The database holds what anyone with a table in the backup wrote: a row security policy
    // would run their functions, or hide rows. Off, reading a table with a policy fails instead
    // (a superuser bypasses policies anyway).
    connection.query("SET row_security = off");
    DumpInventory restored = read_schema_inventory(connection);
    restored.rows_counted = at_backup.rows_counted;
    for (const auto &[table, rows] : at_backup.table_rows) {
        std::optional<Resolved> relation = resolved(connection, table, "rp");
        if (!relation)
            continue;
        // An extension's configuration table holds what CREATE EXTENSION wrote as well as the
        // dumped rows (PostGIS's spatial_ref_sys): its rows are not the dump's to count.
        if (relation->extension_member) {
            restored.table_rows[table] = rows;
            continue;
        }
        // A partitioned table's rows are in its partitions; pg_dump copies them through the
        // partitioned table itself when it loads via the partition root (hash partitions of an
        // enum), and then the dump counts them there.
        std::string only = relation->relkind == 'p' ? "" : "ONLY ";
        restored.table_rows[table] = std::stoull(
            connection.query("SELECT count(*) FROM " + only + relation->name).value(0, 0));
    }
    for (const auto &[sequence, value] : at_backup.sequence_values)
        if (auto relation = resolved(connection, sequence, "S")) {
            QueryResult now =
                connection.query("SELECT last_value, is_called FROM " + relation->name);
            restored.sequence_values[sequence] =
                now.value(0, 0) + "," + (now.value(0, 1) == "t" ? "true" : "false");
        }
    return restored;
}

} // namespace lokbackup::cli
