#include "core/schedule/backup_type.hpp"

#include "core/base/error.hpp"

#include <algorithm>
#include <string>

namespace lokbackup
{

namespace
{

bool same_month(const CivilTime &a, const CivilTime &b)
{
    return a.year == b.year && a.month == b.month;
}

bool same_iso_week(const CivilTime &a, const CivilTime &b)
{
    IsoWeek week_a = iso_week(a.year, a.month, a.day);
    IsoWeek week_b = iso_week(b.year, b.month, b.day);
    return week_a.year == week_b.year && week_a.week == week_b.week;
}

} // namespace

const Vocabulary<BackupType> &backup_type_vocabulary()
{
    static const Vocabulary<BackupType> vocabulary("backup type", {{BackupType::daily, "daily"},
                                                                   {BackupType::weekly, "weekly"},
                                                                   {BackupType::monthly, "monthly"},
                                                                   {BackupType::manual, "manual"}});
    return vocabulary;
}

BackupType parse_backup_type(std::string_view name)
{
    return backup_type_vocabulary().parse(name);
}

std::string_view backup_type_name(BackupType type)
{
    return backup_type_vocabulary().name(type);
}

BackupType scheduled_backup_type(const CivilTime &taken, const std::vector<CivilTime> &previous)
{
    auto any = [&](bool (*same)(const CivilTime &, const CivilTime &)) {
        return std::any_of(previous.begin(), previous.end(),
                           [&](const CivilTime &earlier) { return same(taken, earlier); });
    };
    if (!any(same_month))
        return BackupType::monthly;
    if (!any(same_iso_week))
        return BackupType::weekly;
    return BackupType::daily;
}

} // namespace lokbackup
