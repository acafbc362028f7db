// Sizes and durations in the forms an admin reads, the same as the catalog views show them.
#pragma once

#include <cstdint>
#include <string>

namespace lokbackup
{

// As PostgreSQL's pg_size_pretty(): "9000 bytes", "12 MB", "3 GB".
std::string pretty_size(std::uint64_t bytes);

// As the extension's lokbackup_internal.pretty_duration(): "12.5 s", "3 min 04 s", "2 h 05 min".
std::string pretty_duration(double seconds);

} // namespace lokbackup
