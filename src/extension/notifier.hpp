// Notices of finished backups and of scheduled runs that made none (lokbackup.notify_*): the worker
// starts `lokbackup notify` for each and does not wait for it, so that a slow or failing mail
// server or webhook never delays or fails a backup. The notifier reports failed deliveries in the
// server log.
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace lokbackup::pg
{

struct FinishedBackup {
    int64 id;
    const char *database; // NULL for the roles dump and a base backup
    bool base_backup;
    const char *type;
    bool completed;
    const char *error; // NULL when it completed
    uint64 size;
    uint64 raw_size;
    TimestampTz started;
    const char *started_at; // ISO 8601 UTC
    const char *sha256;     // NULL when it failed
    // Completed, but its optional copy in the second destination failed: where and why; NULL
    // otherwise.
    const char *copy_failure;
};

// Notifies a failed backup, a completed one whose copy failed, and any completed one when
// lokbackup.notify_on = always, to the targets configured; does nothing when there are none.
void notify_finished_backup(const FinishedBackup &backup);
// Notifies, whatever lokbackup.notify_on says, that the scheduled run due at `due` made no backup:
// `status` says what became of it ("refused", "skipped", "not run"), `reason` why.
void notify_missed_run(TimestampTz due, const char *status, const char *reason);
struct FailedDrill {
    int64 drill_id;
    int64 backup_id;
    const char *database;
    const char *status; // "failed", or "could not run"
    const char *failed_check;
    TimestampTz started;
};
// Notifies, whatever lokbackup.notify_on says, that a restore drill failed or could not run.
void notify_failed_drill(const FailedDrill &drill);
// Notifies, whatever lokbackup.notify_on says, that archiving WAL has been failing since `since`:
// `file` is the last that failed, `error` why.
void notify_wal_archive_failure(const char *file, TimestampTz since, const char *error);
// Reaps notifiers that have exited.
void reap_notifiers();

} // namespace lokbackup::pg
