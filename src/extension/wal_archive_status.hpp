// What the archiver publishes in shared memory about WAL archiving (archive_library =
// 'lokbackup'): lokbackup_wal_status() reads it, and the worker notifies a failure that lasts
// (wal_failure_notice.cpp). It is reset by a server restart; pg_stat_archiver keeps the counts
// that survive one.
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "storage/spin.h"
}

namespace lokbackup::pg
{

constexpr int wal_file_name_size = 64; // MAXFNAMELEN: a name in pg_wal
constexpr int wal_error_size = 512;

struct WalArchiveStatus {
    slock_t mutex;
    char last_archived[wal_file_name_size]; // "": none since the server started
    TimestampTz last_archived_at;
    uint64 archived_count; // files archived (stored, or found stored) since the server started
    uint64 archived_bytes; // their bytes as PostgreSQL wrote them
    uint64 stored_bytes;   // what was written to storage for them (compressed, encrypted)
    char last_failed[wal_file_name_size];
    TimestampTz last_failed_at;
    char last_error[wal_error_size];
    TimestampTz failing_since;          // 0: the last attempt succeeded
    TimestampTz notified_failing_since; // the episode the worker notified (its failing_since)
    int child_pid;                      // 0: no WAL archive child runs
};

// Called by the archiver.
void record_wal_archived(const char *file, uint64 raw_bytes, uint64 stored_bytes);
void record_wal_archive_failure(const char *file, const char *error);
void record_wal_archive_child(int pid);

// A copy; all zero when lokbackup is not in shared_preload_libraries.
WalArchiveStatus read_wal_archive_status();
// Marks the episode that began at `failing_since` as notified; returns false when it was
// already, or has ended.
bool claim_wal_failure_notice(TimestampTz failing_since);

} // namespace lokbackup::pg
