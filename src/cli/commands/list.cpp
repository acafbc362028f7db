#include "cli/command.hpp"
#include "cli/connection.hpp"

#include <algorithm>
#include <iostream>

namespace lokbackup::cli
{

namespace
{

const char *const help = R"(lokbackup list: list the backups in the catalog

Usage:
  lokbackup list [OPTION]...

Options:
  --type TYPE                 only backups of this type (daily, weekly, monthly, manual)
  --status STATUS             only backups in this status
  --limit N                   at most N backups, the newest first

)";

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

// Whatever columns lokbackup_list() returns, aligned as psql aligns them.
void print_table(const QueryResult &result, std::ostream &out)
{
    std::vector<std::size_t> widths;
    for (int column = 0; column < result.columns(); ++column) {
        std::size_t width = display_width(result.column_name(column));
        for (int row = 0; row < result.rows(); ++row)
            width = std::max(width, display_width(result.value(row, column)));
        widths.push_back(width);
    }

    auto print_line = [&](const char *separator, auto cell) {
        std::string line;
        for (int column = 0; column < result.columns(); ++column)
            line += (column ? separator : "") + cell(column);
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out << line << "\n";
    };
    print_line(" | ", [&](int column) {
        return padded(result.column_name(column), widths[column], false);
    });
    print_line("-+-", [&](int column) { return std::string(widths[column], '-'); });
    for (int row = 0; row < result.rows(); ++row)
        print_line(" | ", [&](int column) {
            return padded(result.value(row, column), widths[column], result.is_numeric(column));
        });
    out << "(" << result.rows() << (result.rows() == 1 ? " backup" : " backups") << ")\n";
}

int list(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {{"type", 0, true}, {"status", 0, true}, {"limit", 0, true}};
    std::vector<OptionSpec> connection_specs = ConnectionOptions::specs();
    options.insert(options.end(), connection_specs.begin(), connection_specs.end());
    Arguments arguments("list", options, argument_list);
    arguments.expect_positionals(0, "no arguments");
    ConnectionOptions connection = ConnectionOptions::from(arguments);
    std::optional<std::string> limit;
    if (auto number = arguments.positive_integer("limit"))
        limit = std::to_string(*number);

    Connection catalog(connection, connection.catalog_database);
    // A NULL limit takes the function's default.
    std::string sql =
        catalog.with_extension_schema("SELECT * FROM @extschema@.lokbackup_list($1::text, "
                                      "$2::text, coalesce($3::integer, 50), 0)");
    QueryResult result =
        catalog.query(sql, {arguments.value("type"), arguments.value("status"), limit});
    print_table(result, std::cout);
    return 0;
}

} // namespace

const Command list_command = {"list", "list the backups in the catalog", help, list, nullptr, true,
                              false};

} // namespace lokbackup::cli
