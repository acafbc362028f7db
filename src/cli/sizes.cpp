#include "cli/sizes.hpp"

#include <cmath>
#include <iterator>

namespace lokbackup::cli
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

} // namespace lokbackup::cli
