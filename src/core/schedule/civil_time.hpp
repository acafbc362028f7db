// Calendar arithmetic on dates and wall-clock times without a zone (proleptic Gregorian calendar,
// no leap seconds). Time zones (time_zone.hpp) turn these into instants and back.
#pragma once

#include <cstdint>

namespace lokbackup
{

struct CivilTime {
    int year = 1970;
    int month = 1;  // 1-12
    int day = 1;    // 1-31
    int hour = 0;   // 0-23
    int minute = 0; // 0-59
    int second = 0; // 0-59
};

bool operator==(const CivilTime &a, const CivilTime &b);
bool operator!=(const CivilTime &a, const CivilTime &b);

bool is_leap_year(int year);
int days_in_month(int year, int month);

// Days since 1970-01-01 (negative before it), and back.
std::int64_t days_from_civil(int year, int month, int day);
CivilTime civil_from_days(std::int64_t days);

// Seconds since 1970-01-01T00:00:00 of the wall-clock time read as if it were UTC, and back.
std::int64_t seconds_from_civil(const CivilTime &time);
CivilTime civil_from_seconds(std::int64_t seconds);

// 0 = Sunday ... 6 = Saturday, as in cron and POSIX.
int weekday(int year, int month, int day);

// ISO 8601 week date: weeks start on Monday and week 1 holds the year's first Thursday, so
// 2027-01-01 is in week 53 of 2026.
struct IsoWeek {
    int year = 0;
    int week = 0; // 1-53
};
IsoWeek iso_week(int year, int month, int day);

// The same wall-clock time `months` calendar months later (earlier when negative); the day is
// clamped to the length of the target month (31 March - 1 month = 28 or 29 February).
CivilTime add_months(const CivilTime &time, int months);

} // namespace lokbackup
