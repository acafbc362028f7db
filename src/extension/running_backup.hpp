// One backup of a run, from its start to its recorded end: the row goes in_progress and a child
// is started for it (backup_child_pipe.hpp); the worker follows the child's events, shows its
// progress and enforces lokbackup.backup_timeout; then the outcome is recorded in the catalog and
// notified. A run (run.hpp) has up to max_backup_children backups running at once, each in a slot
// of its own.
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "storage/latch.h"
}

#include "extension/catalog.hpp"

namespace lokbackup::pg
{

struct RunningBackup {
    bool active; // the slot holds a backup that has not been recorded yet
    bool ended;  // its child is gone and `completed`/`failure` say how it went
    int64 id;
    StartedBackup backup;
    TimestampTz started;
    TimestampTz deadline;
    bool child_started; // a child ran, so storage may hold what it wrote
    int fd;             // the child's stdout
    StringInfoData pending;
    bool final_event;
    bool completed;
    uint64 raw_bytes;
    uint64 stored_bytes;
    char *sha256;
    char *database_properties; // JSON, NULL for the roles
    char *inventory;           // JSON, NULL for the roles
    WalRangeColumns wal_range; // of a base backup
    char *failure;             // NULL when completed
    RowStorage copy;           // the second destination; spec NULL: none
    bool copy_required;        // lokbackup.storage_copy_required as the backup started
    bool copy_stored;          // completed: the copy is stored too
    char *copy_error;          // completed, the copy not stored: why (NULL: it was)
};

// Marks backup `id` in progress and starts its child in `slot`, which must be inactive. When the
// child cannot start, or `failure` is given (why the whole run cannot be made), the backup ends at
// once as failed.
void start_backup(RunningBackup *slots, int slot, int64 id, const char *failure);

// Following the running backups is part of the worker's wait (run.hpp). An error on the worker's
// side in these (a malformed event, say) ends them all as failed: it fails the backups, not the
// worker.

// Shows the running backups in pg_stat_activity and lokbackup_running.
void show_running_backups(const RunningBackup *slots);
// Ends the backups past their deadline and records that the others are alive; returns how long
// the worker may wait before it must look again (at most `longest_ms`).
long check_backups(RunningBackup *slots, long longest_ms);
// Adds the outputs of the running children to `set`, with their slot as user data.
void add_backup_wait_events(WaitEventSet *set, RunningBackup *slots);
// Reads what a child wrote, for an event that add_backup_wait_events() added (others are ignored).
void handle_backup_event(RunningBackup *slots, const WaitEvent &event);

// Records the outcome of an ended backup, logs and notifies it, and frees its slot; returns
// whether the backup completed. What a failed backup left in storage is the caller's to remove.
bool record_backup(RunningBackup &backup);

// What a backup of `database` (NULL: the roles) is of, in messages: database "app", the roles.
char *backup_subject(const char *database, const char *format);
// Whether a row's format is a base backup's (tar).
bool is_base_backup_format(const char *format);
// Logs a failed backup as a WARNING with an SQLSTATE, so that a watch for warnings and errors in
// the server log sees every failure.
void log_backup_failure(int64 id, const char *database, const char *format, const char *error);

} // namespace lokbackup::pg
