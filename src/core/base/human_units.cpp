#include "core/base/human_units.hpp"

#include <cmath>
#include <cstdio>
#include <iterator>

namespace lokbackup
{

std::string pretty_size(std::uint64_t bytes)
{
    // As in pg_size_pretty(), a unit is used only once the number reaches 10240 of the one below.
    constexpr double limit = 10 * 1024;
    if (bytes < limit)
        return std::to_string(bytes) + " bytes";
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    double value = static_cast<double>(bytes) / 1024;
    std::size_t unit = 0;
    while (value >= limit && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    return std::to_string(std::llround(value)) + " " + units[unit];
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
