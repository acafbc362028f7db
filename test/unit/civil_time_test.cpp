#include "core/schedule/civil_time.hpp"

#include "time_test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::local;
using test::local_text;

TEST(CivilTimeTest, SecondsAgreeWithTheCLibraryBeforeAndAfterTheEpoch)
{
    // Every 997,001 seconds (about 11.5 days) from 1901 to 2200.
    for (std::int64_t seconds = -2200000000; seconds < 7258118400; seconds += 997001) {
        std::time_t time = static_cast<std::time_t>(seconds);
        std::tm fields{};
        ASSERT_TRUE(gmtime_r(&time, &fields));
        CivilTime civil = civil_from_seconds(seconds);
        ASSERT_EQ(civil.year, fields.tm_year + 1900) << seconds;
        ASSERT_EQ(civil.month, fields.tm_mon + 1) << seconds;
        ASSERT_EQ(civil.day, fields.tm_mday) << seconds;
        ASSERT_EQ(civil.hour, fields.tm_hour) << seconds;
        ASSERT_EQ(civil.minute, fields.tm_min) << seconds;
        ASSERT_EQ(civil.second, fields.tm_sec) << seconds;
        ASSERT_EQ(weekday(civil.year, civil.month, civil.day), fields.tm_wday) << seconds;
        ASSERT_EQ(seconds_from_civil(civil), seconds);
    }
}

TEST(CivilTimeTest, MonthLengths)
{
    EXPECT_EQ(days_in_month(2026, 2), 28);
    EXPECT_EQ(days_in_month(2028, 2), 29);
    EXPECT_EQ(days_in_month(2100, 2), 28);
    EXPECT_EQ(days_in_month(2000, 2), 29);
    EXPECT_EQ(days_in_month(2026, 4), 30);
    EXPECT_EQ(days_in_month(2026, 12), 31);
}

TEST(CivilTimeTest, IsoWeeksBelongToTheYearOfTheirThursday)
{
    auto week = [](int year, int month, int day) {
        IsoWeek iso = iso_week(year, month, day);
        return std::to_string(iso.year) + "-W" + std::to_string(iso.week);
    };
    EXPECT_EQ(week(2026, 12, 31), "2026-W53"); // Thursday
    EXPECT_EQ(week(2027, 1, 1), "2026-W53");   // Friday
    EXPECT_EQ(week(2027, 1, 3), "2026-W53");   // Sunday
    EXPECT_EQ(week(2027, 1, 4), "2027-W1");    // Monday
    EXPECT_EQ(week(2024, 12, 30), "2025-W1");  // Monday of the week of 2 January 2025
    EXPECT_EQ(week(2021, 1, 3), "2020-W53");
    EXPECT_EQ(week(2026, 1, 1), "2026-W1"); // Thursday
    EXPECT_EQ(week(2026, 6, 15), "2026-W25");
}

TEST(CivilTimeTest, AddingMonthsClampsTheDay)
{
    EXPECT_EQ(local_text(add_months(local("2026-03-31 03:30"), -1)), "2026-02-28 03:30:00");
    EXPECT_EQ(local_text(add_months(local("2028-03-31 03:30"), -1)), "2028-02-29 03:30:00");
    EXPECT_EQ(local_text(add_months(local("2026-12-31 03:30"), -12)), "2025-12-31 03:30:00");
    EXPECT_EQ(local_text(add_months(local("2026-01-15"), -13)), "2024-12-15 00:00:00");
    EXPECT_EQ(local_text(add_months(local("2026-11-30"), 3)), "2027-02-28 00:00:00");
}

} // namespace
} // namespace lokbackup
