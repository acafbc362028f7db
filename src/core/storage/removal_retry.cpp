#include "core/storage/removal_retry.hpp"

#include <algorithm>

namespace lokbackup
{

std::chrono::seconds removal_retry_delay(int failed_attempts)
{
    constexpr std::chrono::seconds first{10};
    constexpr std::chrono::seconds longest{60 * 60};
    std::chrono::seconds delay = first;
    for (int attempt = 1; attempt < failed_attempts && delay < longest; attempt++)
        delay *= 2;
    return std::min(delay, longest);
}

} // namespace lokbackup
