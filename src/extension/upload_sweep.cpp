#include "extension/upload_sweep.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "core/storage/open_storage.hpp"
#include "core/storage/upload_sweep.hpp"
#include "extension/boundary.hpp"
#include "extension/catalog.hpp"
#include "extension/storage_bridge.hpp"

#include <string>
#include <vector>

namespace lokbackup::pg
{

static const long sweep_interval_ms = 24L * 60 * 60 * 1000;

// Discards the incomplete uploads older than a day in `storage`, but those of running backups.
static void sweep_storage(const RowStorage &storage, char **running_keys, int running_count,
                          std::time_t now)
{
    SweepResult result = core_call([&] {
        std::vector<std::string> keys(running_keys, running_keys + running_count);
        return sweep_stale_uploads(*open_storage(storage_config(storage)), keys, now);
    });
    ereport(LOG, (errmsg("lokbackup: swept incomplete uploads in %s: %zu found, %zu older than a "
                         "day discarded",
                         storage.spec, result.found, result.discarded)));
}

// The storage in force and the second destination: a backup interrupted there leaves uploads in
// both.
static void sweep(void *)
{
    begin_catalog_work("lokbackup: looking for running backups");
    int running_count = 0;
    char **running_keys = running_object_keys(&running_count);
    end_catalog_work();
    std::time_t now = timestamptz_to_time_t(GetCurrentTimestamp());
    sweep_storage(storage_in_force(), running_keys, running_count, now);
    RowStorage copy = storage_copy_in_force();
    if (copy.spec != nullptr)
        sweep_storage(copy, running_keys, running_count, now);
}

void sweep_uploads_when_due()
{
    static TimestampTz last_sweep = 0;
    TimestampTz now = GetCurrentTimestamp();
    if (last_sweep != 0 && !TimestampDifferenceExceeds(last_sweep, now, sweep_interval_ms))
        return;
    last_sweep = now;
    run_chore(sweep, nullptr, "the sweep of incomplete uploads");
}

} // namespace lokbackup::pg
