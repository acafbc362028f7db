// Rotation: which catalog rows the retention policy removes.
//
// Rules, per database (the roles dump counts as a database of its own, and so do the base backups
// of the cluster):
// - a completed daily backup is removed once older than retain_daily days, a weekly one once older
//   than retain_weekly weeks, a monthly one once older than retain_monthly calendar months;
// - never a manual backup, never a pinned one, and never a database's newest completed backup
//   (of any type), so a database whose backups have all expired, say after weeks of failures,
//   keeps its newest one;
// - a failed backup (manual ones too: a failed backup holds no data to keep) is cleaned once
//   older than retain_daily days: its leftovers in storage are removed and its row marked
//   deleted. Not at once, so that recent failures and their errors stay listed with the backups
//   they sit between; the worker already removes what a failing backup wrote, so what is left
//   is rare;
// - pending, in_progress and deleted rows are never touched.
// Ages count from finished_at (requested_at when there is none) to `now`, in calendar terms in
// the schedule's time zone: "older than 7 days" means before the same wall-clock time 7 days
// ago, across daylight-saving changes, so a daily backup's lifetime does not depend on the season.
#pragma once

#include "core/schedule/backup_type.hpp"
#include "core/schedule/time_zone.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

enum class BackupStatus { pending, in_progress, completed, failed, deleted };

// Throws InvalidValue naming the allowed values.
BackupStatus parse_backup_status(std::string_view name);

// As much of a catalog row as rotation needs.
struct CatalogBackup {
    std::int64_t id = 0;
    std::string database;     // empty: the roles dump or a base backup
    bool base_backup = false; // a base backup of the cluster: a group of their own
    BackupType type = BackupType::daily;
    BackupStatus status = BackupStatus::completed;
    std::time_t requested_at = 0;
    std::optional<std::time_t> finished_at;
    bool pinned = false;
    bool has_object = false; // the row names an object key: storage may hold something of it
};

// Every setting is at least 1: there is no "keep forever" value (pin a backup to keep it), and
// 0 would delete each backup as soon as a newer one completed.
struct RetentionPolicy {
    int retain_daily = 7;    // days, 1-36500
    int retain_weekly = 4;   // weeks, 1-5200
    int retain_monthly = 12; // calendar months, 1-1200
};

// Throws InvalidValue naming the setting and its range.
void check_retention_policy(const RetentionPolicy &policy);

struct Expiry {
    std::int64_t id = 0;
    std::string reason; // "daily backup older than 7 days"
};

// The rows to remove, by ascending id. Throws InvalidValue for a policy out of range.
std::vector<Expiry> plan_retention(const std::vector<CatalogBackup> &backups, std::time_t now,
                                   const RetentionPolicy &policy, const TimeZone &zone);

} // namespace lokbackup
