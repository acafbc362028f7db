// When a removal of a backup's objects that failed is tried again.
#pragma once

#include <chrono>

namespace lokbackup
{

// How long a removal waits after its `failed_attempts`-th failure (1 or more): 10 seconds, then
// doubling up to an hour, so that a storage that stays down costs the worker an attempt per
// removal now and then rather than all its time.
std::chrono::seconds removal_retry_delay(int failed_attempts);

} // namespace lokbackup
