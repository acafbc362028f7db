#include "core/schedule/backup_type.hpp"
#include "core/base/error.hpp"

#include "time_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lokbackup
{
namespace
{

// The type of a backup taken at 03:00 on `day`, after backups on `earlier` days.
std::string type_of(const std::string &day, const std::vector<std::string> &earlier)
{
    std::vector<CivilTime> previous;
    for (const std::string &text : earlier)
        previous.push_back(test::local(text + " 03:00"));
    return std::string(
        backup_type_name(scheduled_backup_type(test::local(day + " 03:00"), previous)));
}

TEST(BackupTypeTest, TheFirstBackupEverIsMonthly)
{
    EXPECT_EQ(type_of("2026-06-17", {}), "monthly");
}

TEST(BackupTypeTest, TheFirstOfAMonthIsMonthly)
{
    EXPECT_EQ(type_of("2026-07-01", {"2026-06-29", "2026-06-30"}), "monthly");
    // The server was down on the 1st and 2nd: the 3rd is the month's first backup.
    EXPECT_EQ(type_of("2026-07-03", {"2026-06-29", "2026-06-30"}), "monthly");
    // The same month of another year does not count.
    EXPECT_EQ(type_of("2026-11-02", {"2025-11-01", "2025-11-03"}), "monthly");
}

TEST(BackupTypeTest, TheFirstOfAnIsoWeekIsWeekly)
{
    // 2026-06-15 is a Monday.
    EXPECT_EQ(type_of("2026-06-15", {"2026-06-01", "2026-06-13", "2026-06-14"}), "weekly");
    // Nothing since the Sunday before: Wednesday is the week's first.
    EXPECT_EQ(type_of("2026-06-17", {"2026-06-01", "2026-06-14"}), "weekly");
    // Week 45 of 2025 is not week 45 of 2026.
    EXPECT_EQ(type_of("2026-11-02", {"2025-11-03", "2026-11-01"}), "weekly");
}

TEST(BackupTypeTest, AnyOtherIsDaily)
{
    EXPECT_EQ(type_of("2026-06-16", {"2026-06-01", "2026-06-15"}), "daily");
    // The week's first backup was the month's: the week has one.
    EXPECT_EQ(type_of("2026-07-02", {"2026-06-30", "2026-07-01"}), "daily");
}

TEST(BackupTypeTest, IsoWeeksSpanTheNewYear)
{
    // Thursday 2026-12-31 and Friday 2027-01-01 are both in week 53 of 2026; the 1st is the
    // month's first backup, Saturday the 2nd shares the week with both.
    EXPECT_EQ(type_of("2027-01-01", {"2026-12-28", "2026-12-31"}), "monthly");
    EXPECT_EQ(type_of("2027-01-02", {"2026-12-28", "2026-12-31", "2027-01-01"}), "daily");
    // Sunday the 3rd still shares week 53 of 2026 with Saturday the 2nd.
    EXPECT_EQ(type_of("2027-01-03", {"2026-12-28", "2027-01-02"}), "daily");
    // Monday 2027-01-04 starts week 1 of 2027.
    EXPECT_EQ(type_of("2027-01-04", {"2027-01-01", "2027-01-02", "2027-01-03"}), "weekly");
    // Monday 2024-12-30 starts week 1 of 2025, so 2025-01-02 shares it with the 1st and the 30th.
    EXPECT_EQ(type_of("2025-01-02", {"2024-12-30", "2025-01-01"}), "daily");
    EXPECT_EQ(type_of("2024-12-31", {"2024-12-01", "2024-12-29"}), "weekly");
}

TEST(BackupTypeTest, NamesRoundTrip)
{
    for (BackupType type :
         {BackupType::daily, BackupType::weekly, BackupType::monthly, BackupType::manual})
        EXPECT_EQ(parse_backup_type(backup_type_name(type)), type);
    EXPECT_THROW(parse_backup_type("hourly"), InvalidValue);
}

} // namespace
} // namespace lokbackup
