#include "extension/backup_run.hpp"

extern "C" {
#include "postgres.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/postmaster.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
}

#include "extension/backup_child.hpp"
#include "extension/catalog.hpp"
#include "extension/notifier.hpp"
#include "extension/rotation.hpp"
#include "extension/schedule_bridge.hpp"
#include "extension/settings.hpp"
#include "extension/shared_state.hpp"
#include "extension/storage_bridge.hpp"
#include "extension/storage_removal.hpp"

#include <unistd.h>

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
                     run.requested_by};
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
    }
    LWLockRelease(state->lock);
    ConditionVariableBroadcast(&state->slot_changed);
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

static void report_progress(int64 backup_id, const char *database, uint64 raw, uint64 stored)
{
    Progress &progress = shared_state()->progress;
    SpinLockAcquire(&progress.mutex);
    if (progress.backup_id != backup_id) {
        progress.backup_id = backup_id;
        strlcpy(progress.database, database ? database : "(roles)", sizeof(progress.database));
        progress.started_at = GetCurrentTimestamp();
    }
    progress.raw_bytes = raw;
    progress.stored_bytes = stored;
    SpinLockRelease(&progress.mutex);
}

static void clear_progress()
{
    Progress &progress = shared_state()->progress;
    SpinLockAcquire(&progress.mutex);
    progress.backup_id = 0;
    SpinLockRelease(&progress.mutex);
}

static char *first_socket_directory()
{
    char *copy = pstrdup(Unix_socket_directories);
    List *directories = NIL;
    if (!SplitDirectoriesString(copy, ',', &directories) || directories == NIL)
        ereport(ERROR, (errcode(ERRCODE_CONFIG_FILE_ERROR),
                        errmsg("lokbackup needs a Unix socket: unix_socket_directories is empty"),
                        errhint("pg_dump connects over the server's own Unix socket; set "
                                "unix_socket_directories.")));
    return static_cast<char *>(linitial(directories));
}

static char *server_bin_directory()
{
    char *directory = pstrdup(my_exec_path);
    get_parent_directory(directory);
    return directory;
}

// What the child's event stream said, and how the child ended.
struct ChildOutcome {
    bool completed;
    ChildEvent result;
    char *failure; // NULL when completed
};

// Splits complete lines off `pending` and handles each event; returns true after a final event.
static void handle_child_output(int64 id, const StartedBackup &backup, StringInfo pending,
                                ChildOutcome &outcome)
{
    char *start = pending->data;
    char *newline;
    while ((newline = strchr(start, '\n')) != nullptr) {
        *newline = '\0';
        ChildEvent event = parse_child_event(start);
        if (event.kind == ChildEventKind::progress) {
            report_progress(id, backup.database, event.raw_bytes, event.stored_bytes);
        } else {
            outcome.result = event;
            outcome.completed = event.kind == ChildEventKind::completed;
            outcome.failure = outcome.completed ? nullptr : event.error;
        }
        start = newline + 1;
    }
    int rest = pending->len - static_cast<int>(start - pending->data);
    memmove(pending->data, start, rest);
    pending->len = rest;
    pending->data[rest] = '\0';
}

static char *describe_timeout()
{
    int seconds = backup_timeout_setting;
    if (seconds % 60 == 0)
        return psprintf("backup timed out after %d min (lokbackup.backup_timeout)", seconds / 60);
    return psprintf("backup timed out after %d s (lokbackup.backup_timeout)", seconds);
}

// pg_dump connects as the bootstrap superuser, the one role sure to see everything.
static char dump_user[NAMEDATALEN];

// Runs the child for one backup and follows it to its end, enforcing the timeout.
static ChildOutcome follow_child(int64 id, const StartedBackup &backup, const char *storage,
                                 void (*handle_interrupts)())
{
    ChildRequest request{id,
                         &backup,
                         storage,
                         catalog_database_setting,
                         server_bin_directory(),
                         first_socket_directory(),
                         PostPortNumber,
                         dump_user};
    char *program = psprintf("%s/lokbackup", request.pg_bin_dir);
    int fd = start_backup_child(program, request);

    ChildOutcome outcome{false, {}, nullptr};
    bool final_event = false;
    StringInfoData pending;
    initStringInfo(&pending);
    TimestampTz deadline =
        TimestampTzPlusMilliseconds(GetCurrentTimestamp(), backup_timeout_setting * 1000L);
    for (;;) {
        long remaining_ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
        if (remaining_ms <= 0) {
            kill_backup_child();
            wait_backup_child();
            return ChildOutcome{false, {}, describe_timeout()};
        }
        int events = WaitLatchOrSocket(
            MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, fd,
            remaining_ms, PG_WAIT_EXTENSION);
        if (events & WL_LATCH_SET) {
            ResetLatch(MyLatch);
            handle_interrupts();
        }
        if (!(events & WL_SOCKET_READABLE))
            continue;
        char chunk[4096];
        ssize_t got = read(fd, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        appendBinaryStringInfo(&pending, chunk, static_cast<int>(got));
        handle_child_output(id, backup, &pending, outcome);
        final_event = final_event || outcome.completed || outcome.failure != nullptr;
    }

    char *exit = wait_backup_child();
    if (exit != nullptr && outcome.failure == nullptr)
        outcome.failure =
            psprintf("the backup process %s%s", exit, final_event ? "" : " before it finished");
    if (!final_event && exit == nullptr)
        outcome.failure = pstrdup("the backup process ended without reporting a result");
    if (outcome.failure != nullptr)
        outcome.completed = false;
    return outcome;
}

// Returns whether the backup completed.
static bool run_backup(int64 id, void (*handle_interrupts)())
{
    begin_catalog_work("lokbackup: starting a backup");
    StartedBackup backup = mark_in_progress(id);
    TimestampTz started = GetCurrentTimestamp();
    strlcpy(dump_user, GetUserNameFromId(BOOTSTRAP_SUPERUSERID, false), sizeof(dump_user));
    end_catalog_work();
    report_progress(id, backup.database, 0, 0);
    pgstat_report_activity(STATE_RUNNING, psprintf("lokbackup: backing up %s",
                                                   backup.database ? backup.database : "roles"));

    char *storage = storage_spec();
    MemoryContext context = CurrentMemoryContext;
    ChildOutcome outcome{false, {}, nullptr};
    PG_TRY();
    {
        outcome = follow_child(id, backup, storage, handle_interrupts);
    }
    PG_CATCH();
    {
        // Anything that went wrong on the worker's side (the program missing, a bad event) fails
        // this backup; the worker goes on.
        MemoryContextSwitchTo(context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        kill_backup_child();
        wait_backup_child();
        outcome = ChildOutcome{false, {}, error->message};
    }
    PG_END_TRY();
    clear_progress();

    begin_catalog_work("lokbackup: recording a backup");
    if (outcome.completed)
        mark_completed(id, outcome.result.stored_bytes, outcome.result.raw_bytes,
                       outcome.result.sha256);
    else
        mark_failed(id, outcome.failure);
    end_catalog_work();

    if (!outcome.completed) {
        ereport(LOG, (errmsg("lokbackup: backup " INT64_FORMAT " of %s failed: %s", id,
                             backup.database ? backup.database : "the roles", outcome.failure)));
        remove_now(backup.object_key);
    }
    FinishedBackup finished{id,
                            backup.database,
                            backup.type,
                            outcome.completed,
                            outcome.failure,
                            outcome.completed ? outcome.result.stored_bytes : 0,
                            outcome.completed ? outcome.result.raw_bytes : 0,
                            started,
                            backup.started_at};
    notify_finished_backup(finished);
    return outcome.completed;
}

bool serve_request(void (*handle_interrupts)())
{
    Run run{};
    if (!take_request(run))
        return false;

    MemoryContext context = CurrentMemoryContext;
    char *refusal = nullptr;
    PG_TRY();
    {
        create_backups(run);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        AbortCurrentTransaction();
        refusal = error->message;
    }
    PG_END_TRY();
    answer(run, refusal);
    if (refusal != nullptr)
        return true;

    bool any_completed = false;
    for (int i = 0; i < run.backup_count; i++)
        any_completed = run_backup(run.backup_ids[i], handle_interrupts) || any_completed;
    finish_run(run);
    if (any_completed)
        rotate_after_run();
    return true;
}

} // namespace lokbackup::pg
