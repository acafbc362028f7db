// Reading the compiled time zone files of tzdata (TZif, RFC 8536), as found under
// /usr/share/zoneinfo. Internal to time_zone.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

struct TzifData {
    std::vector<std::int64_t> transitions; // instants (seconds since the epoch), ascending
    std::vector<int> offsets;              // seconds east of UTC from transitions[i] on
    int first_offset = 0;                  // before the first transition (time type 0)
    std::string footer;                    // POSIX TZ rule after the last transition, or empty
};

// Throws Error naming `source` when `data` is not a TZif file, or one with leap seconds (the
// "right/" zones, whose instants are not POSIX time).
TzifData parse_tzif(std::string_view data, const std::string &source);

} // namespace lokbackup
