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

// Why a run due now starts late, when it does: said when the firings it takes the place of are
// reported.
static const char *const previous_run_busy = "a backup run was still running";

// One schedule: lokbackup.schedule's runs of dumps, or lokbackup.base_backup_schedule's base
// backups. Both place their runs in the one request slot, so that a base backup and the dumps
// never run at the same time: the later waits for the slot.
struct Schedule {
    RunKind kind;
    char **setting;
    const char *name;         // for messages: "backup run", "base backup"
    const char *setting_name; // lokbackup.schedule
    TimestampTz next_run;     // 0: nothing scheduled
    char schedule_in_force[256];
    char timezone_in_force[256];
    const char *late_because;
};

static Schedule schedules[] = {
    {RunKind::logical, &schedule_setting, "backup run", "lokbackup.schedule", 0, "", "",
     previous_run_busy},
    {RunKind::physical, &base_backup_schedule_setting, "base backup",
     "lokbackup.base_backup_schedule", 0, "", "", previous_run_busy},
};

static void publish_next_run(Schedule &schedule, TimestampTz next)
{
    schedule.next_run = next;
    strlcpy(schedule.schedule_in_force, *schedule.setting, sizeof(schedule.schedule_in_force));
    strlcpy(schedule.timezone_in_force, timezone_setting, sizeof(schedule.timezone_in_force));
    // lokbackup_next_run() shows the dumps' schedule.
    if (schedule.kind == RunKind::logical) {
        SharedState *state = shared_state();
        LWLockAcquire(state->lock, LW_EXCLUSIVE);
        state->next_scheduled_run = next;
        LWLockRelease(state->lock);
    }
    if (next != 0)
        ereport(DEBUG1, (errmsg("lokbackup: next scheduled %s at %s", schedule.name,
                                timestamptz_to_str(next))));
}

static TimestampTz next_time(const Schedule &schedule, TimestampTz after)
{
    return next_firing(*schedule.setting, after);
}

void start_schedule()
{
    for (Schedule &schedule : schedules) {
        begin_catalog_work("lokbackup: reading the schedule");
        TimestampTz last = last_scheduled_request(schedule.kind == RunKind::physical);
        end_catalog_work();
        schedule.late_because = "the lokbackup worker was not running (the server was down, or "
                                "the worker had stopped)";
        publish_next_run(schedule, next_time(schedule, last != 0 ? last : GetCurrentTimestamp()));
    }
}

static bool schedule_changed(const Schedule &schedule)
{
    return strcmp(schedule.schedule_in_force, *schedule.setting) != 0 ||
           strcmp(schedule.timezone_in_force, timezone_setting) != 0;
}

void follow_schedule_changes()
{
    for (Schedule &schedule : schedules)
        if (schedule_changed(schedule))
            publish_next_run(schedule, next_time(schedule, GetCurrentTimestamp()));
}

// The one run placed now stands for every firing from `first` to `last`: the ones after the first
// make no run of their own, which the log and the notification targets are told.
static void report_skipped_firings(const Schedule &schedule, TimestampTz first, TimestampTz last)
{
    char *first_text = pstrdup(timestamptz_to_str(first));
    char *reason =
        psprintf("the scheduled %ss due from %s to %s were skipped: %s; one run starts "
                 "now in their place",
                 schedule.name, first_text, timestamptz_to_str(last), schedule.late_because);
    ereport(WARNING,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE), errmsg("lokbackup: %s", reason),
             schedule.late_because == previous_run_busy
                 ? errhint("A run takes longer than %s leaves it: schedule runs less often, or "
                           "back up fewer databases per run.",
                           schedule.setting_name)
                 : 0));
    notify_missed_run(first, "skipped", reason);
}

static long request_if_due(Schedule &schedule, long longest_ms)
{
    if (schedule.next_run == 0)
        return longest_ms;
    TimestampTz now = GetCurrentTimestamp();
    if (now < schedule.next_run)
        return Min(longest_ms, TimestampDifferenceMilliseconds(now, schedule.next_run));
    // A run in progress (manual, or of the other schedule) delays this one until it has finished.
    if (place_request(scheduled_run_type, schedule.kind, "lokbackup schedule", nullptr) == 0)
        return Min(longest_ms, 1000L);
    TimestampTz last_due = last_firing(*schedule.setting, now);
    if (last_due > schedule.next_run)
        report_skipped_firings(schedule, schedule.next_run, last_due);
    schedule.late_because = previous_run_busy;
    publish_next_run(schedule, next_time(schedule, now));
    return 0;
}

long request_due_run(long longest_ms)
{
    long wait_ms = longest_ms;
    for (Schedule &schedule : schedules)
        wait_ms = request_if_due(schedule, wait_ms);
    return wait_ms;
}

long report_firings_without_catalog(long longest_ms)
{
    long wait_ms = longest_ms;
    TimestampTz now = GetCurrentTimestamp();
    for (Schedule &schedule : schedules) {
        if (schedule_changed(schedule))
            publish_next_run(schedule, next_time(schedule, now));
        if (schedule.next_run == 0)
            continue;
        if (now < schedule.next_run) {
            wait_ms = Min(wait_ms, TimestampDifferenceMilliseconds(now, schedule.next_run));
            continue;
        }
        char *reason = psprintf("the lokbackup extension is not installed in database \"%s\"",
                                catalog_database_setting);
        ereport(WARNING, (errcode(ERRCODE_UNDEFINED_OBJECT),
                          errmsg("lokbackup: the scheduled %s due at %s was not run: %s",
                                 schedule.name, timestamptz_to_str(schedule.next_run), reason),
                          errhint("Run CREATE EXTENSION lokbackup in database \"%s\", or set "
                                  "lokbackup.database to the database that has it.",
                                  catalog_database_setting)));
        notify_missed_run(schedule.next_run, "not run", reason);
        publish_next_run(schedule, next_time(schedule, now));
        wait_ms = 0;
    }
    return wait_ms;
}

} // namespace lokbackup::pg
