#include "extension/run.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include "extension/backup_child_pipe.hpp"
#include "extension/base_backup_check.hpp"
#include "extension/catalog.hpp"
#include "extension/encryption_bridge.hpp"
#include "extension/notifier.hpp"
#include "extension/request_slot.hpp"
#include "extension/rotation.hpp"
#include "extension/running_backup.hpp"
#include "extension/schedule_bridge.hpp"
#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"
#include "extension/storage_ids.hpp"
#include "extension/wal_retention.hpp"

namespace lokbackup::pg
{

// A run first lists its storage, when the ids there are not known yet (storage_ids.hpp); then
// its rows are created and its backups run; then it is over.
enum class RunPhase { listing, backing_up, over };

struct Run {
    RunPhase phase;
    Request request;
    int64 run_id;
    int backup_count;
    int64 *backup_ids;
    RowStorage storage; // the storage in force as the run's rows are created
    char *encrypted_to; // and whom their objects are encrypted to (NULL: nobody)
    char *failure;      // why every backup of the run fails before it starts; NULL: none
    int next;           // backup_ids[next] is the next to start
    bool any_completed;
};

// Everything of the run in progress is allocated in run_context, which goes with the run; NULL
// while there is none.
static MemoryContext run_context = nullptr;
static Run run;

// The roles dump is small and reads no database: it runs alongside the first database's backup
// instead of before it, which takes its tenth of a second off every run. The databases are backed
// up one at a time, so that a run never puts more than one pg_dump's load on the server.
static RunningBackup backups[max_backup_children];
static const int roles_slot = 0;
static const int database_slot = 1;

bool run_in_progress()
{
    return run_context != nullptr;
}

// The type of one backup of the run: the run's own, or for a scheduled run daily, weekly or
// monthly by what came before for this database (the roles; the cluster's base backups).
static const char *backup_type(const Run &run, const char *database, const char *format)
{
    if (strcmp(run.request.type, scheduled_run_type) != 0)
        return run.request.type;
    int count = 0;
    TimestampTz *previous =
        previous_scheduled_requests(database, is_base_backup_format(format), &count);
    return scheduled_backup_type_at(run.request.requested_at, previous, count);
}

static int64 create_backup(Run &run, const char *database, const char *format)
{
    const char *type = backup_type(run, database, format);
    NewBackup backup{run.run_id,
                     type,
                     database,
                     format,
                     compression_setting_name(),
                     compression_level_setting,
                     run.request.requested_by,
                     run.storage,
                     run.encrypted_to};
    int64 id = insert_backup(backup);
    ObjectKeyFields key{database,
                        type,
                        run.request.requested_at,
                        id,
                        format,
                        backup.compression,
                        run.encrypted_to != nullptr};
    set_object_key(id, object_key_for(key));
    insert_audit(run.request.requested_by, "run", id,
                 psprintf("{\"run_id\": " INT64_FORMAT ", \"type\": \"%s\"}", run.run_id, type));
    return id;
}

// A physical run is one base backup of the cluster: one row, contents cluster.
static void create_base_backup(Run &run)
{
    check_base_backup_possible();
    run.run_id = next_run_id();
    run.storage = storage_in_force();
    run.encrypted_to = encrypted_to_in_force();
    run.backup_ids = static_cast<int64 *>(MemoryContextAlloc(run_context, sizeof(int64)));
    run.backup_count = 0;
    run.backup_ids[run.backup_count++] = create_backup(run, nullptr, "tar");
}

// Creates the run's catalog rows in one transaction: for a logical run, the roles dump first,
// then each database.
static void create_backups(Run &run)
{
    begin_catalog_work("lokbackup: creating backups");
    check_compression_level(compression_setting_name(), compression_level_setting);
    if (run.request.kind == RunKind::physical) {
        create_base_backup(run);
        end_catalog_work();
        return;
    }
    List *databases = databases_to_back_up();
    int count = list_length(databases) + 1;
    if (count > max_backups_per_run)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("a run can back up at most %d databases, %d are configured",
                               max_backups_per_run - 1, count - 1),
                        errhint("Name fewer databases in lokbackup.databases.")));
    run.run_id = next_run_id();
    run.storage = storage_in_force();
    run.encrypted_to = encrypted_to_in_force();
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
static void report_refusal(const Request &request, const ErrorData *error)
{
    bool scheduled = strcmp(request.type, scheduled_run_type) == 0;
    ereport(WARNING,
            (errcode(error->sqlerrcode),
             errmsg("lokbackup: the %s backup run requested by %s at %s was refused: %s",
                    scheduled ? "scheduled" : request.type, request.requested_by,
                    timestamptz_to_str(request.requested_at), error->message),
             scheduled ? errdetail("No backup was made; the notification targets "
                                   "(lokbackup.notify_email, lokbackup.notify_webhook) are told.")
                       : errdetail("No backup was made."),
             error->hint ? errhint("%s", error->hint) : 0));
    if (scheduled)
        notify_missed_run(request.requested_at, "refused", error->message);
}

// Tells the slot that a backup of the run failed, for a caller waiting for the run's end.
static void note_failure(const RunningBackup &running)
{
    note_failed_backup(psprintf(INT64_FORMAT " of %s", running.id,
                                backup_subject(running.backup.database, running.backup.format)),
                       running.failure);
}

// Runs `step` of the run's preparation. An error in it refuses the request: no backup is made,
// and the run is over.
template <typename Step> static void refuse_on_error(Step step)
{
    PG_TRY();
    {
        step();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(run_context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        AbortCurrentTransaction();
        pgstat_report_activity(STATE_IDLE, nullptr);
        report_refusal(run.request, error);
        refuse_request(run.request.seq, error->message);
        run.phase = RunPhase::over;
    }
    PG_END_TRY();
}

// create_backups() put the roles dump first. The first database's backup starts before it: its
// start matters more to the run's length. A physical run's one base backup runs in the first
// slot alone.
static void start_first_backups()
{
    if (run.backup_count > 1)
        start_backup(backups, database_slot, run.backup_ids[1], run.failure);
    start_backup(backups, roles_slot, run.backup_ids[0], run.failure);
    run.next = run.backup_count > 1 ? 2 : 1;
    show_running_backups(backups);
}

// Creates the run's rows and answers the caller. `failure`: why every backup of the run fails
// before it starts (NULL: none).
static void begin_backups(char *failure)
{
    refuse_on_error([failure] {
        run.failure = failure;
        create_backups(run);
    });
    if (run.phase == RunPhase::over)
        return;
    answer_request(run.request.seq, run.run_id, run.backup_ids, run.backup_count);
    run.phase = RunPhase::backing_up;
    start_first_backups();
}

// Takes the request waiting in the slot, if there is one, and starts its run.
static bool take_run()
{
    Request request;
    if (!take_request(request))
        return false;
    run_context = AllocSetContextCreate(TopMemoryContext, "lokbackup run", ALLOCSET_DEFAULT_SIZES);
    MemoryContext caller = MemoryContextSwitchTo(run_context);
    run = Run{};
    run.request = request;
    run.phase = RunPhase::listing;
    bool listing = false;
    refuse_on_error([&listing] { listing = start_storage_listing(); });
    if (run.phase == RunPhase::listing && !listing)
        begin_backups(nullptr);
    MemoryContextSwitchTo(caller);
    return true;
}

static long advance_listing(long longest_ms)
{
    long remaining_ms = storage_listing_remaining_ms();
    if (storage_listing_fd() >= 0 && remaining_ms > 0)
        return Min(longest_ms, remaining_ms);
    char *failure = nullptr;
    refuse_on_error([&failure] { failure = finish_storage_listing(); });
    if (run.phase == RunPhase::listing)
        begin_backups(failure);
    return 0;
}

static bool any_ended()
{
    for (const RunningBackup &running : backups)
        if (running.active && running.ended)
            return true;
    return false;
}

// Records the backups that ended and starts the next database's; returns whether the run goes on.
static bool record_and_start()
{
    bool changed = false;
    for (RunningBackup &running : backups)
        if (running.active && running.ended) {
            if (record_backup(running))
                run.any_completed = true;
            else
                note_failure(running);
            changed = true;
        }
    if (!backups[database_slot].active && run.next < run.backup_count) {
        start_backup(backups, database_slot, run.backup_ids[run.next++], run.failure);
        changed = true;
    }
    if (changed)
        show_running_backups(backups);
    return backups[roles_slot].active || backups[database_slot].active;
}

static void finish_run()
{
    finish_request(run.request.seq);
    if (run.any_completed) {
        rotate_after_run();
        retain_wal_after_rotation();
    }
}

// Ends backups past their deadline, records those that ended and starts the next; returns how long
// the worker may wait.
static long advance_backups(long longest_ms)
{
    long wait_ms = check_backups(backups, longest_ms);
    if (record_and_start())
        return any_ended() ? 0 : wait_ms;
    finish_run();
    run.phase = RunPhase::over;
    return 0;
}

long advance_run(long longest_ms)
{
    if (!run_in_progress() && !take_run())
        return longest_ms;
    MemoryContext caller = MemoryContextSwitchTo(run_context);
    long wait_ms = 0;
    if (run.phase == RunPhase::listing)
        wait_ms = advance_listing(longest_ms);
    else if (run.phase == RunPhase::backing_up)
        wait_ms = advance_backups(longest_ms);
    MemoryContextSwitchTo(caller);
    if (run.phase != RunPhase::over)
        return wait_ms;
    MemoryContextDelete(run_context);
    run_context = nullptr;
    // The schedule may be due, or a request waiting: look again at once.
    return 0;
}

void add_run_wait_events(WaitEventSet *set)
{
    if (!run_in_progress())
        return;
    if (run.phase == RunPhase::listing && storage_listing_fd() >= 0)
        AddWaitEventToSet(set, WL_SOCKET_READABLE, storage_listing_fd(), nullptr, nullptr);
    else if (run.phase == RunPhase::backing_up)
        add_backup_wait_events(set, backups);
}

void handle_run_events(const WaitEvent *events, int count)
{
    if (!run_in_progress())
        return;
    MemoryContext caller = MemoryContextSwitchTo(run_context);
    for (int i = 0; i < count; i++) {
        if (!(events[i].events & WL_SOCKET_READABLE))
            continue;
        if (run.phase == RunPhase::listing && events[i].fd == storage_listing_fd())
            read_storage_listing();
        else if (run.phase == RunPhase::backing_up)
            handle_backup_event(backups, events[i]);
    }
    MemoryContextSwitchTo(caller);
}

} // namespace lokbackup::pg
