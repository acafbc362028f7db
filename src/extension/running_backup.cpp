#include "extension/running_backup.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/postmaster.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include "extension/backup_child_pipe.hpp"
#include "extension/notifier.hpp"
#include "extension/settings.hpp"
#include "extension/shared_state.hpp"
#include "extension/storage_bridge.hpp"

#include <unistd.h>

namespace lokbackup::pg
{

// The progress shown (lokbackup_running) is one running backup's: the first that asks while none
// is shown. With the roles dump alongside a database's, the database's, which starts first; when
// it ends, the roles dump's.
static void show_progress_of(const RunningBackup &running)
{
    Progress &progress = shared_state()->progress;
    SpinLockAcquire(&progress.mutex);
    if (progress.backup_id != 0) {
        SpinLockRelease(&progress.mutex);
        return;
    }
    progress.backup_id = running.id;
    strlcpy(progress.database,
            running.backup.database                        ? running.backup.database
            : is_base_backup_format(running.backup.format) ? "(cluster)"
                                                           : "(roles)",
            sizeof(progress.database));
    progress.started_at = running.started;
    progress.raw_bytes = 0;
    progress.stored_bytes = 0;
    progress.uploaded_bytes = 0;
    progress.waiting_since = 0;
    progress.storage_problem[0] = '\0';
    SpinLockRelease(&progress.mutex);
}

static void update_progress(int64 backup_id, const ChildEvent &event)
{
    Progress &progress = shared_state()->progress;
    SpinLockAcquire(&progress.mutex);
    if (progress.backup_id == backup_id) {
        progress.raw_bytes = event.raw_bytes;
        progress.stored_bytes = event.stored_bytes;
        progress.uploaded_bytes = event.uploaded_bytes;
        progress.waiting_since = event.waiting_since;
        strlcpy(progress.storage_problem, event.storage_problem ? event.storage_problem : "",
                sizeof(progress.storage_problem));
    }
    SpinLockRelease(&progress.mutex);
}

static void clear_progress(int64 backup_id)
{
    Progress &progress = shared_state()->progress;
    SpinLockAcquire(&progress.mutex);
    if (progress.backup_id == backup_id)
        progress.backup_id = 0;
    SpinLockRelease(&progress.mutex);
}

static char *describe_timeout()
{
    int seconds = backup_timeout_setting;
    if (seconds % 60 == 0)
        return psprintf("backup timed out after %d min (lokbackup.backup_timeout)", seconds / 60);
    return psprintf("backup timed out after %d s (lokbackup.backup_timeout)", seconds);
}

static void end_as_failed(RunningBackup &running, char *failure)
{
    running.ended = true;
    running.completed = false;
    running.failure = failure;
}

// Logs what the child in `slot` wrote to stderr since the last call; with `to_end` (the child is
// gone), all the rest. One LOG line each, after log_line_prefix, naming the backup by its id
// alone: the database's name may hold any byte, and the line is printable
// (core/base/log_lines.hpp).
static void log_child_stderr(int slot, const RunningBackup &running, bool to_end)
{
    List *lines = read_backup_child_stderr(slot, to_end);
    ListCell *cell;
    foreach (cell, lines)
        ereport(LOG, (errmsg("lokbackup: stderr of backup " INT64_FORMAT ": %s", running.id,
                             static_cast<const char *>(lfirst(cell)))));
}

// Kills and reaps the child in `slot` and fails its backup with `failure`.
static void fail_child(int slot, RunningBackup &running, char *failure)
{
    kill_backup_child(slot);
    wait_backup_child(slot);
    log_child_stderr(slot, running, true);
    end_as_failed(running, failure);
}

// Runs one step for the child in `slot`. An error in it (the program missing, a malformed event)
// fails this backup alone: the other child and the worker go on.
static void run_for_child(void (*step)(int, RunningBackup &), int slot, RunningBackup &running)
{
    MemoryContext context = CurrentMemoryContext;
    PG_TRY();
    {
        step(slot, running);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        fail_child(slot, running, error->message);
    }
    PG_END_TRY();
}

// pg_dump connects as the bootstrap superuser, the one role sure to see everything.
static char dump_user[NAMEDATALEN];

static void start_child(int slot, RunningBackup &running)
{
    prepare_backup_storage(running.backup.storage);
    ChildRequest request{running.id,
                         &running.backup,
                         running.copy.spec ? &running.copy : nullptr,
                         running.copy_required,
                         catalog_database_setting,
                         server_bin_directory(),
                         first_socket_directory(),
                         PostPortNumber,
                         dump_user};
    char *program = psprintf("%s/lokbackup", request.pg_bin_dir);
    running.fd = start_backup_child(slot, program, request);
    running.child_started = true;
}

// Why the backup cannot be copied to `copy`, its second destination; NULL when it can.
static char *copy_refusal(const RowStorage &copy, const RowStorage &primary)
{
    if (same_place(copy, primary))
        return psprintf("lokbackup.storage_copy (%s) is the place the backup is written to "
                        "(lokbackup.storage): set it to another directory or bucket, or to '' "
                        "for no copy, and reload the configuration",
                        copy.spec);
    if (!catalog_records_copies())
        return psprintf("lokbackup.storage_copy is set, but the catalog is older than 0.7.0 and "
                        "cannot record a copy: run ALTER EXTENSION lokbackup UPDATE in database "
                        "\"%s\"",
                        catalog_database_setting);
    return nullptr;
}

void start_backup(RunningBackup *slots, int slot, int64 id, const char *failure)
{
    RunningBackup &running = slots[slot];
    running = RunningBackup{};
    running.active = true;
    running.id = id;
    initStringInfo(&running.pending);
    MemoryContext caller = CurrentMemoryContext;
    RowStorage copy = storage_copy_in_force();

    begin_catalog_work("lokbackup: starting a backup");
    running.backup = mark_in_progress(id);
    // Checked as the backup starts, not as the run is requested: a database dropped in between
    // fails with this error too, rather than with pg_dump's.
    char *refusal = running.backup.database ? database_refusal(running.backup.database) : nullptr;
    // The copy goes in progress with the backup, so that whatever ends the backup ends it too.
    if (refusal == nullptr && copy.spec != nullptr) {
        MemoryContext spi = MemoryContextSwitchTo(caller);
        refusal = copy_refusal(copy, running.backup.storage);
        MemoryContextSwitchTo(spi);
        if (refusal == nullptr) {
            running.copy = copy;
            running.copy_required = storage_copy_required_setting;
            insert_copy(id, copy, running.backup.object_key, running.copy_required);
        }
    }
    strlcpy(dump_user, GetUserNameFromId(BOOTSTRAP_SUPERUSERID, false), sizeof(dump_user));
    end_catalog_work();
    running.started = GetCurrentTimestamp();
    running.deadline = TimestampTzPlusMilliseconds(running.started, backup_timeout_setting * 1000L);
    // Copied here, in the caller's memory: inside the catalog work it would go with SPI's.
    if (failure != nullptr)
        refusal = pstrdup(failure);
    if (refusal != nullptr) {
        end_as_failed(running, refusal);
        return;
    }
    show_progress_of(running);

    run_for_child(start_child, slot, running);
}

// Handles each complete line of `pending` (the child's events) and keeps the rest for later.
static void handle_child_output(RunningBackup &running)
{
    StringInfo pending = &running.pending;
    char *start = pending->data;
    char *newline;
    while ((newline = strchr(start, '\n')) != nullptr) {
        *newline = '\0';
        ChildEvent event = parse_child_event(start);
        if (event.kind == ChildEventKind::progress) {
            update_progress(running.id, event);
        } else {
            running.final_event = true;
            running.completed = event.kind == ChildEventKind::completed;
            running.raw_bytes = event.raw_bytes;
            running.stored_bytes = event.stored_bytes;
            running.sha256 = event.sha256;
            running.database_properties = event.database_properties;
            running.inventory = event.inventory;
            running.wal_range = event.wal_range;
            running.copy_stored = event.copy_stored;
            running.copy_error = event.copy_error;
            running.failure = running.completed ? nullptr : event.error;
            if (running.completed && running.copy.spec != nullptr && !event.copy_reported)
                running.copy_error = pstrdup("the backup process did not report the copy");
        }
        start = newline + 1;
    }
    int rest = pending->len - static_cast<int>(start - pending->data);
    memmove(pending->data, start, rest);
    pending->len = rest;
    pending->data[rest] = '\0';
}

// The child closed its stdout: reaps it and settles the outcome from its events and its exit.
static void end_child(int slot, RunningBackup &running)
{
    char *exit = wait_backup_child(slot);
    log_child_stderr(slot, running, true);
    running.ended = true;
    if (exit != nullptr && running.failure == nullptr)
        running.failure = psprintf("the backup process %s%s", exit,
                                   running.final_event ? "" : " before it finished");
    if (!running.final_event && exit == nullptr)
        running.failure = pstrdup("the backup process ended without reporting a result");
    if (running.failure != nullptr)
        running.completed = false;
}

// Reads what the child wrote; ends the backup when the child is gone.
static void read_child_output(int slot, RunningBackup &running)
{
    char chunk[4096];
    ssize_t got = read(running.fd, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR)
        return;
    if (got < 0) {
        fail_child(slot, running, psprintf("could not read the output of the backup process: %m"));
        return;
    }
    if (got == 0) {
        end_child(slot, running);
        return;
    }
    appendBinaryStringInfo(&running.pending, chunk, static_cast<int>(got));
    handle_child_output(running);
}

// Ends each backup past its deadline; returns the milliseconds until the nearest other deadline
// (-1, wait without a timeout, when there is none).
static long enforce_deadlines(RunningBackup *slots)
{
    TimestampTz now = GetCurrentTimestamp();
    long nearest = -1;
    for (int slot = 0; slot < max_backup_children; slot++) {
        RunningBackup &running = slots[slot];
        if (!running.active || running.ended)
            continue;
        long remaining_ms = TimestampDifferenceMilliseconds(now, running.deadline);
        if (remaining_ms <= 0) {
            fail_child(slot, running, describe_timeout());
        } else if (nearest < 0 || remaining_ms < nearest) {
            nearest = remaining_ms;
        }
    }
    return nearest;
}

// What pg_stat_activity shows for the worker: the backups it follows.
static void report_activity(const RunningBackup *slots)
{
    StringInfoData activity;
    initStringInfo(&activity);
    appendStringInfoString(&activity, "lokbackup: backing up");
    const char *separator = " ";
    for (int slot = 0; slot < max_backup_children; slot++) {
        const RunningBackup &running = slots[slot];
        if (!running.active || running.ended)
            continue;
        appendStringInfo(&activity, "%s%s", separator,
                         running.backup.database                        ? running.backup.database
                         : is_base_backup_format(running.backup.format) ? "the cluster"
                                                                        : "the roles");
        separator = " and ";
    }
    pgstat_report_activity(STATE_RUNNING, activity.data);
}

// How often the catalog learns that a running backup is still alive: the precision of the finish
// time of a backup that a crash interrupted (fail_unfinished_backups()).
static const long alive_interval_ms = 10 * 1000;
static TimestampTz alive_recorded_at = 0;

// Records that the running backups are alive when the last record is alive_interval_ms old;
// returns `timeout_ms` shortened to the next record's time.
static long record_alive(const RunningBackup *slots, long timeout_ms)
{
    TimestampTz now = GetCurrentTimestamp();
    long due_ms = alive_interval_ms - TimestampDifferenceMilliseconds(alive_recorded_at, now);
    if (due_ms <= 0) {
        // A heartbeat that fails costs the precision of a crash's record, never the backups.
        MemoryContext context = CurrentMemoryContext;
        PG_TRY();
        {
            begin_catalog_work("lokbackup: recording that backups are running");
            for (int slot = 0; slot < max_backup_children; slot++)
                if (slots[slot].active && !slots[slot].ended)
                    mark_alive(slots[slot].id);
            end_catalog_work();
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(context);
            ErrorData *error = CopyErrorData();
            FlushErrorState();
            AbortCurrentTransaction();
            ereport(WARNING, (errcode(error->sqlerrcode),
                              errmsg("lokbackup: could not record that backups are running: %s",
                                     error->message)));
        }
        PG_END_TRY();
        report_activity(slots);
        alive_recorded_at = now;
        due_ms = alive_interval_ms;
    }
    return timeout_ms < 0 || due_ms < timeout_ms ? due_ms : timeout_ms;
}

// An error on the worker's side (a malformed event, say) while it follows the children fails their
// backups, not the worker.
template <typename Step> static void fail_backups_on_error(RunningBackup *slots, Step step)
{
    MemoryContext context = CurrentMemoryContext;
    PG_TRY();
    {
        step();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        end_backup_children();
        for (int slot = 0; slot < max_backup_children; slot++)
            if (slots[slot].active && !slots[slot].ended)
                end_as_failed(slots[slot], error->message);
        // The error may have cut short the handling of a shutdown or reload request: the next
        // wait must not sleep through it.
        SetLatch(MyLatch);
    }
    PG_END_TRY();
}

void show_running_backups(const RunningBackup *slots)
{
    report_activity(slots);
    // A backup that ended took its progress along: another one running shows its own.
    for (int slot = 0; slot < max_backup_children; slot++)
        if (slots[slot].active && !slots[slot].ended)
            show_progress_of(slots[slot]);
}

long check_backups(RunningBackup *slots, long longest_ms)
{
    long wait_ms = longest_ms;
    fail_backups_on_error(slots, [&] {
        long deadline_ms = enforce_deadlines(slots);
        if (deadline_ms >= 0 && deadline_ms < wait_ms)
            wait_ms = deadline_ms;
        wait_ms = record_alive(slots, wait_ms);
    });
    return wait_ms;
}

void add_backup_wait_events(WaitEventSet *set, RunningBackup *slots)
{
    for (int slot = 0; slot < max_backup_children; slot++) {
        if (!slots[slot].active || slots[slot].ended)
            continue;
        AddWaitEventToSet(set, WL_SOCKET_READABLE, slots[slot].fd, nullptr, &slots[slot]);
        if (backup_child_stderr_fd(slot) >= 0)
            AddWaitEventToSet(set, WL_SOCKET_READABLE, backup_child_stderr_fd(slot), nullptr,
                              &slots[slot]);
    }
}

void handle_backup_event(RunningBackup *slots, const WaitEvent &event)
{
    auto *running = static_cast<RunningBackup *>(event.user_data);
    if (running == nullptr || running->ended)
        return;
    int slot = static_cast<int>(running - slots);
    fail_backups_on_error(slots, [&] {
        if (event.fd == running->fd)
            run_for_child(read_child_output, slot, *running);
        else
            log_child_stderr(slot, *running, false);
    });
}

bool is_base_backup_format(const char *format)
{
    return format != nullptr && strcmp(format, "tar") == 0;
}

char *backup_subject(const char *database, const char *format)
{
    if (database)
        return psprintf("database \"%s\"", database);
    return pstrdup(is_base_backup_format(format) ? "the cluster (a base backup)" : "the roles");
}

void log_backup_failure(int64 id, const char *database, const char *format, const char *error)
{
    ereport(WARNING, (errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
                      errmsg("lokbackup: backup " INT64_FORMAT " of %s failed: %s", id,
                             backup_subject(database, format), error)));
}

static void log_backup_completion(const RunningBackup &running)
{
    TimestampTz now = GetCurrentTimestamp();
    // The checksum's first 12 digits, as lokbackup list shows them: enough to tell which object a
    // notification or a verify talks about.
    ereport(LOG, (errmsg("lokbackup: backup " INT64_FORMAT " of %s completed: " UINT64_FORMAT
                         " bytes stored (" UINT64_FORMAT " dumped) in %.1f s, sha256 %.12s",
                         running.id, backup_subject(running.backup.database, running.backup.format),
                         running.stored_bytes, running.raw_bytes, (now - running.started) / 1e6,
                         running.sha256)));
}

// The copy of a completed backup: stored with the backup's size and checksum, or (an optional
// copy) failed, and what it left in the second destination removed.
static void record_copy(const RunningBackup &running)
{
    if (running.copy_stored) {
        mark_copy_completed(running.id, running.stored_bytes, running.sha256);
        return;
    }
    mark_copy_failed(running.id, running.copy_error);
    queue_copy_removal(running.id);
}

// What the log and the notification say of a completed backup whose optional copy failed: the
// destination and why (never a key: the settings' secrets are in no storage spec or error).
static char *copy_failure_of(const RunningBackup &running)
{
    if (!running.completed || running.copy.spec == nullptr || running.copy_stored)
        return nullptr;
    return psprintf("copy to %s failed: %s", running.copy.spec, running.copy_error);
}

bool record_backup(RunningBackup &running)
{
    clear_progress(running.id);
    begin_catalog_work("lokbackup: recording a backup");
    if (running.completed) {
        mark_completed(running.id, running.stored_bytes, running.raw_bytes, running.sha256,
                       running.database_properties, running.inventory, running.wal_range);
        if (running.copy.spec != nullptr)
            record_copy(running);
    } else {
        mark_failed(running.id, running.failure);
        // queue_removal() below removes what the copy left, too.
        if (running.copy.spec != nullptr)
            mark_copy_failed(running.id, running.failure);
        end_backup_sessions(backup_session_name(running.id));
        // What the failed writer left (a partial file, an open multipart upload) goes. A backup
        // refused before its child started wrote nothing: a removal would only wait on storage
        // that may be the very reason of the refusal.
        if (running.child_started)
            queue_removal(running.id, running.backup.object_key);
    }
    end_catalog_work();

    const StartedBackup &backup = running.backup;
    char *copy_failure = copy_failure_of(running);
    if (running.completed) {
        log_backup_completion(running);
        if (copy_failure != nullptr)
            ereport(
                WARNING,
                (errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
                 errmsg("lokbackup: backup " INT64_FORMAT " of %s completed, but its %s",
                        running.id, backup_subject(backup.database, backup.format), copy_failure),
                 errhint("The backup is in lokbackup.storage alone; lokbackup copy "
                         "copies it to lokbackup.storage_copy.")));
    } else {
        log_backup_failure(running.id, backup.database, backup.format, running.failure);
    }
    FinishedBackup finished{running.id,
                            backup.database,
                            is_base_backup_format(backup.format),
                            backup.type,
                            running.completed,
                            running.failure,
                            running.completed ? running.stored_bytes : 0,
                            running.completed ? running.raw_bytes : 0,
                            running.started,
                            backup.started_at,
                            running.completed ? running.sha256 : nullptr,
                            copy_failure};
    notify_finished_backup(finished);
    running.active = false;
    return running.completed;
}

} // namespace lokbackup::pg
