// What a database dump holds, as a restore drill checks it: read in the dump's own snapshot at
// backup time (recorded in the manifest and the catalog), and read again in the database a drill
// restored it into. The two are compared by first_difference().
#pragma once

#include "core/base/json_document.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lokbackup
{

struct DumpInventory {
    // The rows of each table whose data the dump holds, by its name as pg_dump's COPY line spells
    // it ("public.t", "\"Mixed Case\".t"), counted from the dump's plain script as it streams by.
    // Known for plain-format backups only (the custom format's data is not read); empty otherwise.
    std::map<std::string, std::uint64_t> table_rows;
    bool rows_counted = false; // table_rows was counted (a plain dump), even when empty
    // Each sequence's value as pg_dump's setval() sets it ("public.s" -> "42,true"), from the
    // script too (plain only).
    std::map<std::string, std::string> sequence_values;
    // The schema's objects, by qualified name quoted as quote_ident() and pg_dump quote it:
    // tables (ordinary, partitioned, foreign, materialized views), indexes, constraints
    // ("schema.table.constraint"), sequences. Read from the system catalogs in the snapshot;
    // schemas pg_catalog, information_schema, pg_toast* and pg_temp* left out.
    std::vector<std::string> tables;
    std::vector<std::string> indexes;
    std::vector<std::string> constraints;
    std::vector<std::string> sequences;
    std::uint64_t large_objects = 0;
};

Json dump_inventory_to_json(const DumpInventory &inventory);
// Throws Error naming `document` and the field that is missing or malformed.
DumpInventory dump_inventory_from_json(const Json &json, const std::string &document = "inventory");

// The first way `restored` falls short of `at_backup`, in words ("table public.t: 1000 rows at
// backup time, 999 restored", "index public.t_pkey is missing"), checked in this order: tables,
// rows, indexes, constraints, sequences, sequence values, large objects. nullopt when every
// object of the backup is there with its rows, values and large objects. Named objects the
// restore has beyond the backup's are not an error; a different number of rows or large objects
// is.
std::optional<std::string> first_difference(const DumpInventory &at_backup,
                                            const DumpInventory &restored);

} // namespace lokbackup
