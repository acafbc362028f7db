#include "core/storage/open_storage.hpp"
#include "core/storage/stored_backups.hpp"

#include "core/storage/local_storage.hpp"
#include "core/storage/object_key.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

const std::string sha_a(64, 'a');
const std::string sha_b(64, 'b');

StoredBackup stored(std::int64_t id, std::string database, std::string finished_at,
                    bool object_present = true, const std::string &sha256 = sha_a)
{
    StoredBackup backup;
    backup.manifest.id = id;
    backup.manifest.database = std::move(database);
    backup.manifest.finished_at = std::move(finished_at);
    backup.manifest.sha256 = sha256;
    backup.manifest.object_key = backup.manifest.database + "/" + std::to_string(id) + "-" +
                                 backup.manifest.finished_at + ".sql.zst";
    backup.manifest_key = manifest_key(backup.manifest.object_key);
    backup.object_present = object_present;
    return backup;
}

TEST(StoredBackups, LatestIsTheNewestBackupOfTheDatabase)
{
    std::vector<StoredBackup> backups = {
        stored(1, "app", "2026-11-01T03:00:00Z"), stored(3, "app", "2026-11-03T03:00:00Z"),
        stored(4, "other", "2026-11-04T03:00:00Z"), stored(2, "app", "2026-11-02T03:00:00Z")};
    LatestBackup latest = choose_latest(backups, "app");
    ASSERT_NE(latest.chosen, nullptr);
    EXPECT_EQ(latest.chosen->manifest.id, 3);
    EXPECT_TRUE(latest.missing.empty());
}

TEST(StoredBackups, LatestFallsBackPastBackupsWhoseObjectIsGone)
{
    std::vector<StoredBackup> backups = {stored(1, "app", "2026-11-01T03:00:00Z"),
                                         stored(3, "app", "2026-11-03T03:00:00Z", false),
                                         stored(2, "app", "2026-11-02T03:00:00Z", false)};
    LatestBackup latest = choose_latest(backups, "app");
    ASSERT_NE(latest.chosen, nullptr);
    EXPECT_EQ(latest.chosen->manifest.id, 1);
    ASSERT_EQ(latest.missing.size(), 2u);
    EXPECT_EQ(latest.missing[0]->manifest.id, 3);
    EXPECT_EQ(latest.missing[1]->manifest.id, 2);
}

TEST(StoredBackups, LatestWithEveryObjectGoneChoosesNothingAndNamesThem)
{
    std::vector<StoredBackup> backups = {stored(1, "app", "2026-11-01T03:00:00Z", false)};
    LatestBackup latest = choose_latest(backups, "app");
    EXPECT_EQ(latest.chosen, nullptr);
    EXPECT_EQ(latest.missing.size(), 1u);
    EXPECT_EQ(choose_latest(backups, "nothing").missing.size(), 0u);
}

TEST(StoredBackups, AnIdFindsItsOneBackup)
{
    std::vector<StoredBackup> backups = {stored(1, "app", "2026-11-01T03:00:00Z"),
                                         stored(2, "app", "2026-11-02T03:00:00Z")};
    ASSERT_NE(choose_by_id(backups, 2, std::nullopt), nullptr);
    EXPECT_EQ(choose_by_id(backups, 2, std::nullopt)->manifest.id, 2);
    EXPECT_EQ(choose_by_id(backups, 7, std::nullopt), nullptr);
}

TEST(StoredBackups, TwoDifferentBackupsWithOneIdAreRefusedNamingBoth)
{
    std::vector<StoredBackup> backups = {stored(2, "app", "2026-11-01T03:00:00Z", true, sha_a),
                                         stored(2, "app", "2026-12-01T03:00:00Z", true, sha_b)};
    std::string message = error_message([&] { choose_by_id(backups, 2, std::nullopt); });
    EXPECT_NE(message.find("2 different backups with id 2"), std::string::npos) << message;
    EXPECT_NE(message.find(backups[0].manifest.object_key), std::string::npos) << message;
    EXPECT_NE(message.find(backups[1].manifest.object_key), std::string::npos) << message;
    EXPECT_NE(message.find("--sha256"), std::string::npos) << message;
}

TEST(StoredBackups, Sha256PicksOneOfTwoBackupsWithOneId)
{
    std::vector<StoredBackup> backups = {stored(2, "app", "2026-11-01T03:00:00Z", true, sha_a),
                                         stored(2, "app", "2026-12-01T03:00:00Z", true, sha_b)};
    EXPECT_EQ(choose_by_id(backups, 2, sha_b), &backups[1]);
    EXPECT_EQ(choose_by_id(backups, 2, sha_a), &backups[0]);
    // A checksum that neither has picks neither.
    EXPECT_NE(error_message([&] { choose_by_id(backups, 2, std::string(64, 'c')); }), "");
}

TEST(StoredBackups, CopiesOfOneBackupAreOneBackup)
{
    std::vector<StoredBackup> backups = {stored(2, "app", "2026-11-01T03:00:00Z", false),
                                         stored(2, "app", "2026-11-01T03:00:01Z", true)};
    EXPECT_EQ(choose_by_id(backups, 2, std::nullopt), &backups[1]);
}

TEST(StoredBackups, HighestIdIsReadFromObjectAndManifestNames)
{
    std::vector<std::string> keys = {
        "app/2026/11/app-daily-20261101T030000Z-5.sql.zst",
        "app/2026/11/app-daily-20261101T030000Z-5.sql.zst.manifest.json",
        // An object whose manifest was never written still holds its id.
        "app/2026/11/app-daily-20261102T030000Z-12.sql.zst",
        "~roles/2026/11/roles-daily-20261101T030000Z-9.sql.zst.manifest.json", "README-99.txt"};
    EXPECT_EQ(highest_backup_id(keys), 12);
    EXPECT_EQ(highest_backup_id({}), 0);
}

TEST(StoredBackups, ManifestsAreReadWithTheirObjectsPresenceAndBadOnesSkipped)
{
    test::TempDir root;
    auto storage = open_storage(StorageConfig(root.path().string()));
    BackupDescription present;
    present.id = 1;
    present.database = "app";
    present.sha256 = sha_a;
    present.object_key = "app/present.sql.zst";
    BackupDescription gone = present;
    gone.id = 2;
    gone.object_key = "app/gone.sql.zst";
    auto write = [&](const std::string &key, const std::string &text) {
        auto writer = storage->create(key);
        writer->write(text.data(), text.size());
        writer->finish();
    };
    std::filesystem::create_directories(root.path() / "app");
    write(present.object_key, "object");
    write(manifest_key(present.object_key), manifest_to_json(present));
    write(manifest_key(gone.object_key), manifest_to_json(gone));
    write("app/broken.sql.zst.manifest.json", "{");

    std::vector<std::string> skipped;
    std::vector<StoredBackup> backups = read_stored_backups(
        *storage, storage->list(""),
        [&](const std::string &key, const std::string &) { skipped.push_back(key); });
    ASSERT_EQ(backups.size(), 2u);
    for (const StoredBackup &backup : backups)
        EXPECT_EQ(backup.object_present, backup.manifest.id == 1) << backup.manifest.id;
    EXPECT_EQ(skipped, std::vector<std::string>{"app/broken.sql.zst.manifest.json"});
}

} // namespace
} // namespace lokbackup
