#include "core/wal/recovery_target.hpp"

#include "core/base/error.hpp"
#include "core/schedule/civil_time.hpp"
#include "core/wal/wal_archive_key.hpp"

#include <cctype>
#include <cstdio>

namespace lokbackup
{

namespace
{

const char *const allowed_times =
    "give a date and time with its zone, as \"2026-12-03 21:40:00+01\", "
    "\"2026-12-03T20:40:00.25Z\" or \"2026-12-03 21:40:00.123456-05:30\" (a time without a zone "
    "would be read in the restored server's TimeZone)";

// Reads the text left to right; every read fails with the same message.
class TimestampReader
{
  public:
    explicit TimestampReader(std::string_view text) : text_(text) {}

    [[noreturn]] void fail() const
    {
        throw InvalidValue("\"" + std::string(text_.substr(0, 64)) +
                           "\" is not a time with a zone: " + allowed_times);
    }
    int digits(std::size_t count)
    {
        int value = 0;
        for (std::size_t i = 0; i < count; ++i, ++at_) {
            if (at_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[at_])))
                fail();
            value = value * 10 + (text_[at_] - '0');
        }
        return value;
    }
    void expect(char c)
    {
        if (!accept(c))
            fail();
    }
    bool accept(char c)
    {
        if (at_ >= text_.size() || text_[at_] != c)
            return false;
        ++at_;
        return true;
    }
    bool digit_follows() const
    {
        return at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]));
    }
    bool at_end() const { return at_ == text_.size(); }

  private:
    std::string_view text_;
    std::size_t at_ = 0;
};

// Seconds east of UTC: "Z", "+01", "+0130", "-05:30".
int zone_offset(TimestampReader &reader)
{
    if (reader.accept('Z'))
        return 0;
    int sign = reader.accept('+') ? 1 : (reader.expect('-'), -1);
    int hours = reader.digits(2);
    int minutes = 0;
    if (reader.accept(':') || reader.digit_follows())
        minutes = reader.digits(2);
    if (hours > 15 || minutes > 59)
        reader.fail();
    return sign * (hours * 3600 + minutes * 60);
}

} // namespace

std::int64_t parse_timestamp_with_zone(std::string_view text)
{
    TimestampReader reader(text);
    CivilTime civil;
    civil.year = reader.digits(4);
    reader.expect('-');
    civil.month = reader.digits(2);
    reader.expect('-');
    civil.day = reader.digits(2);
    if (!reader.accept(' '))
        reader.expect('T');
    civil.hour = reader.digits(2);
    reader.expect(':');
    civil.minute = reader.digits(2);
    reader.expect(':');
    civil.second = reader.digits(2);
    std::int64_t fraction = 0;
    if (reader.accept('.')) {
        int places = 0;
        for (; reader.digit_follows(); ++places) {
            if (places == 6)
                reader.fail(); // PostgreSQL keeps microseconds: more would be rounded silently
            fraction = fraction * 10 + reader.digits(1);
        }
        if (places == 0)
            reader.fail();
        for (; places < 6; ++places)
            fraction *= 10;
    }
    reader.accept(' ');
    int offset = zone_offset(reader);
    if (!reader.at_end() || civil.month < 1 || civil.month > 12 || civil.day < 1 ||
        civil.day > days_in_month(civil.year, civil.month) || civil.hour > 23 ||
        civil.minute > 59 || civil.second > 59)
        reader.fail();
    return (seconds_from_civil(civil) - offset) * 1000000 + fraction;
}

std::string format_utc_timestamp(std::int64_t microseconds)
{
    std::int64_t seconds = microseconds / 1000000;
    std::int64_t fraction = microseconds % 1000000;
    if (fraction < 0) {
        fraction += 1000000;
        seconds -= 1;
    }
    CivilTime civil = civil_from_seconds(seconds);
    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", civil.year,
                  civil.month, civil.day, civil.hour, civil.minute, civil.second,
                  static_cast<long long>(fraction));
    return text;
}

std::string RecoveryTarget::describe() const
{
    switch (kind) {
    case Kind::time:
        return "time " + setting;
    case Kind::lsn:
        return "LSN " + setting;
    case Kind::latest:
        break;
    }
    return "the end of the archived WAL";
}

RecoveryTarget recovery_target_time(std::string_view text)
{
    std::int64_t time = parse_timestamp_with_zone(text);
    return {RecoveryTarget::Kind::time, time, 0, format_utc_timestamp(time)};
}

RecoveryTarget recovery_target_lsn(std::string_view text)
{
    std::uint64_t lsn = parse_lsn(text);
    return {RecoveryTarget::Kind::lsn, 0, lsn, format_lsn(lsn)};
}

RecoveryTarget recovery_target_latest()
{
    return RecoveryTarget{};
}

} // namespace lokbackup
