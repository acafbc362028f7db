// What a plain dump's script says about its data, statement by statement: the table of a
// `COPY name (columns) FROM stdin;` and the value of a `SELECT pg_catalog.setval('name', 42,
// true);`, in the exact form pg_dump writes them (dump_script_scanner.hpp finds the statements).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace lokbackup
{

// Whether `statement` (without its `;`) is a COPY, whose data lines follow it.
bool is_copy_statement(std::string_view statement);

// The table of a COPY statement as pg_dump spells it: the name up to the first space outside
// double quotes (public.t, "we""ird"."a b", a quoted name may hold a newline). nullopt when there
// is none.
std::optional<std::string> copied_table(std::string_view statement);

// The sequence and its value ("42,true") of pg_dump's setval() statement (without its `;`), the
// name's string literal unescaped ('public."it''s"' is public."it's"). nullopt for any other
// statement.
std::optional<std::pair<std::string, std::string>> set_sequence_value(std::string_view statement);

// Whether a statement that begins with `beginning` may still be one of the two above: once it
// cannot, the scanner keeps no more of it.
bool may_be_data_statement(std::string_view beginning);

} // namespace lokbackup
