#include "core/base/error.hpp"
#include "core/wal/base_backup_choice.hpp"
#include "core/wal/recovery_target.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

TEST(RecoveryTarget, ReadsTimesWithTheirZoneIntoUtc)
{
    EXPECT_EQ(recovery_target_time("2026-12-03 21:40:00+01").setting,
              "2026-12-03 20:40:00.000000+00");
    EXPECT_EQ(recovery_target_time("2026-12-03T20:40:00.25Z").setting,
              "2026-12-03 20:40:00.250000+00");
    EXPECT_EQ(recovery_target_time("2026-12-03 21:40:00.123456-05:30").setting,
              "2026-12-04 03:10:00.123456+00");
    // As psql prints a timestamptz in a session whose TimeZone is UTC.
    EXPECT_EQ(recovery_target_time("2026-01-01 00:00:00.5+00").setting,
              "2026-01-01 00:00:00.500000+00");
    EXPECT_EQ(recovery_target_time("2027-01-01 00:59:59+0100").setting,
              "2026-12-31 23:59:59.000000+00");
    EXPECT_EQ(parse_timestamp_with_zone("1970-01-01T00:00:01Z"), 1000000);
}

TEST(RecoveryTarget, RefusesTimesWithoutAZoneAndSaysWhy)
{
    for (const char *text :
         {"2026-12-03 21:40:00", "2026-12-03", "yesterday", "2026-02-30 10:00:00Z",
          "2026-12-03 24:00:00Z", "2026-12-03 21:40:00.1234567Z", "2026-12-03 21:40:00.Z",
          "2026-12-03 21:40:00+01 junk", "2026-12-03 21:40:00+16", "'; DROP TABLE x; --"}) {
        try {
            recovery_target_time(text);
            ADD_FAILURE() << text;
        } catch (const InvalidValue &error) {
            EXPECT_NE(std::string(error.what()).find("with its zone"), std::string::npos)
                << error.what();
        }
    }
}

TEST(RecoveryTarget, ReadsLsnsAsPostgresqlWritesThem)
{
    RecoveryTarget target = recovery_target_lsn("16/b374d848");
    EXPECT_EQ(target.lsn, 0x16B374D848ull);
    EXPECT_EQ(target.setting, "16/B374D848");
    EXPECT_THROW(recovery_target_lsn("16-B374D848"), InvalidValue);
    EXPECT_EQ(recovery_target_latest().setting, "");
}

std::vector<BaseBackupCandidate> candidates()
{
    return {
        {7, "2026-12-01T03:00:10Z", {1, "0/2000028", "0/2000100", "000000010000000000000002"}},
        {9, "2026-12-02T03:00:10.5Z", {1, "0/5000028", "0/5000100", "000000010000000000000005"}},
        {8, "2026-12-02T03:00:10Z", {1, "0/4000028", "0/4000100", "000000010000000000000004"}}};
}

// A finish is recorded to the second: the backup may have ended up to a second after it.
TEST(BaseBackupChoice, TakesTheNewestThatFinishedASecondBeforeTheTime)
{
    auto all = candidates();
    EXPECT_EQ(choose_base_backup(all, recovery_target_time("2026-12-02 03:00:11.4Z"), "s").id, 8);
    EXPECT_EQ(choose_base_backup(all, recovery_target_time("2026-12-02 03:00:11.5Z"), "s").id, 9);
    EXPECT_EQ(choose_base_backup(all, recovery_target_time("2026-12-01 23:00:11-05"), "s").id, 9);
    EXPECT_EQ(choose_base_backup(all, recovery_target_time("2026-12-02 03:00:10.9Z"), "s").id, 7);
    EXPECT_EQ(choose_base_backup(all, recovery_target_time("2026-12-01 12:00:00Z"), "s").id, 7);
}

TEST(BaseBackupChoice, TakesTheNewestThatStoppedAtOrBeforeTheLsn)
{
    auto all = candidates();
    EXPECT_EQ(choose_base_backup(all, recovery_target_lsn("0/4000100"), "s").id, 8);
    EXPECT_EQ(choose_base_backup(all, recovery_target_lsn("0/40000FF"), "s").id, 7);
    EXPECT_EQ(choose_base_backup(all, recovery_target_lsn("1/0"), "s").id, 9);
}

TEST(BaseBackupChoice, LatestIsTheNewest)
{
    EXPECT_EQ(choose_base_backup(candidates(), recovery_target_latest(), "s").id, 9);
}

TEST(BaseBackupChoice, ATargetBeforeEveryBackupSaysTheEarliestPoint)
{
    try {
        choose_base_backup(candidates(), recovery_target_time("2026-12-01 03:00:10.5Z"), "/backups");
        FAIL();
    } catch (const Error &error) {
        std::string message = error.what();
        EXPECT_NE(message.find("no base backup in /backups ends before time 2026-12-01 "
                               "03:00:10.500000+00"),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find("earliest point that can be restored is time 2026-12-01 "
                               "03:00:11.000000+00 (the end of base backup 7)"),
                  std::string::npos)
            << message;
    }
    try {
        choose_base_backup(candidates(), recovery_target_lsn("0/2000000"), "/backups");
        FAIL();
    } catch (const Error &error) {
        EXPECT_NE(std::string(error.what()).find("is LSN 0/2000100 (the end of base backup 7)"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_THROW(choose_base_backup({}, recovery_target_latest(), "/backups"), Error);
}

} // namespace
} // namespace lokbackup
