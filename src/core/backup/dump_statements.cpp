#include "core/backup/dump_statements.hpp"

namespace lokbackup
{

namespace
{

constexpr std::string_view copy_prefix = "COPY ";
constexpr std::string_view setval_prefix = "SELECT pg_catalog.setval(";

bool starts_with(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

// Removes `prefix` from the start of `text`, when it is there.
bool consume(std::string_view &text, std::string_view prefix)
{
    if (!starts_with(text, prefix))
        return false;
    text.remove_prefix(prefix.size());
    return true;
}

// A string literal at the start of `text`, unescaped and consumed: '' for a quote, and in an
// E'' string (pg_dump's when standard_conforming_strings is off) a backslash before a character.
std::optional<std::string> string_literal(std::string_view &text)
{
    bool escaped = consume(text, "E");
    if (!consume(text, "'"))
        return std::nullopt;
    std::string value;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (escaped && text[i] == '\\' && i + 1 < text.size()) {
            value += text[++i];
        } else if (text[i] != '\'') {
            value += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == '\'') {
            value += '\'';
            ++i;
        } else {
            text.remove_prefix(i + 1);
            return value;
        }
    }
    return std::nullopt;
}

// An integer, as pg_dump prints a sequence's last_value (INT64_MIN's "-" included), consumed.
std::optional<std::string> integer(std::string_view &text)
{
    std::size_t end = text.substr(0, 1) == "-" ? 1 : 0;
    std::size_t digits = end;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9')
        ++end;
    if (end == digits)
        return std::nullopt;
    std::string value(text.substr(0, end));
    text.remove_prefix(end);
    return value;
}

} // namespace

bool is_copy_statement(std::string_view statement)
{
    return starts_with(statement, copy_prefix);
}

std::optional<std::string> copied_table(std::string_view statement)
{
    if (!consume(statement, copy_prefix))
        return std::nullopt;
    // A doubled quote inside a quoted name toggles twice: the state is right again after it.
    bool quoted = false;
    for (std::size_t i = 0; i < statement.size(); ++i) {
        if (statement[i] == '"')
            quoted = !quoted;
        else if (statement[i] == ' ' && !quoted)
            return i == 0 ? std::nullopt : std::optional(std::string(statement.substr(0, i)));
    }
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> set_sequence_value(std::string_view statement)
{
    if (!consume(statement, setval_prefix))
        return std::nullopt;
    std::optional<std::string> name = string_literal(statement);
    if (!name || !consume(statement, ", "))
        return std::nullopt;
    std::optional<std::string> value = integer(statement);
    if (!value || !consume(statement, ", "))
        return std::nullopt;
    std::string called = consume(statement, "true") ? "true" : "";
    if (called.empty() && consume(statement, "false"))
        called = "false";
    if (called.empty() || statement != ")")
        return std::nullopt;
    return std::pair{*name, *value + "," + called};
}

bool may_be_data_statement(std::string_view beginning)
{
    for (std::string_view prefix : {copy_prefix, setval_prefix}) {
        std::size_t common = std::min(beginning.size(), prefix.size());
        if (beginning.substr(0, common) == prefix.substr(0, common))
            return true;
    }
    return false;
}

} // namespace lokbackup
