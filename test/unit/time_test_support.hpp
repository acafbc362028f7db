// Times written the way people read them, for the calendar, zone, schedule and rotation tests.
// The conversions use the C library's timegm and gmtime_r, not core's calendar code, so that
// expectations do not come from the code under test.
#pragma once

#include "core/schedule/civil_time.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>

namespace lokbackup::test
{

// "2026-03-29T01:00Z" or "2026-03-29T01:00:30Z".
inline std::time_t utc(const std::string &text)
{
    std::tm fields{};
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d%n", &fields.tm_year, &fields.tm_mon,
                    &fields.tm_mday, &fields.tm_hour, &fields.tm_min, &consumed) != 5)
        throw std::invalid_argument("not a UTC time: " + text);
    std::sscanf(text.c_str() + consumed, ":%d", &fields.tm_sec);
    fields.tm_year -= 1900;
    fields.tm_mon -= 1;
    return timegm(&fields);
}

// "2026-03-29T01:00Z": whole minutes, as schedules fire.
inline std::string utc_text(std::time_t time)
{
    std::tm fields{};
    gmtime_r(&time, &fields);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%MZ", &fields);
    return text;
}

// "2026-03-29 02:30" or "2026-03-29".
inline CivilTime local(const std::string &text)
{
    CivilTime time;
    if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d", &time.year, &time.month, &time.day, &time.hour,
                    &time.minute) < 3)
        throw std::invalid_argument("not a local time: " + text);
    return time;
}

inline std::string local_text(const CivilTime &time)
{
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", time.year, time.month,
                  time.day, time.hour, time.minute, time.second);
    return text;
}

// Sets TZ for the life of the object (the C library's zone: localtime_r() then tells what a zone
// name or a POSIX rule gives) and puts back what was there.
class ScopedTz
{
  public:
    explicit ScopedTz(const std::string &zone)
    {
        if (const char *old = std::getenv("TZ"))
            old_ = old;
        setenv("TZ", zone.c_str(), 1);
        tzset();
    }
    ~ScopedTz()
    {
        if (old_)
            setenv("TZ", old_->c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    ScopedTz(const ScopedTz &) = delete;
    ScopedTz &operator=(const ScopedTz &) = delete;

  private:
    std::optional<std::string> old_;
};

// Seconds east of UTC at `time` in the zone that TZ names.
inline long c_library_offset(std::time_t time)
{
    std::tm fields{};
    if (!localtime_r(&time, &fields))
        throw std::runtime_error("localtime_r failed");
    return fields.tm_gmtoff;
}

} // namespace lokbackup::test
