#include "extension/backup_run.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/timestamp.h"
}

#include "extension/backup_child.hpp"
#include "extension/catalog.hpp"
#include "extension/notifier.hpp"
#include "extension/rotation.hpp"
#include "extension/running_backup.hpp"
#include "extension/schedule_bridge.hpp"
#include "extension/settings.hpp"
#include "extension/shared_state.hpp"
#include "extension/storage_bridge.hpp"
#include "extension/storage_removal.hpp"
#include "extension/storage_ids.hpp"

namespace lokbackup::pg
{

struct Run {
    uint64 seq;
    char type[16];
    char requested_by[NAMEDATALEN];
    TimestampTz requested_at;
    int64 run_id;
    int backup_count;
    int64 *backup_ids;
    RowStorage storage; // the storage in force as the run's rows are created
    char *failure;      // why every backup of the run fails before it starts; NULL: none
};

static bool take_request(Run &run)
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_SHARED);
    bool requested = state->slot.state == SlotState::requested;
    if (requested) {
        run.seq = state->slot.request_seq;
        memcpy(run.type, state->slot.type, sizeof(run.type));
        memcpy(run.requested_by, state->slot.requested_by, sizeof(run.requested_by));
        run.requested_at = state->slot.requested_at;
    }
    LWLockRelease(state->lock);
    return requested;
}

// The type of one backup of the run: the run's own, or for a scheduled run daily, weekly or
// monthly by what came before for this database.
static const char *backup_type(const Run &run, const char *database)
{
    if (strcmp(run.type, scheduled_run_type) != 0)
        return run.type;
    int count = 0;
    TimestampTz *previous = previous_scheduled_requests(database, &count);
    return scheduled_backup_type_at(run.requested_at, previous, count);
}

static int64 create_backup(Run &run, const char *database, const char *format)
{
    const char *type = backup_type(run, database);
    NewBackup backup{run.run_id,
                     type,
                     database,
                     format,
                     compression_setting_name(),
                     compression_level_setting,
                     run.requested_by,
                     run.storage};
    int64 id = insert_backup(backup);
    ObjectKeyFields key{database, type, run.requested_at, id, format, backup.compression};
    set_object_key(id, object_key_for(key));
    insert_audit(run.requested_by, "run", id,
                 psprintf("{\"run_id\": " INT64_FORMAT ", \"type\": \"%s\"}", run.run_id, type));
    return id;
}

// Creates the run's catalog rows in one transaction: the roles dump first, then each database.
static void create_backups(Run &run)
{
    MemoryContext run_context = CurrentMemoryContext;
    begin_catalog_work("lokbackup: creating backups");
    check_compression_level(compression_setting_name(), compression_level_setting);
    List *databases = databases_to_back_up();
    int count = list_length(databases) + 1;
    if (count > max_backups_per_run)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("a run can back up at most %d databases, %d are configured",
                               max_backups_per_run - 1, count - 1),
                        errhint("Name fewer databases in lokbackup.databases.")));
    run.run_id = next_run_id();
    run.storage = storage_in_force();
    run.backup_ids = static_cast<int64 *>(MemoryContextAlloc(run_context, sizeof(int64) * count));
    run.backup_count = 0;
    // pg_dumpall --globals-only writes plain SQL only.
    run.backup_ids[run.backup_count++] = create_backup(run, nullptr, "plain");
    ListCell *cell;
    foreach (cell, databases)
        run.backup_ids[run.backup_count++] =
            create_backup(run, static_cast<const char *>(lfirst(cell)), format_setting_name());
    end_catalog_work();
}

// A refused run has no row to fail or notify: the server log is its only trace, and for a
// scheduled run, which nobody waits for, the notification targets. A WARNING, so that a watch for
// warnings sees it.
static void report_refusal(const Run &run, const ErrorData *error)
{
    bool scheduled = strcmp(run.type, scheduled_run_type) == 0;
    ereport(WARNING,
            (errcode(error->sqlerrcode),
             errmsg("lokbackup: the %s backup run requested by %s at %s was refused: %s",
                    scheduled ? "scheduled" : run.type, run.requested_by,
                    timestamptz_to_str(run.requested_at), error->message),
             scheduled ? errdetail("No backup was made; the notification targets "
                                   "(lokbackup.notify_email, lokbackup.notify_webhook) are told.")
                       : errdetail("No backup was made."),
             error->hint ? errhint("%s", error->hint) : 0));
    if (scheduled)
        notify_missed_run(run.requested_at, "refused", error->message);
}

static void answer(const Run &run, const char *refusal)
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    RequestSlot &slot = state->slot;
    slot.answered_seq = run.seq;
    if (refusal != nullptr) {
        strlcpy(slot.refusal, refusal, sizeof(slot.refusal));
        slot.state = SlotState::idle;
        slot.finished_seq = run.seq;
    } else {
        slot.refusal[0] = '\0';
        slot.state = SlotState::running;
        slot.run_id = run.run_id;
        slot.backup_count = run.backup_count;
        memcpy(slot.backup_ids, run.backup_ids, sizeof(int64) * run.backup_count);
        slot.failed_count = 0;
        slot.failed_backups[0] = '\0';
        slot.first_error[0] = '\0';
    }
    LWLockRelease(state->lock);
    ConditionVariableBroadcast(&state->slot_changed);
}

// Tells the slot that a backup of the run failed, for a caller waiting for the run's end.
static void note_failure(const RunningBackup &running)
{
    char *which =
        psprintf(INT64_FORMAT " of %s", running.id, backup_subject(running.backup.database));
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    RequestSlot &slot = state->slot;
    if (slot.failed_count++ == 0)
        strlcpy(slot.first_error, running.failure, sizeof(slot.first_error));
    else
        strlcat(slot.failed_backups, ", ", sizeof(slot.failed_backups));
    strlcat(slot.failed_backups, which, sizeof(slot.failed_backups));
    LWLockRelease(state->lock);
}

static void finish_run(const Run &run)
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    state->slot.state = SlotState::idle;
    state->slot.finished_seq = run.seq;
    LWLockRelease(state->lock);
    ConditionVariableBroadcast(&state->slot_changed);
}

// The roles dump is small and reads no database: it runs alongside the first database's backup
// instead of before it, which takes its tenth of a second off every run. The databases are backed
// up one at a time, so that a run never puts more than one pg_dump's load on the server.
static const int roles_slot = 0;
static const int database_slot = 1;

static bool run_backups(const Run &run, void (*handle_interrupts)())
{
    RunningBackup slots[max_backup_children] = {};
    // create_backups() put the roles dump first. The first database's backup starts before it:
    // its start matters more to the run's length.
    int next = 1;
    if (next < run.backup_count)
        start_backup(slots, database_slot, run.backup_ids[next++], run.failure);
    start_backup(slots, roles_slot, run.backup_ids[0], run.failure);
    bool any_completed = false;
    while (slots[roles_slot].active || slots[database_slot].active) {
        follow_backups(slots, handle_interrupts);
        for (RunningBackup &running : slots)
            if (running.active && running.ended) {
                if (record_backup(running))
                    any_completed = true;
                else
                    note_failure(running);
            }
        if (!slots[database_slot].active && next < run.backup_count) {
            handle_interrupts();
            start_backup(slots, database_slot, run.backup_ids[next++], run.failure);
        }
    }
    return any_completed;
}

bool serve_request(void (*handle_interrupts)())
{
    // A reload signalled while the worker was busy (a run, a lock wait) is applied before the
    // next run reads its settings: the worker goes from one run to the next without waiting for
    // its latch, where it would otherwise apply it.
    handle_interrupts();
    Run run{};
    if (!take_request(run))
        return false;

    MemoryContext context = CurrentMemoryContext;
    char *refusal = nullptr;
    PG_TRY();
    {
        run.failure = move_ids_past_storage(handle_interrupts);
        create_backups(run);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        AbortCurrentTransaction();
        pgstat_report_activity(STATE_IDLE, nullptr);
        report_refusal(run, error);
        refusal = error->message;
    }
    PG_END_TRY();
    answer(run, refusal);
    if (refusal != nullptr)
        return true;

    bool any_completed = run_backups(run, handle_interrupts);
    finish_run(run);
    if (any_completed)
        rotate_after_run();
    return true;
}

} // namespace lokbackup::pg
