#include "extension/wal_archive_status.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "extension/shared_state.hpp"

namespace lokbackup::pg
{

// The archiver must not raise an error for want of shared memory: it is then not recorded.
template <typename Change> static void change_status(Change change)
{
    if (!shared_state_ready())
        return;
    WalArchiveStatus &status = shared_state()->wal_archive;
    SpinLockAcquire(&status.mutex);
    change(status);
    SpinLockRelease(&status.mutex);
}

void record_wal_archived(const char *file, uint64 raw_bytes, uint64 stored_bytes)
{
    TimestampTz now = GetCurrentTimestamp();
    change_status([&](WalArchiveStatus &status) {
        strlcpy(status.last_archived, file, sizeof status.last_archived);
        status.last_archived_at = now;
        status.archived_count++;
        status.archived_bytes += raw_bytes;
        status.stored_bytes += stored_bytes;
        status.failing_since = 0;
    });
}

void record_wal_archive_failure(const char *file, const char *error)
{
    TimestampTz now = GetCurrentTimestamp();
    change_status([&](WalArchiveStatus &status) {
        strlcpy(status.last_failed, file, sizeof status.last_failed);
        status.last_failed_at = now;
        strlcpy(status.last_error, error, sizeof status.last_error);
        if (status.failing_since == 0)
            status.failing_since = now;
    });
}

void record_wal_archive_child(int pid)
{
    change_status([&](WalArchiveStatus &status) { status.child_pid = pid; });
}

WalArchiveStatus read_wal_archive_status()
{
    WalArchiveStatus copy;
    memset(&copy, 0, sizeof copy);
    change_status([&](WalArchiveStatus &status) { copy = status; });
    return copy;
}

bool claim_wal_failure_notice(TimestampTz failing_since)
{
    bool claimed = false;
    change_status([&](WalArchiveStatus &status) {
        claimed =
            status.failing_since == failing_since && status.notified_failing_since != failing_since;
        if (claimed)
            status.notified_failing_since = failing_since;
    });
    return claimed;
}

} // namespace lokbackup::pg
