// Reading a DumpInventory from a database: the objects in the backup's snapshot at backup time
// (the backup child, in the transaction that exported the snapshot), and the objects, rows,
// sequence values and large objects of a database that a restore drill restored into.
#pragma once

#include "cli/connection.hpp"
#include "core/backup/dump_inventory.hpp"

namespace lokbackup::cli
{

// The tables, indexes, constraints, sequences and the number of large objects that `connection`'s
// current snapshot shows (table_rows and sequence_values stay empty: the dump's script has them).
DumpInventory read_schema_inventory(Connection &connection);

// What a drill's scratch database holds, for comparison with `at_backup`: its schema inventory,
// and for each table and sequence of `at_backup` its rows (SELECT count(*) FROM ONLY) and value,
// read only from ordinary and partitioned tables and from sequences that exist (a missing one is
// left out, for first_difference() to report). The session's search_path is pg_catalog only;
// row_security is set off for the rest of the session. A recorded name is only ever resolved
// (to_regclass()), and what it resolves to read under the catalog's spelling of its name: no
// function of the database's users runs.
DumpInventory read_restored_inventory(Connection &connection, const DumpInventory &at_backup);

} // namespace lokbackup::cli
