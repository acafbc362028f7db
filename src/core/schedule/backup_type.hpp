// Backup types: what a scheduled backup counts as for rotation (retention.hpp), and manual ones.
#pragma once

#include "core/base/vocabulary.hpp"
#include "core/schedule/civil_time.hpp"

#include <string_view>
#include <vector>

namespace lokbackup
{

enum class BackupType { daily, weekly, monthly, manual };

// daily, weekly, monthly, manual: the catalog's, the manifest's and lokbackup_run()'s names.
const Vocabulary<BackupType> &backup_type_vocabulary();
// Throws InvalidValue naming the allowed values.
BackupType parse_backup_type(std::string_view name);
std::string_view backup_type_name(BackupType type);

// The type of a scheduled backup taken at local time `taken`, given the local times of the earlier
// scheduled backups that count (the caller picks them: of the same database, completed or
// running): monthly when none of them is in the same calendar month, else weekly when none is in
// the same ISO 8601 week (Monday to Sunday; 2026-12-31 and 2027-01-01 share week 53 of 2026),
// else daily. So the first backup of a month is monthly even when the server was down on the 1st,
// and a month or week whose first backup failed gets its monthly or weekly from the next one.
BackupType scheduled_backup_type(const CivilTime &taken, const std::vector<CivilTime> &previous);

} // namespace lokbackup
