#include "core/schedule/posix_time_zone.hpp"

#include "test_support.hpp"
#include "time_test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::c_library_offset;
using test::error_message;
using test::ScopedTz;
using test::utc;

constexpr int hour = 3600;

TEST(PosixTimeZone, StandardTimeOnly)
{
    EXPECT_EQ(PosixTimeZone::parse("UTC0").utc_offset(utc("2026-06-01T12:00Z")), 0);
    // POSIX counts hours west of UTC: JST-9 is nine hours east.
    EXPECT_EQ(PosixTimeZone::parse("JST-9").utc_offset(utc("2026-06-01T12:00Z")), 9 * hour);
    EXPECT_EQ(PosixTimeZone::parse("<-03>3").utc_offset(0), -3 * hour);
    EXPECT_EQ(PosixTimeZone::parse("<+0530>-5:30").utc_offset(0), 5 * hour + 30 * 60);
    EXPECT_EQ(PosixTimeZone::parse("LMT-0:53:28").utc_offset(0), 53 * 60 + 28);
}

TEST(PosixTimeZone, DaylightSavingStartsAndEndsAtTheRulesInstants)
{
    PosixTimeZone berlin = PosixTimeZone::parse("CET-1CEST,M3.5.0,M10.5.0/3");
    // 2026: the last Sundays of March and October, at 01:00 UTC both times.
    EXPECT_EQ(berlin.utc_offset(utc("2026-03-29T00:59:59Z")), 1 * hour);
    EXPECT_EQ(berlin.utc_offset(utc("2026-03-29T01:00Z")), 2 * hour);
    EXPECT_EQ(berlin.utc_offset(utc("2026-10-25T00:59:59Z")), 2 * hour);
    EXPECT_EQ(berlin.utc_offset(utc("2026-10-25T01:00Z")), 1 * hour);
}

TEST(PosixTimeZone, SouthernDaylightSavingSpansTheNewYear)
{
    PosixTimeZone sydney = PosixTimeZone::parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
    EXPECT_EQ(sydney.utc_offset(utc("2026-01-15T00:00Z")), 11 * hour);
    // Ends on the first Sunday of April (5 April 2026) at 03:00 daylight time.
    EXPECT_EQ(sydney.utc_offset(utc("2026-04-04T15:59:59Z")), 11 * hour);
    EXPECT_EQ(sydney.utc_offset(utc("2026-04-04T16:00Z")), 10 * hour);
    EXPECT_EQ(sydney.utc_offset(utc("2026-07-01T00:00Z")), 10 * hour);
    // Starts on the first Sunday of October (4 October 2026) at 02:00 standard time.
    EXPECT_EQ(sydney.utc_offset(utc("2026-10-03T15:59:59Z")), 10 * hour);
    EXPECT_EQ(sydney.utc_offset(utc("2026-10-03T16:00Z")), 11 * hour);
}

// RFC 8536's example of daylight-saving time all year (what tzdata writes for such a zone): the
// year's transitions meet at the new year. glibc gets the first hours of a UTC year wrong here
// (standard time), so it is not among the rules compared with the C library below.
TEST(PosixTimeZone, DaylightSavingAllYear)
{
    PosixTimeZone zone = PosixTimeZone::parse("EST5EDT4,0/0,J365/25");
    for (const char *instant :
         {"2022-12-31T23:59Z", "2023-01-01T00:00Z", "2023-01-01T04:59Z", "2023-01-01T05:00Z",
          "2023-07-01T00:00Z", "2024-02-29T12:00Z", "2024-12-31T23:00Z"})
        EXPECT_EQ(zone.utc_offset(utc(instant)), -4 * hour) << instant;
}

// Rules of every form RFC 8536 allows, against the C library given the same rule as TZ.
TEST(PosixTimeZone, AgreesWithTheCLibrary)
{
    for (const char *rule :
         {"CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0", "AEST-10AEDT,M10.1.0,M4.1.0/3",
          "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "IST-1GMT0,M10.5.0,M3.5.0/1",
          "NZST-12NZDT,M9.5.0,M4.1.0/3", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
          "XXX3YYY,J60/2,J300/2", "XXX3YYY,59/2,299/2", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
          "AAA-2BBB,M2.5.6/167,M11.1.1/-167", "WGT3WGST,M3.5.0/-2,M10.5.0/-1"}) {
        PosixTimeZone zone = PosixTimeZone::parse(rule);
        ScopedTz tz(rule);
        // Every 5 hours 7 minutes 13 seconds from 2023 to 2029, leap year 2024 and 2028 in it.
        for (std::time_t time = utc("2023-01-01T00:00Z"); time < utc("2029-12-31T00:00Z");
             time += 5 * hour + 7 * 60 + 13)
            ASSERT_EQ(zone.utc_offset(time), c_library_offset(time)) << rule << " " << time;
    }
}

TEST(PosixTimeZone, UnsupportedRulesAreQuoted)
{
    for (const char *rule :
         {"", "UT0", "CET", "CET-", "CET-25", "CET-1:60", "CET-1CEST", "CET-1CEST,M3.5.0",
          "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0",
          "CET-1CEST,J0,J100", "CET-1CEST,366,100", "CET-1CEST,M3.5.0/168,M10.5.0",
          "CET-1CEST,M3.5.0,M10.5.0 ", "<+03-3", "CET-1CEST,M3.5.0,M10.5.0,x"})
        EXPECT_EQ(error_message([&] { PosixTimeZone::parse(rule); }),
                  "unsupported POSIX time zone rule \"" + std::string(rule) + "\"")
            << rule;
}

} // namespace
} // namespace lokbackup
