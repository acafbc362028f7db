// The background worker's reads and writes of the catalog tables, through SPI. Each function
// expects to run inside a transaction opened with begin_catalog_work().
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
}

#include "extension/row_storage.hpp"

namespace lokbackup::pg
{

// Sets the session's search_path to pg_catalog and pg_temp alone, for good (it outlives every
// transaction and configuration reload). The worker runs as the bootstrap superuser: a name in its
// statements must never resolve to an object that whoever may create in a schema of the default
// search_path put there (CVE-2018-1058: for a literal argument, public.nextval(text) beats
// pg_catalog.nextval(regclass)). The catalog's own relations are named with their schema.
void pin_search_path();

// Opens a transaction, connects SPI and reports `activity` in pg_stat_activity.
void begin_catalog_work(const char *activity);
void end_catalog_work();
// Runs one of the worker's chores (rotation, retried removals, the sweep), which does its catalog
// work in transactions of its own. An error in it must not stop the worker: it aborts the open
// transaction and is logged as "WARNING:  lokbackup: <what> failed: <message>".
void run_chore(void (*chore)(void *argument), void *argument, const char *what);
// Connects SPI inside the caller's transaction (for SQL functions).
void connect_catalog();
void disconnect_catalog();

// Runs one statement through SPI; raises an error unless SPI answers `expected`.
void execute(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
             int expected);
// Column `column` (from 1) of row `row` of the last result, as text (NULL for a null), in SPI's
// memory.
char *text_column(int row, int column);

// Whether CREATE EXTENSION lokbackup has run in this database.
bool catalog_installed();

struct UnfinishedBackup {
    int64 id;
    char *object_key; // may be NULL
    char *database;   // NULL for the roles dump
    char *type;
    TimestampTz started;
    char *started_at; // ISO 8601 UTC
    char *error;      // as recorded: the reason, and when it was last seen running
    char *format;     // tar: a base backup
};
// Marks every pending or in_progress backup failed with `reason`, and its copy in progress with
// it (queue_removal() removes both); returns the UnfinishedBackups.
// `followed_until_now`: the worker itself followed them until now (it is stopping), so they end
// now; otherwise (found after a crash or restart) they end when they were last seen running
// (mark_alive()), and the error says when that was.
List *fail_unfinished_backups(const char *reason, bool followed_until_now);
// Notes that backup `id` is running now (a heartbeat; see fail_unfinished_backups()).
void mark_alive(int64 id);

// Names of the databases to back up (lokbackup.databases, or every connectable non-template
// database but the scratch databases of restore drills). A listed database that cannot be backed up
// is named all the same: its backup fails alone (database_refusal()), so that it never stops the
// backups of the others.
List *databases_to_back_up();
// Why `database` cannot be backed up (it does not exist, is a template or does not allow
// connections), with what to do; NULL when it can be.
char *database_refusal(const char *database);

int64 next_run_id();
// Whether lokbackup_backups records base backups and their WAL (0.6.0).
bool catalog_records_wal_ranges();
// Whether any base backup was ever recorded (0.6.0 catalogs only).
bool base_backups_exist();
// The start_wal_file of the oldest completed base backup in `storage` (a storage spec: its
// primary's place or its completed copy's), compared on the position after the timeline; NULL
// when there is none.
char *oldest_kept_base_backup_start(const char *storage);
// What the WAL archive holds, as WAL retention measured it (oldest/newest: NULL when empty).
struct WalArchiveSizeRow {
    uint64 objects;
    uint64 bytes;
    const char *oldest_wal;
    const char *newest_wal;
};
// Replaces the one row of lokbackup_internal.wal_archive_size.
void record_wal_archive_size(const WalArchiveSizeRow &size);
// Whether the catalog has lokbackup_storage_ids, which came with 0.3.0: a server may run this
// library on an older catalog until ALTER EXTENSION lokbackup UPDATE.
bool catalog_has_storage_ids();
// The highest backup id found in storage `storage` (as Storage::describe() names it) when the
// worker listed it for this install of the catalog; -1 when it has not yet.
int64 storage_highest_id(const char *storage);
// Records the highest backup id found in `storage`, and moves the id sequence of
// lokbackup_backups past it: an earlier install of the extension may have left backups there.
void record_storage_highest_id(const char *storage, int64 highest_id);
struct NewBackup {
    int64 run_id;
    const char *type;
    const char *database; // NULL for the roles dump and a base backup
    const char *format;   // tar: a base backup of the cluster
    const char *compression;
    int compression_level;
    const char *requested_by;
    RowStorage storage; // where the backup is to be written
    // Whom it is encrypted to, as a text[] literal of fingerprints; NULL: not encrypted.
    const char *encrypted_to;
};
int64 insert_backup(const NewBackup &backup);
void set_object_key(int64 id, const char *object_key);
// `detail` is a JSON object, or NULL.
void insert_audit(const char *actor, const char *action, int64 backup_id, const char *detail);

// When the last scheduled dump (with `cluster`, base backup) was requested; 0 when there was none.
TimestampTz last_scheduled_request(bool cluster);
// When the earlier scheduled backups of `database` (NULL: the roles, or with `cluster` the base
// backups) that count for the type of the next one were requested: those completed or still
// running. Sets *count.
TimestampTz *previous_scheduled_requests(const char *database, bool cluster, int *count);

// The rows rotation looks at: every row not deleted yet.
struct RotationCandidate {
    int64 id;
    char *database; // "" for the roles dump
    char *type;
    char *status;
    TimestampTz requested_at;
    TimestampTz finished_at; // 0 when not finished
    bool pinned;
    char *object_key; // may be NULL
    bool base_backup; // contents cluster
};
RotationCandidate *rotation_candidates(int *count);
// Marks a backup deleted by rotation, with an audit row that gives the reason.
void mark_rotated(int64 id, const char *actor, const char *reason);

struct StartedBackup {
    char *database; // NULL for the roles dump
    char *object_key;
    char *format;
    char *compression;
    int compression_level;
    char *type;
    char *started_at; // ISO 8601 UTC
    RowStorage storage;
    char *encrypted_to; // the fingerprints, comma-separated; NULL: not encrypted
};
StartedBackup mark_in_progress(int64 id);
// Terminates the server sessions that the bootstrap superuser opened under `application_name`:
// those of a backup that was ended (backup_session_name()).
void end_backup_sessions(const char *application_name);
// The WAL a base backup needs, as its row records it (0.6.0); start_wal_file NULL for a dump.
struct WalRangeColumns {
    int32 timeline;
    char *start_lsn; // "0/2000028"
    char *stop_lsn;
    char *start_wal_file;
};
// `database_properties` and `inventory`: JSON, NULL for the roles and a base backup.
void mark_completed(int64 id, uint64 size, uint64 raw_size, const char *sha256,
                    const char *database_properties, const char *inventory,
                    const WalRangeColumns &wal_range);
void mark_failed(int64 id, const char *error);

// Whether the catalog has lokbackup_copies, which came with 0.7.0.
bool catalog_records_copies();
// Records that backup `id` is written to the second destination `copy` too: its row in
// lokbackup_copies, in progress. `required`: the backup completes only with the copy.
void insert_copy(int64 id, const RowStorage &copy, const char *object_key, bool required);
// The copy of backup `id` in progress was stored, with the backup's size and checksum ...
void mark_copy_completed(int64 id, uint64 size, const char *sha256);
// ... or failed with `error`.
void mark_copy_failed(int64 id, const char *error);
// Queues the removal of the copies of backup `id` alone, as queue_removal() queues the backup's
// (which queues its copies' too): what a copy that failed left in the second destination goes.
void queue_copy_removal(int64 id);

// Has the objects of backup `id` removed: a row in lokbackup_removals, written in this
// transaction so that a committed deletion is never forgotten, which the worker retries until
// storage says the objects are gone; and a first attempt once the transaction commits
// (storage_removal.hpp). A catalog not yet updated to 0.3.0 has no removal table: there the
// objects are removed from the storage in force once the transaction commits, as 0.2.0 did.
void queue_removal(int64 id, const char *object_key);

struct QueuedRemoval {
    int64 id;
    char *object_key;
    RowStorage storage;
    int attempts; // failed attempts so far
};
// The removals due for an attempt (with `all`, every one), those due longest first, at most
// `limit`; sets *count. None on a catalog not yet updated to 0.3.0.
QueuedRemoval *due_removals(bool all, int limit, int *count);
// The object keys of the pending and running backups; sets *count.
char **running_object_keys(int *count);

// Storage said the objects are gone: the removal is done.
void forget_removal(int64 id);
// The attempt failed with `error`: the next one is due in `retry_after_seconds`.
void postpone_removal(int64 id, const char *error, int64 retry_after_seconds);

} // namespace lokbackup::pg
