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

const std::string constraints_query =
    "SELECT format('%I.%I.%I', n.nspname, c.relname, k.conname) FROM pg_constraint k"
    " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p', 'f', 'm') AND" +
    std::string(user_schema);

// The relation that a recorded name resolves to in this database, spelled as the catalog spells
// it: only that is ever put in a statement, and only for the kinds that the caller reads.
const char *const resolve_query =
    "SELECT c.relkind, format('%I.%I', n.nspname, c.relname) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)";

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

// The catalog's spelling of `name` when it resolves to a relation of one of `relkinds`.
std::optional<std::string> resolved(Connection &connection, const std::string &name,
                                    const std::string &relkinds)
{
    QueryResult relation = connection.query(resolve_query, {name});
    if (relation.rows() != 1 || relkinds.find(relation.value(0, 0)) == std::string::npos)
        return std::nullopt;
    return relation.value(0, 1);
}

} // namespace

DumpInventory read_schema_inventory(Connection &connection)
{
    DumpInventory inventory;
    inventory.tables = sorted_names(connection, relations_query("'r', 'p', 'f', 'm'"));
    inventory.indexes = sorted_names(connection, relations_query("'i', 'I'"));
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
    for (const auto &[table, rows] : at_backup.table_rows)
        if (auto name = resolved(connection, table, "rp"))
            restored.table_rows[table] =
                std::stoull(connection.query("SELECT count(*) FROM ONLY " + *name).value(0, 0));
    for (const auto &[sequence, value] : at_backup.sequence_values)
        if (auto name = resolved(connection, sequence, "S")) {
            QueryResult now = connection.query("SELECT last_value, is_called FROM " + *name);
            restored.sequence_values[sequence] =
                now.value(0, 0) + "," + (now.value(0, 1) == "t" ? "true" : "false");
        }
    return restored;
}

} // namespace lokbackup::cli
