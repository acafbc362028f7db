#include "core/schedule/cron_schedule.hpp"
#include "core/base/error.hpp"

#include "time_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lokbackup
{
namespace
{

using test::utc;
using test::utc_text;

// The next `count` firings after `after`, in UTC.
std::vector<std::string> firings(const std::string &expression, const std::string &after, int count,
                                 const std::string &zone = "UTC")
{
    CronSchedule schedule = CronSchedule::parse(expression);
    TimeZone time_zone = TimeZone::named(zone);
    std::vector<std::string> times;
    std::time_t time = utc(after);
    for (int i = 0; i < count; ++i) {
        std::optional<std::time_t> next = schedule.next_after(time, time_zone);
        if (!next) {
            times.push_back("never");
            break;
        }
        times.push_back(utc_text(*next));
        time = *next;
    }
    return times;
}

using Times = std::vector<std::string>;

TEST(CronScheduleTest, EveryMinuteFiresAtTheNextWholeMinute)
{
    EXPECT_EQ(firings("* * * * *", "2026-01-05T10:07:30Z", 3),
              (Times{"2026-01-05T10:08Z", "2026-01-05T10:09Z", "2026-01-05T10:10Z"}));
}

TEST(CronScheduleTest, FiresStrictlyAfterTheGivenTime)
{
    EXPECT_EQ(firings("0 3 * * *", "2026-01-05T03:00Z", 1), (Times{"2026-01-06T03:00Z"}));
    EXPECT_EQ(firings("0 3 * * *", "2026-01-05T02:59:59Z", 1), (Times{"2026-01-05T03:00Z"}));
}

TEST(CronScheduleTest, ListsRangesAndSteps)
{
    EXPECT_EQ(
        firings("0,30 9-17/4 * * *", "2026-01-05T00:00Z", 7),
        (Times{"2026-01-05T09:00Z", "2026-01-05T09:30Z", "2026-01-05T13:00Z", "2026-01-05T13:30Z",
               "2026-01-05T17:00Z", "2026-01-05T17:30Z", "2026-01-06T09:00Z"}));
    EXPECT_EQ(firings("*/15 * * * *", "2026-01-05T10:07Z", 4),
              (Times{"2026-01-05T10:15Z", "2026-01-05T10:30Z", "2026-01-05T10:45Z",
                     "2026-01-05T11:00Z"}));
    EXPECT_EQ(firings("10-50/20 8 * * *", "2026-01-05T00:00Z", 4),
              (Times{"2026-01-05T08:10Z", "2026-01-05T08:30Z", "2026-01-05T08:50Z",
                     "2026-01-06T08:10Z"}));
    EXPECT_EQ(firings("5,1-2 0 * * *", "2026-01-05T00:00Z", 3),
              (Times{"2026-01-05T00:01Z", "2026-01-05T00:02Z", "2026-01-05T00:05Z"}));
}

TEST(CronScheduleTest, MonthNamesInAnyCase)
{
    EXPECT_EQ(firings("0 0 1 jan,Jul *", "2026-01-05T00:00Z", 3),
              (Times{"2026-07-01T00:00Z", "2027-01-01T00:00Z", "2027-07-01T00:00Z"}));
    EXPECT_EQ(firings("0 0 1 NOV-dec *", "2026-01-05T00:00Z", 3),
              (Times{"2026-11-01T00:00Z", "2026-12-01T00:00Z", "2027-11-01T00:00Z"}));
}

TEST(CronScheduleTest, DayNamesAndRanges)
{
    // 2026-01-01 is a Thursday.
    EXPECT_EQ(firings("0 8 * * mon-FRI", "2025-12-31T12:00Z", 4),
              (Times{"2026-01-01T08:00Z", "2026-01-02T08:00Z", "2026-01-05T08:00Z",
                     "2026-01-06T08:00Z"}));
}

TEST(CronScheduleTest, DayOfWeekSevenIsSunday)
{
    Times sundays{"2026-01-04T08:00Z", "2026-01-11T08:00Z"};
    EXPECT_EQ(firings("0 8 * * 7", "2026-01-01T00:00Z", 2), sundays);
    EXPECT_EQ(firings("0 8 * * 0", "2026-01-01T00:00Z", 2), sundays);
    EXPECT_EQ(firings("0 8 * * sun", "2026-01-01T00:00Z", 2), sundays);
    EXPECT_EQ(firings("0 8 * * 5-7", "2026-01-01T00:00Z", 4),
              (Times{"2026-01-02T08:00Z", "2026-01-03T08:00Z", "2026-01-04T08:00Z",
                     "2026-01-09T08:00Z"}));
}

TEST(CronScheduleTest, MacrosStandForTheirExpressions)
{
    const std::string after = "2026-05-20T10:30Z";
    EXPECT_EQ(firings("@yearly", after, 1), (Times{"2027-01-01T00:00Z"}));
    EXPECT_EQ(firings("@annually", after, 1), (Times{"2027-01-01T00:00Z"}));
    EXPECT_EQ(firings("@monthly", after, 1), (Times{"2026-06-01T00:00Z"}));
    EXPECT_EQ(firings("@weekly", after, 1), (Times{"2026-05-24T00:00Z"})); // Sunday
    EXPECT_EQ(firings("@daily", after, 1), (Times{"2026-05-21T00:00Z"}));
    EXPECT_EQ(firings("@midnight", after, 1), (Times{"2026-05-21T00:00Z"}));
    EXPECT_EQ(firings("@hourly", after, 2), (Times{"2026-05-20T11:00Z", "2026-05-20T12:00Z"}));
    EXPECT_EQ(firings("  @DAILY ", after, 1), (Times{"2026-05-21T00:00Z"}));
}

TEST(CronScheduleTest, BlanksAndTabsSeparateFields)
{
    EXPECT_EQ(firings(" 0\t3  * *\t* ", "2026-01-05T00:00Z", 1), (Times{"2026-01-05T03:00Z"}));
}

TEST(CronScheduleTest, CrossesMonthAndYearEnds)
{
    // Only months with a 31st.
    EXPECT_EQ(firings("59 23 31 * *", "2026-01-31T23:59Z", 3),
              (Times{"2026-03-31T23:59Z", "2026-05-31T23:59Z", "2026-07-31T23:59Z"}));
    EXPECT_EQ(firings("0 0 1 1 *", "2026-12-31T23:59Z", 1), (Times{"2027-01-01T00:00Z"}));
    EXPECT_EQ(firings("30 0 * * *", "2026-12-31T23:45Z", 2),
              (Times{"2027-01-01T00:30Z", "2027-01-02T00:30Z"}));
}

TEST(CronScheduleTest, TwentyNinthOfFebruaryWaitsForALeapYear)
{
    EXPECT_EQ(firings("0 12 29 2 *", "2024-03-01T00:00Z", 2),
              (Times{"2028-02-29T12:00Z", "2032-02-29T12:00Z"}));
    // 2100 is not a leap year: eight years between two 29ths.
    EXPECT_EQ(firings("0 12 29 2 *", "2096-03-01T00:00Z", 1), (Times{"2104-02-29T12:00Z"}));
}

TEST(CronScheduleTest, ImpossibleDatesNeverFire)
{
    TimeZone zone = TimeZone::named("UTC");
    EXPECT_FALSE(CronSchedule::parse("0 0 30 2 *").next_after(utc("2026-01-01T00:00Z"), zone));
    EXPECT_FALSE(
        CronSchedule::parse("0 0 31 4,6,9,11 *").next_after(utc("2026-01-01T00:00Z"), zone));
}

TEST(CronScheduleTest, RestrictedDayOfMonthAndDayOfWeekMatchEither)
{
    // The 10th (a Tuesday in February 2026) and every Friday.
    EXPECT_EQ(
        firings("0 3 10 * FRI", "2026-02-01T00:00Z", 7),
        (Times{"2026-02-06T03:00Z", "2026-02-10T03:00Z", "2026-02-13T03:00Z", "2026-02-20T03:00Z",
               "2026-02-27T03:00Z", "2026-03-06T03:00Z", "2026-03-10T03:00Z"}));
    // One of them unrestricted: the other alone decides.
    EXPECT_EQ(firings("0 3 10 * *", "2026-02-01T00:00Z", 2),
              (Times{"2026-02-10T03:00Z", "2026-03-10T03:00Z"}));
    EXPECT_EQ(firings("0 3 * * FRI", "2026-02-01T00:00Z", 2),
              (Times{"2026-02-06T03:00Z", "2026-02-13T03:00Z"}));
}

TEST(CronScheduleTest, AStarredDayFieldCountsAsUnrestrictedAsInVixieCron)
{
    // Odd days that are Mondays, not odd days or Mondays.
    EXPECT_EQ(firings("0 3 */2 * MON", "2026-02-01T00:00Z", 4),
              (Times{"2026-02-09T03:00Z", "2026-02-23T03:00Z", "2026-03-09T03:00Z",
                     "2026-03-23T03:00Z"}));
}

// Europe/Berlin 2026: clocks go from 02:00 CET to 03:00 CEST at 01:00 UTC on 29 March, and from
// 03:00 CEST back to 02:00 CET at 01:00 UTC on 25 October.
TEST(CronScheduleTest, BerlinSpringForwardGapFiresOnceWhenTheGapEnds)
{
    // 02:30 does not exist on 29 March: the backup runs at 03:00 CEST.
    EXPECT_EQ(firings("30 2 * * *", "2026-03-28T12:00Z", 2, "Europe/Berlin"),
              (Times{"2026-03-29T01:00Z", "2026-03-30T00:30Z"}));
    // Outside the gap: 04:00 local every day, whatever the offset.
    EXPECT_EQ(firings("0 4 * * *", "2026-03-27T12:00Z", 3, "Europe/Berlin"),
              (Times{"2026-03-28T03:00Z", "2026-03-29T02:00Z", "2026-03-30T02:00Z"}));
    // 02:00 (in the gap) and 03:00 (its end) are one firing.
    EXPECT_EQ(firings("0 * * * *", "2026-03-28T23:30Z", 3, "Europe/Berlin"),
              (Times{"2026-03-29T00:00Z", "2026-03-29T01:00Z", "2026-03-29T02:00Z"}));
}

TEST(CronScheduleTest, BerlinFallBackRepeatFiresOnlyAtTheFirstOccurrence)
{
    // 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET): only the first fires.
    EXPECT_EQ(firings("30 2 * * *", "2026-10-23T12:00Z", 3, "Europe/Berlin"),
              (Times{"2026-10-24T00:30Z", "2026-10-25T00:30Z", "2026-10-26T01:30Z"}));
    // Outside the repeated hour.
    EXPECT_EQ(firings("0 4 * * *", "2026-10-23T12:00Z", 3, "Europe/Berlin"),
              (Times{"2026-10-24T02:00Z", "2026-10-25T03:00Z", "2026-10-26T03:00Z"}));
    // Hourly: 02:00 CEST fires, 02:00 CET does not, 03:00 CET does.
    EXPECT_EQ(firings("0 * * * *", "2026-10-24T23:30Z", 3, "Europe/Berlin"),
              (Times{"2026-10-25T00:00Z", "2026-10-25T02:00Z", "2026-10-25T03:00Z"}));
}

// America/New_York 2026: 02:00 EST becomes 03:00 EDT at 07:00 UTC on 8 March; 02:00 EDT becomes
// 01:00 EST at 06:00 UTC on 1 November, so 01:00-01:59 happens twice.
TEST(CronScheduleTest, NewYorkSpringForwardGap)
{
    EXPECT_EQ(firings("30 2 * * *", "2026-03-06T12:00Z", 3, "America/New_York"),
              (Times{"2026-03-07T07:30Z", "2026-03-08T07:00Z", "2026-03-09T06:30Z"}));
    EXPECT_EQ(firings("0 3 * * *", "2026-03-06T12:00Z", 3, "America/New_York"),
              (Times{"2026-03-07T08:00Z", "2026-03-08T07:00Z", "2026-03-09T07:00Z"}));
}

TEST(CronScheduleTest, NewYorkFallBackRepeat)
{
    EXPECT_EQ(firings("30 1 * * *", "2026-10-30T12:00Z", 3, "America/New_York"),
              (Times{"2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z"}));
    EXPECT_EQ(firings("0 3 * * *", "2026-10-30T12:00Z", 3, "America/New_York"),
              (Times{"2026-10-31T07:00Z", "2026-11-01T08:00Z", "2026-11-02T08:00Z"}));
    // Every quarter of an hour: nothing during the repeated hour (06:00-06:59 UTC), from its
    // first pass or from within it.
    EXPECT_EQ(firings("*/15 * * * *", "2026-11-01T05:40Z", 3, "America/New_York"),
              (Times{"2026-11-01T05:45Z", "2026-11-01T07:00Z", "2026-11-01T07:15Z"}));
    EXPECT_EQ(firings("*/15 * * * *", "2026-11-01T06:10Z", 1, "America/New_York"),
              (Times{"2026-11-01T07:00Z"}));
}

// The last firing at or before `at`, in UTC.
std::string last_firing(const std::string &expression, const std::string &at,
                        const std::string &zone = "UTC")
{
    std::optional<std::time_t> last =
        CronSchedule::parse(expression).last_at_or_before(utc(at), TimeZone::named(zone));
    return last ? utc_text(*last) : "never";
}

TEST(CronScheduleTest, LastFiringIsAtOrBeforeTheGivenTime)
{
    EXPECT_EQ(last_firing("0 3 * * *", "2026-01-05T03:00Z"), "2026-01-05T03:00Z");
    EXPECT_EQ(last_firing("0 3 * * *", "2026-01-05T02:59:59Z"), "2026-01-04T03:00Z");
    EXPECT_EQ(last_firing("* * * * *", "2026-01-05T10:07:30Z"), "2026-01-05T10:07Z");
    EXPECT_EQ(last_firing("0,30 9-17/4 * * *", "2026-01-06T08:00Z"), "2026-01-05T17:30Z");
    // Back across a year end, and to the last 29 February.
    EXPECT_EQ(last_firing("@monthly", "2026-01-01T00:00:01Z"), "2026-01-01T00:00Z");
    EXPECT_EQ(last_firing("@yearly", "2026-06-01T00:00Z"), "2026-01-01T00:00Z");
    EXPECT_EQ(last_firing("0 0 29 2 *", "2026-06-01T00:00Z"), "2024-02-29T00:00Z");
    EXPECT_EQ(last_firing("0 3 1 * MON", "2026-01-07T00:00Z"), "2026-01-05T03:00Z");
}

TEST(CronScheduleTest, ImpossibleDatesNeverFired)
{
    EXPECT_EQ(last_firing("0 0 30 2 *", "2026-01-01T00:00Z"), "never");
}

TEST(CronScheduleTest, LastFiringFollowsTheDaylightSavingRulesOfNextFiring)
{
    // Berlin: 02:30 on 29 March fired at 03:00 CEST, the end of the gap.
    EXPECT_EQ(last_firing("30 2 * * *", "2026-03-29T12:00Z", "Europe/Berlin"), "2026-03-29T01:00Z");
    // 02:30 on 25 October fired at its first occurrence only: from within the repeated hour
    // and after it, the last firing is the first.
    EXPECT_EQ(last_firing("30 2 * * *", "2026-10-25T01:45Z", "Europe/Berlin"), "2026-10-25T00:30Z");
    EXPECT_EQ(last_firing("*/15 * * * *", "2026-11-01T06:50Z", "America/New_York"),
              "2026-11-01T05:45Z");
}

TEST(CronScheduleTest, LastFiringAndNextFiringAgree)
{
    const char *const expressions[] = {"*/7 * * * *", "30 2 * * *", "0 * * * *", "15 1 * * SUN",
                                       "0 0 31 * *"};
    for (const char *zone_name : {"UTC", "Europe/Berlin", "America/New_York"}) {
        TimeZone zone = TimeZone::named(zone_name);
        for (const char *expression : expressions) {
            CronSchedule schedule = CronSchedule::parse(expression);
            // Every 37 minutes across both 2026 changes of Berlin and New York.
            for (std::time_t at = utc("2026-03-07T00:00Z"); at < utc("2026-03-31T00:00Z");
                 at += 37 * 60) {
                std::time_t last = *schedule.last_at_or_before(at, zone);
                EXPECT_LE(last, at);
                EXPECT_EQ(*schedule.next_after(last - 1, zone), last) << expression << zone_name;
                EXPECT_GT(*schedule.next_after(last, zone), at) << expression << zone_name;
            }
        }
    }
}

std::string parse_error(const std::string &expression)
{
    try {
        CronSchedule::parse(expression);
    } catch (const InvalidValue &e) {
        return e.what();
    }
    return "(no InvalidValue)";
}

TEST(CronScheduleTest, WrongNumberOfFields)
{
    EXPECT_EQ(parse_error("0 3 * *"),
              "invalid schedule \"0 3 * *\": expected 5 fields (minute hour day-of-month month "
              "day-of-week) or a macro such as @daily, got 4");
    EXPECT_EQ(parse_error("0 3 * * * 2026"),
              "invalid schedule \"0 3 * * * 2026\": expected 5 fields (minute hour day-of-month "
              "month day-of-week) or a macro such as @daily, got 6");
    EXPECT_EQ(parse_error(""), "invalid schedule \"\": expected 5 fields (minute hour "
                               "day-of-month month day-of-week) or a macro such as @daily, got 0");
}

TEST(CronScheduleTest, ValueOutOfRange)
{
    EXPECT_EQ(parse_error("0 25 * * *"),
              "invalid schedule \"0 25 * * *\": hour field \"25\" is out of range 0-23");
    EXPECT_EQ(parse_error("0 1,25 * * *"),
              "invalid schedule \"0 1,25 * * *\": hour field \"1,25\": \"25\" is out of range "
              "0-23");
    EXPECT_EQ(parse_error("60 * * * *"),
              "invalid schedule \"60 * * * *\": minute field \"60\" is out of range 0-59");
    EXPECT_EQ(parse_error("0 0 0 * *"),
              "invalid schedule \"0 0 0 * *\": day-of-month field \"0\" is out of range 1-31");
    EXPECT_EQ(parse_error("0 0 1 13 *"),
              "invalid schedule \"0 0 1 13 *\": month field \"13\" is out of range 1-12");
    EXPECT_EQ(parse_error("0 0 * * 8"),
              "invalid schedule \"0 0 * * 8\": day-of-week field \"8\" is out of range 0-7");
}

TEST(CronScheduleTest, NotANumberOrName)
{
    EXPECT_EQ(parse_error("x * * * *"),
              "invalid schedule \"x * * * *\": minute field \"x\" is not a number");
    EXPECT_EQ(parse_error("0 0 1 JANUARY *"),
              "invalid schedule \"0 0 1 JANUARY *\": month field \"JANUARY\" is not a number or "
              "a month name (JAN-DEC)");
    EXPECT_EQ(parse_error("0 0 * * MON-FUN"),
              "invalid schedule \"0 0 * * MON-FUN\": day-of-week field \"MON-FUN\": \"FUN\" is "
              "not a number or a day name (SUN-SAT)");
    // Names belong to their own fields.
    EXPECT_EQ(parse_error("0 0 MON * *"),
              "invalid schedule \"0 0 MON * *\": day-of-month field \"MON\" is not a number");
}

TEST(CronScheduleTest, RangeThatEndsBeforeItStarts)
{
    EXPECT_EQ(parse_error("0 5-2 * * *"),
              "invalid schedule \"0 5-2 * * *\": hour field \"5-2\" ends before it starts");
    EXPECT_EQ(parse_error("0 0 * * FRI-MON"), "invalid schedule \"0 0 * * FRI-MON\": day-of-week "
                                              "field \"FRI-MON\" ends before it starts");
}

TEST(CronScheduleTest, BadSteps)
{
    EXPECT_EQ(parse_error("*/0 * * * *"),
              "invalid schedule \"*/0 * * * *\": minute field \"*/0\" needs a step from 1 to 59");
    EXPECT_EQ(parse_error("0 */x * * *"),
              "invalid schedule \"0 */x * * *\": hour field \"*/x\" needs a step from 1 to 23");
    EXPECT_EQ(parse_error("5/15 * * * *"),
              "invalid schedule \"5/15 * * * *\": minute field \"5/15\" has a step but no range: "
              "write 5-59/15 or */15");
}

TEST(CronScheduleTest, EmptyListItem)
{
    EXPECT_EQ(parse_error("1,,2 * * * *"),
              "invalid schedule \"1,,2 * * * *\": minute field \"1,,2\" has an empty list item");
}

TEST(CronScheduleTest, BadMacros)
{
    EXPECT_EQ(parse_error("@reboot"),
              "invalid schedule \"@reboot\": unknown macro \"@reboot\"; use @yearly, @annually, "
              "@monthly, @weekly, @daily, @midnight or @hourly");
    EXPECT_EQ(parse_error("@daily 5"),
              "invalid schedule \"@daily 5\": a macro such as @daily is the whole schedule");
}

TEST(CronScheduleTest, ErrorsAreInvalidValues)
{
    EXPECT_THROW(CronSchedule::parse("0 25 * * *"), InvalidValue);
    EXPECT_NO_THROW(CronSchedule::parse("0 3 * * *"));
}

} // namespace
} // namespace lokbackup
