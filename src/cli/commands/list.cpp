#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/restore/backup_plan.hpp"
#include "core/base/human_units.hpp"
#include "core/base/json_document.hpp"
#include "core/base/text.hpp"
#include "core/schedule/backup_type.hpp"
#include "core/storage/stored_backups.hpp"

#include <algorithm>
#include <iostream>

namespace lokbackup::cli
{

namespace
{

const char *const help = R"(lokbackup list: list the backups in the catalog, or in storage

Usage:
  lokbackup list [OPTION]...

Options:
  --database NAME             only backups of this database, (roles) for the roles or
                              (cluster) for the base backups
  --type TYPE                 only backups of this type (daily, weekly, monthly, manual)
  --status STATUS             only backups in this status
  --limit N                   at most N backups, the newest first (default: 50)
  --json                      one JSON array of objects, one per backup, instead of a table

Options to list a storage without the server's catalog (after the loss of the server):
  --from STORAGE              list the backups whose manifests are in STORAGE, a directory or
                              s3://bucket/prefix; S3 keys come from AWS_ACCESS_KEY_ID,
                              AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
  --s3-endpoint URL           S3 endpoint (default: AWS_ENDPOINT_URL, else AWS S3)
  --s3-region REGION          S3 region (default: AWS_REGION, else us-east-1)
  --s3-path-style             path-style S3 addressing (endpoint/bucket/key)

)";

// What either source lists: named columns, numeric ones right-aligned, NULL as nullopt.
struct Table {
    std::vector<std::string> columns;
    std::vector<bool> numeric;
    std::vector<std::vector<std::optional<std::string>>> rows;
};

// Columns are as wide as what a terminal shows: UTF-8 continuation bytes take no room.
std::size_t display_width(const std::string &text)
{
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string padded(const std::string &text, std::size_t width, bool right_aligned)
{
    std::string padding(width - display_width(text), ' ');
    return right_aligned ? padding + text : text + padding;
}

// Aligned as psql aligns a result.
void print_table(const Table &table, std::ostream &out)
{
    auto text = [](const std::optional<std::string> &cell) { return cell.value_or(""); };
    std::vector<std::size_t> widths;
    for (std::size_t column = 0; column < table.columns.size(); ++column) {
        std::size_t width = display_width(table.columns[column]);
        for (const auto &row : table.rows)
            width = std::max(width, display_width(text(row[column])));
        widths.push_back(width);
    }

    auto print_line = [&](const char *separator, auto cell) {
        std::string line;
        for (std::size_t column = 0; column < table.columns.size(); ++column)
            line += (column ? separator : "") + cell(column);
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out << line << "\n";
    };
    print_line(" | ", [&](std::size_t column) {
        return padded(table.columns[column], widths[column], false);
    });
    print_line("-+-", [&](std::size_t column) { return std::string(widths[column], '-'); });
    for (const auto &row : table.rows)
        print_line(" | ", [&](std::size_t column) {
            return padded(text(row[column]), widths[column], table.numeric[column]);
        });
    out << "(" << table.rows.size() << (table.rows.size() == 1 ? " backup" : " backups") << ")\n";
}

// One array of objects; numeric columns as numbers, NULL as null.
void print_json(const Table &table, std::ostream &out)
{
    Json rows = Json::array();
    for (const auto &row : table.rows) {
        Json object = Json::object();
        for (std::size_t column = 0; column < table.columns.size(); ++column) {
            const std::optional<std::string> &cell = row[column];
            if (!cell)
                object[table.columns[column]] = nullptr;
            else if (table.numeric[column])
                object[table.columns[column]] = Json::parse(*cell);
            else
                object[table.columns[column]] = *cell;
        }
        rows.push_back(std::move(object));
    }
    out << json_text("backup list", rows, 2) << "\n";
}

// lokbackup_list() names the values its filters allow in SQL's words ("or NULL for all"): here,
// a filter is an option left out.
QueryResult query_in_own_words(Connection &catalog, const std::string &sql,
                               const std::vector<std::optional<std::string>> &parameters)
{
    try {
        return catalog.query(sql, parameters);
    } catch (const ServerError &error) {
        const std::string prefix = "Allowed values are ";
        const std::string suffix = ", or NULL for all.";
        const std::string &hint = error.hint;
        if (error.sqlstate != "22023" || hint.rfind(prefix, 0) != 0 || !ends_with(hint, suffix))
            throw;
        throw UsageError(error.primary + ": use " +
                         hint.substr(prefix.size(), hint.size() - prefix.size() - suffix.size()) +
                         ", or leave the option out");
    }
}

Table catalog_table(const ConnectionOptions &connection, const Arguments &arguments, int limit)
{
    Connection catalog(connection, connection.catalog_database);
    // lokbackup_list() takes no database: the filter comes before the limit here, so that
    // --limit counts the database's own backups.
    std::string sql = catalog.with_extension_schema(
        "SELECT * FROM @extschema@.lokbackup_list($1::text, $2::text, 10000, 0) "
        "WHERE $3::text IS NULL OR database = $3 LIMIT $4::integer");
    QueryResult result = query_in_own_words(catalog, sql,
                                            {arguments.value("type"), arguments.value("status"),
                                             arguments.value("database"), std::to_string(limit)});
    Table table;
    for (int column = 0; column < result.columns(); ++column) {
        table.columns.push_back(result.column_name(column));
        table.numeric.push_back(result.is_numeric(column));
    }
    for (int row = 0; row < result.rows(); ++row) {
        std::vector<std::optional<std::string>> cells;
        for (int column = 0; column < result.columns(); ++column)
            cells.push_back(result.is_null(row, column)
                                ? std::nullopt
                                : std::optional<std::string>(result.value(row, column)));
        table.rows.push_back(std::move(cells));
    }
    return table;
}

// The backups whose manifests are in the storage, newest first: what a restore --from chooses
// from. A backup whose object is gone is listed as such, since its manifest is all that is left.
Table storage_table(const std::string &spec, const Arguments &arguments, int limit)
{
    if (arguments.value("type") || arguments.value("status"))
        throw UsageError("--type and --status filter the catalog's list: with --from, use "
                         "--database and --limit");
    auto storage = open_from_storage(spec, s3_options_from(arguments));
    std::vector<StoredBackup> backups = backups_in(*storage);
    std::sort(backups.begin(), backups.end(), [](const StoredBackup &a, const StoredBackup &b) {
        return std::tie(a.manifest.finished_at, a.manifest.id) >
               std::tie(b.manifest.finished_at, b.manifest.id);
    });
    std::optional<std::string> database = arguments.value("database");
    Table table{{"id", "type", "database", "finished_at", "size", "raw_size", "sha256", "object"},
                {true, false, false, false, false, false, false, false},
                {}};
    for (const StoredBackup &stored : backups) {
        const BackupDescription &backup = stored.manifest;
        std::string name = backup.is_base_backup() ? "(cluster)"
                           : backup.is_roles()     ? "(roles)"
                                                   : backup.database;
        if (database && name != *database)
            continue;
        if (static_cast<int>(table.rows.size()) == limit)
            break;
        table.rows.push_back({std::to_string(backup.id), std::string(backup_type_name(backup.type)),
                              name, backup.finished_at, pretty_size(backup.size),
                              pretty_size(backup.raw_size), backup.sha256,
                              stored.object_present ? "present" : "missing"});
    }
    return table;
}

int list(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {
        {"type", 0, true},        {"status", 0, true},    {"limit", 0, true},
        {"database", 0, true},    {"json", 0, false},     {"from", 0, true},
        {"s3-endpoint", 0, true}, {"s3-region", 0, true}, {"s3-path-style", 0, false}};
    std::vector<OptionSpec> connection_specs = ConnectionOptions::specs();
    options.insert(options.end(), connection_specs.begin(), connection_specs.end());
    Arguments arguments("list", options, argument_list);
    arguments.expect_positionals(0, "no arguments");
    int limit = 50;
    if (auto number = arguments.positive_integer("limit")) {
        if (*number > 10000)
            throw UsageError("--limit " + std::to_string(*number) +
                             " is too many: give at most 10000");
        limit = static_cast<int>(*number);
    }
    std::optional<std::string> from = arguments.value("from");
    Table table = from ? storage_table(*from, arguments, limit)
                       : catalog_table(ConnectionOptions::from(arguments), arguments, limit);
    if (arguments.flag("json"))
        print_json(table, std::cout);
    else
        print_table(table, std::cout);
    return 0;
}

} // namespace

const Command list_command = {"list", "list the backups in the catalog", help, list, nullptr, true,
                              false};

} // namespace lokbackup::cli
