#include "extension/wal_failure_notice.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "extension/notifier.hpp"
#include "extension/settings.hpp"
#include "extension/wal_archive_status.hpp"

namespace lokbackup::pg
{

void notify_lasting_wal_failure()
{
    if (wal_failure_notify_after_setting == 0)
        return;
    WalArchiveStatus status = read_wal_archive_status();
    if (status.failing_since == 0 || status.notified_failing_since == status.failing_since)
        return;
    TimestampTz due = TimestampTzPlusMilliseconds(
        status.failing_since, static_cast<int64>(wal_failure_notify_after_setting) * 1000);
    if (GetCurrentTimestamp() < due || !claim_wal_failure_notice(status.failing_since))
        return;
    ereport(
        WARNING,
        (errmsg("lokbackup: WAL archiving has been failing since %s; the last failure, of "
                "file \"%s\": %s",
                timestamptz_to_str(status.failing_since), status.last_failed, status.last_error),
         errhint("WAL piles up in pg_wal until archiving works again; lokbackup_wal_status "
                 "shows the state.")));
    notify_wal_archive_failure(status.last_failed, status.failing_since, status.last_error);
}

} // namespace lokbackup::pg
