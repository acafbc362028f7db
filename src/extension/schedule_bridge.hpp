// The extension's calls into core's cron schedule, time zones and backup types, through
// core_call(). Times are PostgreSQL timestamps.
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace lokbackup::pg
{

// When the cron `schedule` next fires strictly after `after`, read in lokbackup.timezone; 0 when
// it is empty or never fires.
TimestampTz next_firing(const char *schedule, TimestampTz after);
// When the cron `schedule` last fired at or before `at`, read in lokbackup.timezone; 0 when it
// is empty or never fired in the 8 years before.
TimestampTz last_firing(const char *schedule, TimestampTz at);

// The type of a scheduled backup requested at `taken`, given when the earlier scheduled backups
// of the same database that count were requested: "monthly", "weekly" or "daily".
const char *scheduled_backup_type_at(TimestampTz taken, const TimestampTz *previous, int count);

} // namespace lokbackup::pg
