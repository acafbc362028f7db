// lokbackup.drill_conninfo: the server restore drills restore into, as libpq's keyword = value
// connection string, of the keywords a drill uses. Checked when the setting is set, and read by
// the drill child. It may hold a password: no message ever quotes a value.
#pragma once

#include <optional>
#include <string>

namespace lokbackup
{

struct DrillConninfo {
    std::optional<std::string> host;
    std::optional<std::string> port;
    std::optional<std::string> user;
    std::optional<std::string> password;
    std::string dbname = "postgres"; // where the drill creates and drops its scratch database
};

// Throws InvalidValue naming what is wrong (never a value): a URI, a keyword other than host,
// port, user, password and dbname, a keyword without "=", an unterminated quote.
DrillConninfo parse_drill_conninfo(const std::string &text);

} // namespace lokbackup
