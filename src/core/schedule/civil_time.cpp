#include "core/schedule/civil_time.hpp"

namespace lokbackup
{

namespace
{

constexpr std::int64_t seconds_per_day = 86400;

// Division rounding toward negative infinity, for instants before 1970.
std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

} // namespace

bool operator==(const CivilTime &a, const CivilTime &b)
{
    return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour &&
           a.minute == b.minute && a.second == b.second;
}

bool operator!=(const CivilTime &a, const CivilTime &b)
{
    return !(a == b);
}

bool is_leap_year(int year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int days_in_month(int year, int month)
{
    static constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : lengths[month - 1];
}

// Howard Hinnant's days_from_civil: counts in 400-year eras that start on 1 March, so that the
// leap day is the last day of an era's year.
std::int64_t days_from_civil(int year, int month, int day)
{
    std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2);
    std::int64_t era = floor_div(y, 400);
    std::int64_t year_of_era = y - era * 400;
    std::int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

CivilTime civil_from_days(std::int64_t days)
{
    days += 719468;
    std::int64_t era = floor_div(days, 146097);
    std::int64_t day_of_era = days - era * 146097;
    std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    std::int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    std::int64_t shifted_month = (5 * day_of_year + 2) / 153; // 0 = March
    CivilTime civil;
    civil.day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    civil.month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
    civil.year = static_cast<int>(year_of_era + era * 400 + (civil.month <= 2));
    return civil;
}

std::int64_t seconds_from_civil(const CivilTime &time)
{
    return days_from_civil(time.year, time.month, time.day) * seconds_per_day + time.hour * 3600 +
           time.minute * 60 + time.second;
}

CivilTime civil_from_seconds(std::int64_t seconds)
{
    std::int64_t days = floor_div(seconds, seconds_per_day);
    std::int64_t of_day = seconds - days * seconds_per_day;
    CivilTime civil = civil_from_days(days);
    civil.hour = static_cast<int>(of_day / 3600);
    civil.minute = static_cast<int>(of_day / 60 % 60);
    civil.second = static_cast<int>(of_day % 60);
    return civil;
}

int weekday(int year, int month, int day)
{
    // 1970-01-01 was a Thursday.
    std::int64_t days = days_from_civil(year, month, day);
    return static_cast<int>(days - floor_div(days + 4, 7) * 7 + 4);
}

IsoWeek iso_week(int year, int month, int day)
{
    // The ISO week-year is the year of the week's Thursday.
    std::int64_t days = days_from_civil(year, month, day);
    int iso_weekday = (weekday(year, month, day) + 6) % 7; // 0 = Monday
    std::int64_t thursday = days - iso_weekday + 3;
    int week_year = civil_from_days(thursday).year;
    std::int64_t day_of_week_year = thursday - days_from_civil(week_year, 1, 1);
    return {week_year, static_cast<int>(day_of_week_year / 7 + 1)};
}

CivilTime add_months(const CivilTime &time, int months)
{
    std::int64_t index = static_cast<std::int64_t>(time.year) * 12 + (time.month - 1) + months;
    CivilTime result = time;
    result.year = static_cast<int>(floor_div(index, 12));
    result.month = static_cast<int>(index - static_cast<std::int64_t>(result.year) * 12 + 1);
    int length = days_in_month(result.year, result.month);
    if (result.day > length)
        result.day = length;
    return result;
}

} // namespace lokbackup
