#include "core/base/error.hpp"
#include "core/schedule/time_zone.hpp"

#include "time_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <thread>
#include <vector>

namespace lokbackup
{
namespace
{

using test::local;
using test::local_text;
using test::ScopedTz;
using test::utc;
using test::utc_text;

std::string at(const TimeZone &zone, const std::string &instant)
{
    return local_text(zone.to_local(utc(instant)));
}

TEST(TimeZoneTest, InstantsToLocalTimeFollowDaylightSaving)
{
    TimeZone berlin = TimeZone::named("Europe/Berlin");
    EXPECT_EQ(at(berlin, "2026-01-15T12:00Z"), "2026-01-15 13:00:00");
    EXPECT_EQ(at(berlin, "2026-07-15T12:00Z"), "2026-07-15 14:00:00");
    EXPECT_EQ(berlin.utc_offset(utc("2026-01-15T12:00Z")), 3600);
    EXPECT_EQ(berlin.utc_offset(utc("2026-07-15T12:00Z")), 7200);
    // The changes themselves, to the second.
    EXPECT_EQ(at(berlin, "2026-03-29T00:59:59Z"), "2026-03-29 01:59:59");
    EXPECT_EQ(at(berlin, "2026-03-29T01:00Z"), "2026-03-29 03:00:00");
    EXPECT_EQ(at(berlin, "2026-10-25T00:59:59Z"), "2026-10-25 02:59:59");
    EXPECT_EQ(at(berlin, "2026-10-25T01:00Z"), "2026-10-25 02:00:00");

    TimeZone new_york = TimeZone::named("America/New_York");
    EXPECT_EQ(at(new_york, "2026-01-15T12:00Z"), "2026-01-15 07:00:00");
    EXPECT_EQ(at(new_york, "2026-07-15T12:00Z"), "2026-07-15 08:00:00");
    EXPECT_EQ(new_york.utc_offset(utc("2026-07-15T12:00Z")), -14400);

    TimeZone zulu = TimeZone::named("UTC");
    EXPECT_EQ(at(zulu, "2026-07-15T12:00Z"), "2026-07-15 12:00:00");
    EXPECT_EQ(zulu.name(), "UTC");
}

struct Instants {
    LocalTimeInstants::Kind kind;
    std::string earliest;
    std::string latest;
};

void expect_instants(const TimeZone &zone, const std::string &local_time, const Instants &expected)
{
    LocalTimeInstants instants = zone.to_utc(local(local_time));
    EXPECT_EQ(instants.kind, expected.kind) << local_time;
    EXPECT_EQ(utc_text(instants.earliest), expected.earliest) << local_time;
    EXPECT_EQ(utc_text(instants.latest), expected.latest) << local_time;
}

TEST(TimeZoneTest, LocalTimesInBerlin)
{
    using Kind = LocalTimeInstants::Kind;
    TimeZone berlin = TimeZone::named("Europe/Berlin");
    expect_instants(berlin, "2026-07-15 14:00",
                    {Kind::unique, "2026-07-15T12:00Z", "2026-07-15T12:00Z"});
    // Spring forward: 02:00-02:59 do not exist; they lead to the jump at 01:00 UTC.
    expect_instants(berlin, "2026-03-29 01:59",
                    {Kind::unique, "2026-03-29T00:59Z", "2026-03-29T00:59Z"});
    expect_instants(berlin, "2026-03-29 02:00",
                    {Kind::skipped, "2026-03-29T01:00Z", "2026-03-29T01:00Z"});
    expect_instants(berlin, "2026-03-29 02:30",
                    {Kind::skipped, "2026-03-29T01:00Z", "2026-03-29T01:00Z"});
    expect_instants(berlin, "2026-03-29 03:00",
                    {Kind::unique, "2026-03-29T01:00Z", "2026-03-29T01:00Z"});
    // Fall back: 02:00-02:59 happen twice.
    expect_instants(berlin, "2026-10-25 01:59",
                    {Kind::unique, "2026-10-24T23:59Z", "2026-10-24T23:59Z"});
    expect_instants(berlin, "2026-10-25 02:00",
                    {Kind::repeated, "2026-10-25T00:00Z", "2026-10-25T01:00Z"});
    expect_instants(berlin, "2026-10-25 02:30",
                    {Kind::repeated, "2026-10-25T00:30Z", "2026-10-25T01:30Z"});
    expect_instants(berlin, "2026-10-25 03:00",
                    {Kind::unique, "2026-10-25T02:00Z", "2026-10-25T02:00Z"});
}

TEST(TimeZoneTest, LocalTimesInNewYork)
{
    using Kind = LocalTimeInstants::Kind;
    TimeZone new_york = TimeZone::named("America/New_York");
    expect_instants(new_york, "2026-03-08 02:30",
                    {Kind::skipped, "2026-03-08T07:00Z", "2026-03-08T07:00Z"});
    expect_instants(new_york, "2026-03-08 03:30",
                    {Kind::unique, "2026-03-08T07:30Z", "2026-03-08T07:30Z"});
    expect_instants(new_york, "2026-11-01 01:30",
                    {Kind::repeated, "2026-11-01T05:30Z", "2026-11-01T06:30Z"});
    expect_instants(new_york, "2026-11-01 02:30",
                    {Kind::unique, "2026-11-01T07:30Z", "2026-11-01T07:30Z"});
}

TEST(TimeZoneTest, AfterTheListedTransitionsTheZonesRuleApplies)
{
    using Kind = LocalTimeInstants::Kind;
    // tzdata lists transitions up to 2037; later ones come from the rule at the file's end.
    TimeZone berlin = TimeZone::named("Europe/Berlin");
    expect_instants(berlin, "2100-03-28 02:30",
                    {Kind::skipped, "2100-03-28T01:00Z", "2100-03-28T01:00Z"});
    expect_instants(berlin, "2100-10-31 02:30",
                    {Kind::repeated, "2100-10-31T00:30Z", "2100-10-31T01:30Z"});
    EXPECT_EQ(berlin.utc_offset(utc("2100-07-01T00:00Z")), 7200);
    // Southern hemisphere: summer time spans the new year.
    TimeZone sydney = TimeZone::named("Australia/Sydney");
    EXPECT_EQ(sydney.utc_offset(utc("2050-01-15T00:00Z")), 39600);
    EXPECT_EQ(sydney.utc_offset(utc("2050-07-15T00:00Z")), 36000);
    EXPECT_EQ(sydney.utc_offset(utc("2050-12-31T23:00Z")), 39600);
}

TEST(TimeZoneTest, AgreesWithTheCLibrary)
{
    for (const char *name : {"Europe/Berlin", "America/New_York", "Australia/Sydney",
                             "Asia/Jerusalem", "America/Sao_Paulo", "Europe/Dublin"}) {
        TimeZone zone = TimeZone::named(name);
        ScopedTz tz(name);
        // Every 1 day 37 minutes 11 seconds from 1970 to 2070.
        for (std::time_t time = 0; time < 3155760000; time += 86400 + 37 * 60 + 11) {
            std::tm fields{};
            ASSERT_TRUE(localtime_r(&time, &fields));
            ASSERT_EQ(zone.utc_offset(time), fields.tm_gmtoff) << name << " " << time;
            CivilTime civil = zone.to_local(time);
            ASSERT_EQ(civil.hour, fields.tm_hour) << name << " " << time;
            ASSERT_EQ(civil.day, fields.tm_mday) << name << " " << time;
        }
    }
}

std::string invalid_zone(const std::string &name)
{
    try {
        TimeZone::named(name);
    } catch (const InvalidValue &e) {
        return e.what();
    }
    return "(no InvalidValue)";
}

TEST(TimeZoneTest, UnknownNamesAreRefused)
{
    EXPECT_EQ(invalid_zone("Mars/Olympus_Mons"),
              "unknown time zone \"Mars/Olympus_Mons\": use an IANA name such as UTC, "
              "Europe/Berlin or America/New_York (the files below /usr/share/zoneinfo)");
    for (const char *name : {"", "Europe", "europe/berlin", "../../../etc/passwd",
                             "/usr/share/zoneinfo/UTC", "zone.tab", "Europe/Berlin "})
        EXPECT_EQ(invalid_zone(name).rfind("unknown time zone \"" + std::string(name) + "\"", 0),
                  0u)
            << name;
}

TEST(TimeZoneTest, ZonesWithLeapSecondsAreRefused)
{
    EXPECT_EQ(invalid_zone("right/Europe/Berlin"),
              "time zone \"right/Europe/Berlin\": time zone file "
              "/usr/share/zoneinfo/right/Europe/Berlin counts leap seconds (a \"right/\" zone), "
              "which is not supported");
}

TEST(TimeZoneTest, CopiesAreUsableFromManyThreadsAtOnce)
{
    TimeZone zone = TimeZone::named("America/New_York");
    auto offsets = [](TimeZone copy) {
        std::vector<int> result;
        for (std::time_t time = 0; time < 4000000000; time += 100003)
            result.push_back(copy.utc_offset(time) + copy.to_local(time).hour);
        return result;
    };
    std::vector<int> expected = offsets(zone);
    std::vector<std::vector<int>> results(4);
    std::vector<std::thread> threads;
    for (auto &result : results)
        threads.emplace_back([&, copy = zone] { result = offsets(copy); });
    for (auto &thread : threads)
        thread.join();
    for (const auto &result : results)
        EXPECT_EQ(result, expected);
}

} // namespace
} // namespace lokbackup
