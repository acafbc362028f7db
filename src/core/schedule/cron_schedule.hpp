// When scheduled backups run: a cron expression, read in a time zone.
//
// Five fields, minute hour day-of-month month day-of-week, separated by blanks. Each field is a
// comma-separated list of `*`, `N`, `N-M`, `*/S` or `N-M/S`; months may be written JAN-DEC and
// days of the week SUN-SAT (any case), and day-of-week 7 is Sunday like 0. The macros @yearly
// (@annually), @monthly, @weekly, @daily (@midnight) and @hourly stand for the whole expression.
//
// Days follow Vixie cron (cronie): when day-of-month and day-of-week are both restricted, a day
// matches when either does ("0 3 1 * MON": the 1st and every Monday). A field that starts with
// `*` (`*`, `*/2`) counts as unrestricted, so that "0 3 */2 * MON" means odd days that are
// Mondays.
//
// Daylight-saving changes, for the local times the schedule names:
// - a local time the clocks skip (spring forward: 02:30 in Berlin on the last Sunday of March)
//   fires once, at the first instant after the gap (03:00 CEST), as cronie does for jobs inside
//   the skipped hour; a schedule that also names a time at the end of the gap fires once then;
// - a local time the clocks show twice (fall back: 02:30 on the last Sunday of October) fires
//   only at its first occurrence (02:30 CEST), never again in the repeated hour, so a backup is
//   never taken twice for one local time.
#pragma once

#include "core/schedule/time_zone.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

namespace lokbackup
{

class CronSchedule
{
  public:
    // Throws InvalidValue whose message quotes the expression and names the bad field, e.g.
    // invalid schedule "0 25 * * *": hour field "25" is out of range 0-23
    static CronSchedule parse(std::string_view expression);

    // The first minute strictly after `after` at which the schedule fires in `zone`; nullopt when
    // it never fires within 8 years (a schedule for 30 February; 29 February waits 8 years around
    // 2100).
    std::optional<std::time_t> next_after(std::time_t after, const TimeZone &zone) const;
    // The latest minute at or before `at` at which the schedule fired in `zone`, by the same rules
    // (so next_after() of the instant before it is it); nullopt when it never fired within the 8
    // years before. How late a backup is is measured from it (lokbackup_health()).
    std::optional<std::time_t> last_at_or_before(std::time_t at, const TimeZone &zone) const;

  private:
    CronSchedule() = default;
    bool matches_day(const CivilTime &date) const;
    bool matches_time(int hour, int minute) const;

    // Bit n set: value n is in the field.
    std::uint64_t minutes_ = 0;
    std::uint64_t hours_ = 0;
    std::uint64_t days_of_month_ = 0;
    std::uint64_t months_ = 0;
    std::uint64_t days_of_week_ = 0; // 0 = Sunday
    bool any_day_of_month_ = true;
    bool any_day_of_week_ = true;
};

} // namespace lokbackup
