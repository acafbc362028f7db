#include "core/backup/dump_inventory.hpp"

#include <algorithm>

namespace lokbackup
{

namespace
{

// The object-valued fields, read with the same kind of errors as JsonReader's own fields.
template <typename Value, typename Check>
std::map<std::string, Value> json_map(const JsonReader &reader, const char *field, Check is_value,
                                      const char *expected)
{
    const Json *object = reader.optional_field(field);
    if (object == nullptr || !object->is_object())
        throw Error(reader.document() + ": field \"" + field + "\" is missing or not an object");
    std::map<std::string, Value> values;
    for (const auto &[name, value] : object->items()) {
        if (!is_value(value))
            throw Error(reader.document() + ": field \"" + field + "\": the value of \"" + name +
                        "\" is not " + expected);
        values.emplace(name, value.template get<Value>());
    }
    return values;
}

std::string counted(std::uint64_t count, const char *singular, const char *plural)
{
    return std::to_string(count) + " " + (count == 1 ? singular : plural);
}

// The first name of `wanted` that `present` lacks (both sorted).
std::optional<std::string> first_missing(const std::vector<std::string> &wanted,
                                         const std::vector<std::string> &present)
{
    for (const std::string &name : wanted)
        if (!std::binary_search(present.begin(), present.end(), name))
            return name;
    return std::nullopt;
}

} // namespace

Json dump_inventory_to_json(const DumpInventory &inventory)
{
    return {{"rows_counted", inventory.rows_counted},
            {"table_rows", inventory.table_rows},
            {"sequence_values", inventory.sequence_values},
            {"tables", inventory.tables},
            {"indexes", inventory.indexes},
            {"constraints", inventory.constraints},
            {"sequences", inventory.sequences},
            {"large_objects", inventory.large_objects}};
}

DumpInventory dump_inventory_from_json(const Json &json, const std::string &document)
{
    if (!json.is_object())
        throw Error(document + ": not a JSON object");
    JsonReader reader(document, json.dump());
    DumpInventory inventory;
    inventory.rows_counted = reader.boolean("rows_counted");
    inventory.table_rows = json_map<std::uint64_t>(
        reader, "table_rows", [](const Json &value) { return value.is_number_unsigned(); },
        "a non-negative integer");
    inventory.sequence_values = json_map<std::string>(
        reader, "sequence_values", [](const Json &value) { return value.is_string(); }, "a string");
    // Sorted whatever wrote them, for first_difference()'s lookups.
    const std::pair<const char *, std::vector<std::string> *> lists[] = {
        {"tables", &inventory.tables},
        {"indexes", &inventory.indexes},
        {"constraints", &inventory.constraints},
        {"sequences", &inventory.sequences}};
    for (auto [field, names] : lists) {
        *names = reader.strings(field);
        std::sort(names->begin(), names->end());
    }
    inventory.large_objects = reader.uint64("large_objects");
    return inventory;
}

std::optional<std::string> first_difference(const DumpInventory &at_backup,
                                            const DumpInventory &restored)
{
    auto sorted = [](std::vector<std::string> names) {
        std::sort(names.begin(), names.end());
        return names;
    };
    auto missing =
        [&](const char *kind,
            std::vector<std::string> DumpInventory::*names) -> std::optional<std::string> {
        if (auto name = first_missing(sorted(at_backup.*names), sorted(restored.*names)))
            return std::string(kind) + " " + *name + " is missing";
        return std::nullopt;
    };
    if (auto difference = missing("table", &DumpInventory::tables))
        return difference;
    for (const auto &[table, rows] : at_backup.table_rows) {
        auto found = restored.table_rows.find(table);
        if (found == restored.table_rows.end())
            return "table " + table + ": " + counted(rows, "row", "rows") +
                   " at backup time, none counted in the restore (no such ordinary or "
                   "partitioned table)";
        if (found->second != rows)
            return "table " + table + ": " + counted(rows, "row", "rows") + " at backup time, " +
                   std::to_string(found->second) + " restored";
    }
    const std::pair<const char *, std::vector<std::string> DumpInventory::*> kinds[] = {
        {"index", &DumpInventory::indexes},
        {"constraint", &DumpInventory::constraints},
        {"sequence", &DumpInventory::sequences}};
    for (auto [kind, names] : kinds)
        if (auto difference = missing(kind, names))
            return difference;
    for (const auto &[sequence, value] : at_backup.sequence_values) {
        auto found = restored.sequence_values.find(sequence);
        std::string now = found == restored.sequence_values.end() ? "none" : found->second;
        if (now != value)
            return "sequence " + sequence + ": value " + value + " at backup time, " + now +
                   " restored";
    }
    // A scratch database comes from template0, which holds none: any other count is wrong.
    if (restored.large_objects != at_backup.large_objects)
        return counted(at_backup.large_objects, "large object", "large objects") +
               " at backup time, " + std::to_string(restored.large_objects) + " restored";
    return std::nullopt;
}

} // namespace lokbackup
