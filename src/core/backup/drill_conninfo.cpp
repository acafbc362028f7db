#include "core/backup/drill_conninfo.hpp"

#include "core/base/error.hpp"

#include <cctype>

namespace lokbackup
{

namespace
{

const char *const setting = "lokbackup.drill_conninfo";

bool is_space(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// A value as libpq reads one: up to the next space, or in single quotes with \' and \\.
std::string value_at(const std::string &text, std::size_t &at, const std::string &keyword)
{
    std::string value;
    if (at < text.size() && text[at] == '\'') {
        for (++at;; ++at) {
            if (at >= text.size())
                throw InvalidValue(std::string(setting) + ": the value of \"" + keyword +
                                   "\" has no closing quote");
            if (text[at] == '\'')
                return ++at, value;
            if (text[at] == '\\' && at + 1 < text.size())
                ++at;
            value += text[at];
        }
    }
    while (at < text.size() && !is_space(text[at])) {
        if (text[at] == '\\' && at + 1 < text.size())
            ++at;
        value += text[at++];
    }
    return value;
}

} // namespace

DrillConninfo parse_drill_conninfo(const std::string &text)
{
    if (text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0)
        throw InvalidValue(std::string(setting) +
                           " takes keyword = value pairs (host=... port=...), not a URI");
    DrillConninfo conninfo;
    std::size_t at = 0;
    for (;;) {
        while (at < text.size() && is_space(text[at]))
            ++at;
        if (at >= text.size())
            return conninfo;
        std::size_t start = at;
        while (at < text.size() && text[at] != '=' && !is_space(text[at]))
            ++at;
        std::string keyword = text.substr(start, at - start);
        while (at < text.size() && is_space(text[at]))
            ++at;
        if (at >= text.size() || text[at] != '=')
            // Not quoted: a word without "=" may be a value (a password) written alone.
            throw InvalidValue(std::string(setting) +
                               ": a word is not followed by \"=\"; write keyword=value pairs");
        ++at;
        while (at < text.size() && is_space(text[at]))
            ++at;
        std::string value = value_at(text, at, keyword);
        if (keyword == "host")
            conninfo.host = value;
        else if (keyword == "port")
            conninfo.port = value;
        else if (keyword == "user")
            conninfo.user = value;
        else if (keyword == "password")
            conninfo.password = value;
        else if (keyword == "dbname")
            conninfo.dbname = value;
        else
            throw InvalidValue(std::string(setting) + ": \"" + keyword.substr(0, 32) +
                               "\" is not supported; it takes host, port, user, password and "
                               "dbname");
    }
}

} // namespace lokbackup
