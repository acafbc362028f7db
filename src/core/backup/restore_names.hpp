// The names of the databases that a restore over an existing one works with: the side database it
// replays into, and the name the replaced database keeps.
#pragma once

#include <cstdint>
#include <string>

namespace lokbackup
{

// PostgreSQL's limit on a database name (NAMEDATALEN - 1), in bytes.
constexpr std::size_t max_database_name = 63;

// "<target>_restoring_<backup id>", the target's name shortened (never inside a UTF-8 character)
// to fit max_database_name.
std::string side_database_name(const std::string &target, std::int64_t backup_id);
// "<target>_before_restore_<backup id>", shortened alike.
std::string previous_database_name(const std::string &target, std::int64_t backup_id);

} // namespace lokbackup
