#include "core/schedule/retention.hpp"

#include "core/base/error.hpp"

#include <algorithm>
#include <map>

namespace lokbackup
{

namespace
{

std::string count_of(int count, const char *unit)
{
    return std::to_string(count) + " " + unit + (count == 1 ? "" : "s");
}

void check_setting(const char *name, int value, int max, const char *unit)
{
    if (value < 1 || value > max)
        throw InvalidValue(std::string(name) + " is " + std::to_string(value) +
                           "; it must be between 1 and " + std::to_string(max) + " " + unit +
                           "s (there is no \"keep forever\": pin a backup to keep it)");
}

std::time_t finished_or_requested(const CatalogBackup &backup)
{
    return backup.finished_at.value_or(backup.requested_at);
}

// A backup expires when it is older than `age`: when it finished before the cutoff.
struct Age {
    std::time_t cutoff;
    std::string description; // "7 days"
};

class AgeLimits
{
  public:
    AgeLimits(std::time_t now, const RetentionPolicy &policy, const TimeZone &zone)
        : zone_(zone), now_(zone.to_local(now)), daily_{days_ago(policy.retain_daily),
                                                        count_of(policy.retain_daily, "day")},
          weekly_{days_ago(policy.retain_weekly * 7), count_of(policy.retain_weekly, "week")},
          monthly_{at(add_months(now_, -policy.retain_monthly)),
                   count_of(policy.retain_monthly, "month")}
    {
    }

    const Age &of(BackupType type) const
    {
        return type == BackupType::monthly  ? monthly_
               : type == BackupType::weekly ? weekly_
                                            : daily_;
    }

  private:
    std::time_t at(const CivilTime &local) const { return zone_.to_utc(local).earliest; }
    std::time_t days_ago(int days) const
    {
        return at(civil_from_seconds(seconds_from_civil(now_) - std::int64_t(days) * 86400));
    }

    const TimeZone &zone_;
    CivilTime now_;
    Age daily_, weekly_, monthly_;
};

} // namespace

BackupStatus parse_backup_status(std::string_view name)
{
    static const std::pair<std::string_view, BackupStatus> statuses[] = {
        {"pending", BackupStatus::pending},     {"in_progress", BackupStatus::in_progress},
        {"completed", BackupStatus::completed}, {"failed", BackupStatus::failed},
        {"deleted", BackupStatus::deleted},
    };
    for (const auto &[status_name, status] : statuses)
        if (name == status_name)
            return status;
    throw InvalidValue("invalid backup status \"" + std::string(name) +
                       "\": use pending, in_progress, completed, failed or deleted");
}

void check_retention_policy(const RetentionPolicy &policy)
{
    check_setting("retain_daily", policy.retain_daily, 36500, "day");
    check_setting("retain_weekly", policy.retain_weekly, 5200, "week");
    check_setting("retain_monthly", policy.retain_monthly, 1200, "month");
}

std::vector<Expiry> plan_retention(const std::vector<CatalogBackup> &backups, std::time_t now,
                                   const RetentionPolicy &policy, const TimeZone &zone)
{
    check_retention_policy(policy);
    AgeLimits limits(now, policy, zone);

    // Keeping each database's newest completed backup is also what keeps every database with at
    // least one completed backup.
    std::map<std::pair<bool, std::string>, const CatalogBackup *> newest_completed;
    auto group = [](const CatalogBackup &b) { return std::make_pair(b.base_backup, b.database); };
    for (const CatalogBackup &backup : backups) {
        if (backup.status != BackupStatus::completed)
            continue;
        const CatalogBackup *&newest = newest_completed[group(backup)];
        auto order = [](const CatalogBackup &b) {
            return std::make_pair(finished_or_requested(b), b.id);
        };
        if (!newest || order(backup) > order(*newest))
            newest = &backup;
    }

    std::vector<Expiry> expired;
    for (const CatalogBackup &backup : backups) {
        if (backup.pinned)
            continue;
        std::time_t time = finished_or_requested(backup);
        if (backup.status == BackupStatus::completed && backup.type != BackupType::manual &&
            newest_completed[group(backup)] != &backup) {
            const Age &age = limits.of(backup.type);
            if (time < age.cutoff)
                expired.push_back({backup.id, std::string(backup_type_name(backup.type)) +
                                                  " backup older than " + age.description});
        } else if (backup.status == BackupStatus::failed) {
            const Age &age = limits.of(BackupType::daily);
            if (time < age.cutoff)
                expired.push_back(
                    {backup.id, "failed backup older than " + age.description +
                                    (backup.has_object ? ": its leftovers are removed" : "")});
        }
    }
    std::sort(expired.begin(), expired.end(),
              [](const Expiry &a, const Expiry &b) { return a.id < b.id; });
    return expired;
}

} // namespace lokbackup
