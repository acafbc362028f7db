#include "extension/schedule.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "extension/catalog.hpp"
#include "extension/notifier.hpp"
#include "extension/schedule_bridge.hpp"
#include "extension/settings.hpp"
#include "extension/request_slot.hpp"
#include "extension/shared_state.hpp"

namespace lokbackup::pg
{

static TimestampTz next_run = 0; // 0: nothing scheduled
static char schedule_in_force[256];
static char timezone_in_force[256];

static void publish_next_run(TimestampTz next)
{
    next_run = next;
    strlcpy(schedule_in_force, schedule_setting, sizeof(schedule_in_force));
    strlcpy(timezone_in_force, timezone_setting, sizeof(timezone_in_force));
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    state->next_scheduled_run = next;
    LWLockRelease(state->lock);
    if (next != 0)
        ereport(DEBUG1,
                (errmsg("lokbackup: next scheduled backup at %s", timestamptz_to_str(next))));
}

// Why the run due now starts late, when it does: said when the firings it takes the place of are
// reported.
static const char *const previous_run_busy = "a backup run was still running";
static const char *late_because = previous_run_busy;

void start_schedule()
{
    begin_catalog_work("lokbackup: reading the schedule");
    TimestampTz last = last_scheduled_request();
    end_catalog_work();
    late_because = "the lokbackup worker was not running (the server was down, or the worker "
                   "had stopped)";
    publish_next_run(next_scheduled_time(last != 0 ? last : GetCurrentTimestamp()));
}

static bool schedule_changed()
{
    return strcmp(schedule_in_force, schedule_setting) != 0 ||
           strcmp(timezone_in_force, timezone_setting) != 0;
}

void follow_schedule_changes()
{
    if (schedule_changed())
        publish_next_run(next_scheduled_time(GetCurrentTimestamp()));
}

// The one run placed now stands for every firing from `first` to `last`: the ones after the first
// make no run of their own, which the log and the notification targets are told.
static void report_skipped_firings(TimestampTz first, TimestampTz last)
{
    char *first_text = pstrdup(timestamptz_to_str(first));
    char *reason = psprintf("the scheduled backup runs due from %s to %s were skipped: %s; one run "
                            "starts now in their place",
                            first_text, timestamptz_to_str(last), late_because);
    ereport(WARNING,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE), errmsg("lokbackup: %s", reason),
             late_because == previous_run_busy
                 ? errhint("A run takes longer than lokbackup.schedule leaves it: schedule runs "
                           "less often, or back up fewer databases per run.")
                 : 0));
    notify_missed_run(first, "skipped", reason);
}

long request_due_run(long longest_ms)
{
    if (next_run == 0)
        return longest_ms;
    TimestampTz now = GetCurrentTimestamp();
    if (now >= next_run) {
        // A manual run in progress delays the scheduled one until it has finished.
        if (place_request(scheduled_run_type, "lokbackup schedule", nullptr) == 0)
            return Min(longest_ms, 1000L);
        TimestampTz last_due = last_scheduled_time(now);
        if (last_due > next_run)
            report_skipped_firings(next_run, last_due);
        late_because = previous_run_busy;
        publish_next_run(next_scheduled_time(now));
        return 0;
    }
    return Min(longest_ms, TimestampDifferenceMilliseconds(now, next_run));
}

long report_firings_without_catalog(long longest_ms)
{
    TimestampTz now = GetCurrentTimestamp();
    if (schedule_changed())
        publish_next_run(next_scheduled_time(now));
    if (next_run == 0)
        return longest_ms;
    if (now < next_run)
        return Min(longest_ms, TimestampDifferenceMilliseconds(now, next_run));
    char *reason = psprintf("the lokbackup extension is not installed in database \"%s\"",
                            catalog_database_setting);
    ereport(WARNING, (errcode(ERRCODE_UNDEFINED_OBJECT),
                      errmsg("lokbackup: the scheduled backup run due at %s was not run: %s",
                             timestamptz_to_str(next_run), reason),
                      errhint("Run CREATE EXTENSION lokbackup in database \"%s\", or set "
                              "lokbackup.database to the database that has it.",
                              catalog_database_setting)));
    notify_missed_run(next_run, "not run", reason);
    publish_next_run(next_scheduled_time(now));
    return 0;
}

} // namespace lokbackup::pg
