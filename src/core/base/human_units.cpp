#include "core/base/human_units.hpp"

#include <cstdio>
#include <iterator>

namespace lokbackup
{

std::string pretty_size(std::uint64_t bytes)
{
    // pg_size_pretty()'s rule, to the byte: a unit is used once the number reaches 10240 of the one
    // below, and the number is rounded half up from halves of the unit (bytes >> 9 counts half kB),
    // so that 10485248 bytes, 10239.5 kB, is "10 MB" in both.
    if (bytes < 10 * 1024)
        return std::to_string(bytes) + " bytes";
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    constexpr std::uint64_t halves_limit = 20 * 1024 - 1;
    std::uint64_t halves = bytes >> 9;
    std::size_t unit = 0;
    while (halves >= halves_limit && unit + 1 < std::size(units)) {
        halves >>= 10;
        ++unit;
    }
    return std::to_string((halves + 1) / 2) + " " + units[unit];
}

std::string pretty_duration(double seconds)
{
    char text[48];
    if (seconds < 60) {
        std::snprintf(text, sizeof text, "%.1f s", seconds);
    } else {
        long long whole = static_cast<long long>(seconds);
        if (whole < 3600)
            std::snprintf(text, sizeof text, "%lld min %02lld s", whole / 60, whole % 60);
        else
            std::snprintf(text, sizeof text, "%lld h %02lld min", whole / 3600, whole / 60 % 60);
    }
    return text;
}

} // namespace lokbackup
