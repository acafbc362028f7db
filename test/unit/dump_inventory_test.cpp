#include "core/backup/dump_inventory.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

DumpInventory example()
{
    DumpInventory inventory;
    inventory.rows_counted = true;
    inventory.table_rows = {{"public.t", 1000}, {"public.\"we\"\"ird\nname\"", 0}};
    inventory.sequence_values = {{"public.s", "42,true"}, {"public.t_id_seq", "1,false"}};
    inventory.tables = {"public.\"we\"\"ird\nname\"", "public.t"}; // sorted, as read
    inventory.indexes = {"public.t_pkey"};
    inventory.constraints = {"public.t.t_pkey"};
    inventory.sequences = {"public.s", "public.t_id_seq"};
    inventory.large_objects = 3;
    return inventory;
}

void expect_same(const DumpInventory &a, const DumpInventory &b)
{
    EXPECT_EQ(a.rows_counted, b.rows_counted);
    EXPECT_EQ(a.table_rows, b.table_rows);
    EXPECT_EQ(a.sequence_values, b.sequence_values);
    EXPECT_EQ(a.tables, b.tables);
    EXPECT_EQ(a.indexes, b.indexes);
    EXPECT_EQ(a.constraints, b.constraints);
    EXPECT_EQ(a.sequences, b.sequences);
    EXPECT_EQ(a.large_objects, b.large_objects);
}

TEST(DumpInventory, JsonRoundTrip)
{
    DumpInventory inventory = example();
    Json json = dump_inventory_to_json(inventory);
    EXPECT_EQ(json["table_rows"]["public.t"], 1000);
    EXPECT_EQ(json["sequence_values"]["public.s"], "42,true");
    expect_same(dump_inventory_from_json(json), inventory);
    // Through text, as the catalog's jsonb and the manifest carry it.
    expect_same(dump_inventory_from_json(Json::parse(json.dump())), inventory);
    DumpInventory empty;
    expect_same(dump_inventory_from_json(dump_inventory_to_json(empty)), empty);
}

TEST(DumpInventory, ReadingSortsTheNames)
{
    Json json = dump_inventory_to_json(example());
    json["tables"] = {"public.z", "public.a"};
    EXPECT_EQ(dump_inventory_from_json(json).tables,
              (std::vector<std::string>{"public.a", "public.z"}));
}

TEST(DumpInventory, ErrorsNameTheField)
{
    auto broken = [](const char *field, Json value) {
        Json json = dump_inventory_to_json(example());
        if (value.is_null())
            json.erase(field);
        else
            json[field] = value;
        return error_message([&] { dump_inventory_from_json(json, "manifest: inventory"); });
    };
    EXPECT_EQ(broken("tables", nullptr),
              "manifest: inventory: field \"tables\" is missing or not an array of strings");
    EXPECT_EQ(broken("indexes", Json::array({1})),
              "manifest: inventory: field \"indexes\" is missing or not an array of strings");
    EXPECT_EQ(broken("large_objects", -1), "manifest: inventory: field \"large_objects\" is "
                                           "missing or not a non-negative integer");
    EXPECT_EQ(broken("rows_counted", "yes"),
              "manifest: inventory: field \"rows_counted\" is missing or not a boolean");
    EXPECT_EQ(broken("table_rows", Json::array()),
              "manifest: inventory: field \"table_rows\" is missing or not an object");
    EXPECT_EQ(broken("table_rows", {{"public.t", -1}}),
              "manifest: inventory: field \"table_rows\": the value of \"public.t\" is not a "
              "non-negative integer");
    EXPECT_EQ(broken("sequence_values", {{"public.s", 42}}),
              "manifest: inventory: field \"sequence_values\": the value of \"public.s\" is not "
              "a string");
    EXPECT_EQ(error_message([] { dump_inventory_from_json(Json::array()); }),
              "inventory: not a JSON object");
}

TEST(DumpInventory, NoDifferenceWhenEverythingIsThere)
{
    DumpInventory restored = example();
    EXPECT_EQ(first_difference(example(), restored), std::nullopt);
    // More than the backup held is no shortfall, in any order.
    restored.tables = {"public.zzz", "public.\"we\"\"ird\nname\"", "public.t"};
    restored.indexes.push_back("public.extra_idx");
    restored.table_rows["public.extra"] = 5;
    EXPECT_EQ(first_difference(example(), restored), std::nullopt);
}

TEST(DumpInventory, FirstDifferenceInWords)
{
    auto difference = [](void (*change)(DumpInventory &)) {
        DumpInventory restored = example();
        change(restored);
        return first_difference(example(), restored).value_or("none");
    };
    EXPECT_EQ(difference([](DumpInventory &r) { r.tables.erase(r.tables.begin()); }),
              "table public.\"we\"\"ird\nname\" is missing");
    EXPECT_EQ(difference([](DumpInventory &r) { r.table_rows["public.t"] = 999; }),
              "table public.t: 1000 rows at backup time, 999 restored");
    EXPECT_EQ(difference([](DumpInventory &r) { r.table_rows["public.t"] = 1001; }),
              "table public.t: 1000 rows at backup time, 1001 restored");
    EXPECT_EQ(difference([](DumpInventory &r) { r.table_rows.erase("public.t"); }),
              "table public.t: 1000 rows at backup time, none counted in the restore (no such "
              "ordinary or partitioned table)");
    EXPECT_EQ(difference([](DumpInventory &r) { r.indexes.clear(); }),
              "index public.t_pkey is missing");
    EXPECT_EQ(difference([](DumpInventory &r) { r.constraints.clear(); }),
              "constraint public.t.t_pkey is missing");
    EXPECT_EQ(difference([](DumpInventory &r) { r.sequences.pop_back(); }),
              "sequence public.t_id_seq is missing");
    EXPECT_EQ(difference([](DumpInventory &r) { r.sequence_values["public.s"] = "41,true"; }),
              "sequence public.s: value 42,true at backup time, 41,true restored");
    EXPECT_EQ(difference([](DumpInventory &r) { r.sequence_values.erase("public.s"); }),
              "sequence public.s: value 42,true at backup time, none restored");
    EXPECT_EQ(difference([](DumpInventory &r) { r.large_objects = 2; }),
              "3 large objects at backup time, 2 restored");
}

TEST(DumpInventory, TheFirstDifferenceInTheOrderOfChecks)
{
    DumpInventory restored = example();
    restored.large_objects = 0;
    restored.sequence_values.clear();
    restored.indexes.clear();
    restored.table_rows["public.t"] = 1;
    EXPECT_EQ(first_difference(example(), restored),
              "table public.t: 1000 rows at backup time, 1 restored");
    DumpInventory one = example();
    one.large_objects = 1;
    DumpInventory none = one;
    none.large_objects = 0;
    EXPECT_EQ(first_difference(one, none), "1 large object at backup time, 0 restored");
}

} // namespace
} // namespace lokbackup
