#include "extension/schedule_bridge.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "core/schedule/backup_type.hpp"
#include "core/schedule/cron_schedule.hpp"
#include "core/schedule/time_zone.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"

#include <vector>

namespace lokbackup::pg
{

TimestampTz next_firing(const char *schedule, TimestampTz after)
{
    if (schedule[0] == '\0')
        return 0;
    std::time_t after_time = timestamptz_to_time_t(after);
    std::time_t next = core_call([&]() -> std::time_t {
        auto when =
            CronSchedule::parse(schedule).next_after(after_time, TimeZone::named(timezone_setting));
        return when ? *when : 0;
    });
    return next == 0 ? 0 : time_t_to_timestamptz(next);
}

TimestampTz last_firing(const char *schedule, TimestampTz at)
{
    if (schedule[0] == '\0')
        return 0;
    std::time_t at_time = timestamptz_to_time_t(at);
    std::time_t last = core_call([&]() -> std::time_t {
        auto when = CronSchedule::parse(schedule).last_at_or_before(
            at_time, TimeZone::named(timezone_setting));
        return when ? *when : 0;
    });
    return last == 0 ? 0 : time_t_to_timestamptz(last);
}

const char *scheduled_backup_type_at(TimestampTz taken, const TimestampTz *previous, int count)
{
    std::time_t taken_time = timestamptz_to_time_t(taken);
    return core_call([&]() -> const char * {
        TimeZone zone = TimeZone::named(timezone_setting);
        std::vector<CivilTime> earlier;
        for (int i = 0; i < count; i++)
            earlier.push_back(zone.to_local(timestamptz_to_time_t(previous[i])));
        switch (scheduled_backup_type(zone.to_local(taken_time), earlier)) {
        case BackupType::monthly:
            return "monthly";
        case BackupType::weekly:
            return "weekly";
        default:
            return "daily";
        }
    });
}

} // namespace lokbackup::pg
