#include "extension/schedule.hpp"

extern "C" {
#include "postgres.h"
#include "utils/timestamp.h"
}

#include "extension/catalog.hpp"
#include "extension/schedule_bridge.hpp"
#include "extension/settings.hpp"
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

void start_schedule()
{
    begin_catalog_work("lokbackup: reading the schedule");
    TimestampTz last = last_scheduled_request();
    end_catalog_work();
    publish_next_run(next_scheduled_time(last != 0 ? last : GetCurrentTimestamp()));
}

void follow_schedule_changes()
{
    if (strcmp(schedule_in_force, schedule_setting) != 0 ||
        strcmp(timezone_in_force, timezone_setting) != 0)
        publish_next_run(next_scheduled_time(GetCurrentTimestamp()));
}

// Fills the slot with a scheduled request if it is free.
static bool place_scheduled_request()
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    RequestSlot &slot = state->slot;
    bool free = slot.state == SlotState::idle;
    if (free) {
        slot.request_seq++;
        slot.state = SlotState::requested;
        strlcpy(slot.type, scheduled_run_type, sizeof(slot.type));
        strlcpy(slot.requested_by, "lokbackup schedule", sizeof(slot.requested_by));
        slot.requested_at = GetCurrentTimestamp();
        slot.backup_count = 0;
    }
    LWLockRelease(state->lock);
    return free;
}

long request_due_run(long longest_ms)
{
    if (next_run == 0)
        return longest_ms;
    TimestampTz now = GetCurrentTimestamp();
    if (now >= next_run) {
        // A manual run in progress delays the scheduled one until it has finished.
        if (!place_scheduled_request())
            return Min(longest_ms, 1000L);
        publish_next_run(next_scheduled_time(now));
        return 0;
    }
    return Min(longest_ms, TimestampDifferenceMilliseconds(now, next_run));
}

} // namespace lokbackup::pg
