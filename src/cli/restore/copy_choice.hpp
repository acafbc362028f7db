// Which copy of a backup a restore reads: the first, in the catalog's order (primary first), that
// passes a check. A backup with a second destination restores from it when its primary object is
// missing, damaged or cannot be read.
#pragma once

#include "cli/restore/backup_plan.hpp"

#include <functional>
#include <string>
#include <vector>

namespace lokbackup::cli
{

// Throws an Error (BackupDamaged when the copy is missing or not what was backed up) for a copy
// that must not be used.
using CopyCheck = std::function<void(const BackupCopy &copy)>;

// Runs `check` on each of plan.copies in turn, makes the first that passes the plan's location
// and manifest_location, and returns it; for each one passed over, a line for `notes` says why and
// which copy is tried next. When none passes, throws BackupDamaged (when every copy is damaged)
// or Error naming each copy and what was wrong with it. A plan with one copy, or none (--from, a
// catalog older than 0.7.0: its location, returned with an empty storage), runs `check` on it and
// lets its error through as it is.
BackupCopy choose_copy(BackupPlan &plan, const CopyCheck &check, std::vector<std::string> &notes);

// "the primary copy at /var/backups", "the copy at s3://bucket/prefix"
std::string describe_copy(const BackupCopy &copy);

} // namespace lokbackup::cli
