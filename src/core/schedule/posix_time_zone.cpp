#include "core/schedule/posix_time_zone.hpp"

#include "core/schedule/civil_time.hpp"
#include "core/base/error.hpp"

#include <cctype>
#include <string>

namespace lokbackup
{

class PosixTimeZone::Parser
{
  public:
    explicit Parser(std::string_view text) : text_(text) {}

    PosixTimeZone parse()
    {
        PosixTimeZone zone;
        skip_name();
        // POSIX offsets count hours west of UTC; ours count seconds east.
        zone.standard_offset_ = -time_of_day(24);
        if (at_end())
            return zone;
        skip_name();
        DaylightSaving daylight_saving;
        daylight_saving.utc_offset =
            peek() == ',' ? zone.standard_offset_ + 3600 : -time_of_day(24);
        // Without a rule POSIX leaves the dates to the implementation; tzdata always writes them.
        expect(',');
        daylight_saving.start = date();
        expect(',');
        daylight_saving.end = date();
        if (!at_end())
            fail();
        zone.daylight_saving_ = daylight_saving;
        return zone;
    }

  private:
    bool at_end() const { return position_ == text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[position_]; }

    [[noreturn]] void fail() const
    {
        throw Error("unsupported POSIX time zone rule \"" + std::string(text_) + "\"");
    }

    void expect(char wanted)
    {
        if (peek() != wanted)
            fail();
        ++position_;
    }

    // "CET", or "<+03>" for a name that is not alphabetic.
    void skip_name()
    {
        std::size_t start = position_;
        if (peek() == '<') {
            while (!at_end() && peek() != '>')
                ++position_;
            expect('>');
        } else {
            while (std::isalpha(static_cast<unsigned char>(peek())))
                ++position_;
        }
        if (position_ - start < 3)
            fail();
    }

    int number()
    {
        if (!std::isdigit(static_cast<unsigned char>(peek())))
            fail();
        int value = 0;
        while (std::isdigit(static_cast<unsigned char>(peek())) && value < 1000)
            value = value * 10 + (text_[position_++] - '0');
        return value;
    }

    // [+-]hh[:mm[:ss]] in seconds, hours at most `max_hours`.
    int time_of_day(int max_hours)
    {
        int sign = 1;
        if (peek() == '+' || peek() == '-')
            sign = text_[position_++] == '-' ? -1 : 1;
        int hours = number();
        int minutes = 0, seconds = 0;
        if (peek() == ':') {
            ++position_;
            minutes = number();
            if (peek() == ':') {
                ++position_;
                seconds = number();
            }
        }
        if (hours > max_hours || minutes > 59 || seconds > 59)
            fail();
        return sign * (hours * 3600 + minutes * 60 + seconds);
    }

    Date date()
    {
        Date date;
        if (peek() == 'M') {
            ++position_;
            date.kind = Date::Kind::month_week_day;
            date.month = number();
            expect('.');
            date.week = number();
            expect('.');
            date.weekday = number();
            if (date.month < 1 || date.month > 12 || date.week < 1 || date.week > 5 ||
                date.weekday > 6)
                fail();
        } else if (peek() == 'J') {
            ++position_;
            date.kind = Date::Kind::julian_without_leap_day;
            date.day = number();
            if (date.day < 1 || date.day > 365)
                fail();
        } else {
            date.kind = Date::Kind::julian;
            date.day = number();
            if (date.day > 365)
                fail();
        }
        if (peek() == '/') {
            ++position_;
            date.time = time_of_day(167);
        }
        return date;
    }

    std::string_view text_;
    std::size_t position_ = 0;
};

PosixTimeZone PosixTimeZone::parse(std::string_view text)
{
    return Parser(text).parse();
}

std::int64_t PosixTimeZone::local_seconds(const Date &date, int year)
{
    std::int64_t day = 0;
    switch (date.kind) {
    case Date::Kind::julian_without_leap_day:
        day = days_from_civil(year, 1, 1) + date.day - 1 + (is_leap_year(year) && date.day >= 60);
        break;
    case Date::Kind::julian:
        day = days_from_civil(year, 1, 1) + date.day;
        break;
    case Date::Kind::month_week_day: {
        int first = weekday(year, date.month, 1);
        int day_of_month = 1 + (date.weekday - first + 7) % 7 + (date.week - 1) * 7;
        while (day_of_month > days_in_month(year, date.month))
            day_of_month -= 7;
        day = days_from_civil(year, date.month, day_of_month);
        break;
    }
    }
    return day * 86400 + date.time;
}

int PosixTimeZone::utc_offset(std::int64_t instant) const
{
    if (!daylight_saving_)
        return standard_offset_;
    const DaylightSaving &dst = *daylight_saving_;
    int year = civil_from_seconds(instant + standard_offset_).year;
    std::int64_t start = local_seconds(dst.start, year) - standard_offset_;
    std::int64_t end = local_seconds(dst.end, year) - dst.utc_offset;
    // In the southern hemisphere daylight-saving time spans the new year: start comes after end.
    bool in_daylight_saving =
        start < end ? instant >= start && instant < end : !(instant >= end && instant < start);
    return in_daylight_saving ? dst.utc_offset : standard_offset_;
}

} // namespace lokbackup
