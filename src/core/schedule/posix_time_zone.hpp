// The POSIX TZ rule that ends a TZif file ("CET-1CEST,M3.5.0,M10.5.0/3"): it gives the offset
// from UTC for instants after the file's last listed transition. Internal to time_zone.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lokbackup
{

class PosixTimeZone
{
  public:
    // The form RFC 8536 allows (POSIX plus transition hours from -167 to 167); throws Error.
    static PosixTimeZone parse(std::string_view text);

    // Seconds east of UTC at `instant` (seconds since the epoch).
    int utc_offset(std::int64_t instant) const;

  private:
    // The day of a transition: "Jn" (1-365, 29 February never counted), "n" (0-365) or "Mm.w.d"
    // (day d, 0 = Sunday, of week w of month m, week 5 meaning the last).
    struct Date {
        enum class Kind { julian_without_leap_day, julian, month_week_day };
        Kind kind = Kind::month_week_day;
        int day = 0; // Jn and n
        int month = 0, week = 0, weekday = 0;
        int time = 7200; // seconds after local midnight; may be negative or beyond a day
    };
    struct DaylightSaving {
        int utc_offset = 0;
        Date start; // in standard time
        Date end;   // in daylight-saving time
    };

    class Parser;
    static std::int64_t local_seconds(const Date &date, int year);

    int standard_offset_ = 0;
    std::optional<DaylightSaving> daylight_saving_;
};

} // namespace lokbackup
