#include "core/base/error.hpp"
#include "core/wal/wal_retention.hpp"
#include "core/wal/wal_retention_request.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace lokbackup
{
namespace
{

const std::string sha(64, 'c');

ListedObject wal(const std::string &name, std::uint64_t size = 100)
{
    return {"~wal/" + name.substr(0, 8) + "/" + name + "-" + sha + ".zst", size};
}

// An archive across two timelines: timeline 2 branched off at segment 5.
std::vector<ListedObject> archive()
{
    return {wal("000000010000000000000003"),
            wal("000000010000000000000004"),
            wal("000000010000000000000005.partial"),
            wal("000000010000000000000004.00000028.backup"),
            wal("00000002.history", 10),
            wal("000000020000000000000005"),
            wal("000000020000000000000006"),
            wal("000000020000000100000000"),
            {"~wal/00000001/notes.txt", 7},
            {"~cluster/2026/12/cluster-manual-20261203T000000Z-4.tar.zst", 1000}};
}

std::vector<std::string> names(std::vector<std::string> keys)
{
    for (std::string &key : keys)
        key = key.substr(14, key.find('-') - 14);
    std::sort(keys.begin(), keys.end());
    return keys;
}

TEST(WalRetention, RemovesNothingWithoutABaseBackup)
{
    WalRetentionPlan plan = plan_wal_retention(archive(), std::nullopt);
    EXPECT_TRUE(plan.expired.empty());
    EXPECT_EQ(plan.kept.objects, 10u);
    EXPECT_EQ(plan.kept.bytes, 100u * 7 + 10 + 7 + 1000);
    EXPECT_EQ(plan.kept.oldest_wal, "000000010000000000000003");
    EXPECT_EQ(plan.kept.newest_wal, "000000020000000100000000");
}

TEST(WalRetention, RemovesWhatIsBelowTheOldestKeptBaseBackupOnEveryTimeline)
{
    WalRetentionPlan plan = plan_wal_retention(archive(), std::string("000000020000000000000005"));
    EXPECT_EQ(names(plan.expired),
              (std::vector<std::string>{"000000010000000000000003", "000000010000000000000004",
                                        "000000010000000000000004.00000028.backup"}));
    EXPECT_EQ(plan.kept.objects, 7u);
    EXPECT_EQ(plan.kept.oldest_wal, "000000010000000000000005.partial");
    EXPECT_EQ(plan.kept.newest_wal, "000000020000000100000000");
}

TEST(WalRetention, KeepsHistoryFilesAndForeignObjectsWhateverTheirAge)
{
    WalRetentionPlan plan = plan_wal_retention(archive(), std::string("000000020000000200000000"));
    for (const std::string &key : plan.expired) {
        EXPECT_EQ(key.find(".history"), std::string::npos) << key;
        EXPECT_EQ(key.find("notes.txt"), std::string::npos) << key;
        EXPECT_EQ(key.find("~cluster"), std::string::npos) << key;
    }
    EXPECT_EQ(plan.expired.size(), 7u);
    EXPECT_EQ(plan.kept.objects, 3u);
    EXPECT_EQ(plan.kept.oldest_wal, "");
    EXPECT_EQ(plan.kept.newest_wal, "");
}

TEST(WalRetention, NeverRemovesTheSegmentTheBackupStartsIn)
{
    WalRetentionPlan plan = plan_wal_retention(archive(), std::string("000000010000000000000004"));
    EXPECT_EQ(names(plan.expired), (std::vector<std::string>{"000000010000000000000003"}));
}

TEST(WalRetention, RefusesAStartThatIsNoSegment)
{
    EXPECT_THROW(plan_wal_retention(archive(), std::string("00000002.history")), InvalidValue);
    EXPECT_THROW(plan_wal_retention(archive(), std::string("../../x")), InvalidValue);
}

TEST(WalRetention, RequestAndResultRoundTrip)
{
    WalRetentionRequest request{{"/var/backups", {}}, std::string("000000010000000000000004")};
    WalRetentionRequest read =
        wal_retention_request_from_json(wal_retention_request_to_json(request));
    EXPECT_EQ(read.storage.storage, "/var/backups");
    EXPECT_EQ(read.keep_from, request.keep_from);
    request.keep_from.reset();
    EXPECT_FALSE(wal_retention_request_from_json(wal_retention_request_to_json(request)).keep_from);

    WalRetentionResult result;
    result.ok = true;
    result.removed = 3;
    result.kept = {5, 500, "000000010000000000000004", "000000010000000000000009"};
    WalRetentionResult back = wal_retention_result_from_json(wal_retention_result_to_json(result));
    EXPECT_TRUE(back.ok);
    EXPECT_EQ(back.removed, 3u);
    EXPECT_EQ(back.kept.bytes, 500u);
    EXPECT_EQ(back.kept.newest_wal, "000000010000000000000009");
    WalRetentionResult failed;
    failed.error = "cannot list";
    EXPECT_EQ(wal_retention_result_from_json(wal_retention_result_to_json(failed)).error,
              "cannot list");
    EXPECT_THROW(wal_retention_result_from_json("{\"result\": \"maybe\"}"), Error);
}

} // namespace
} // namespace lokbackup
