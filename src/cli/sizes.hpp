// Byte counts for people.
#pragma once

#include <cstdint>
#include <string>

namespace lokbackup::cli
{

// As PostgreSQL's pg_size_pretty(): "9000 bytes", "12 MB", "3 GB".
std::string pretty_size(std::uint64_t bytes);

} // namespace lokbackup::cli
