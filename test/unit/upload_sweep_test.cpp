#include "core/storage/local_storage.hpp"
#include "core/storage/upload_sweep.hpp"

#include "test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <utime.h>

using namespace lokbackup;

namespace
{

constexpr std::time_t now = 1796205600; // 2026-12-02T10:00:00Z
constexpr std::time_t hour = 3600;

std::vector<std::string> keys_of(const std::vector<IncompleteUpload> &uploads)
{
    std::vector<std::string> keys;
    for (const IncompleteUpload &upload : uploads)
        keys.push_back(upload.key);
    std::sort(keys.begin(), keys.end());
    return keys;
}

} // namespace

TEST(StaleUploads, OnlyThoseOlderThanADay)
{
    std::vector<IncompleteUpload> uploads = {{"a/old", "1", now - 25 * hour},
                                             {"a/fresh", "2", now - 23 * hour},
                                             {"a/just-a-day", "3", now - 24 * hour},
                                             {"a/future", "4", now + hour}};
    EXPECT_EQ(keys_of(stale_uploads(uploads, {}, now)), std::vector<std::string>{"a/old"});
}

TEST(StaleUploads, NeverThoseOfARunningBackupNorItsManifest)
{
    std::vector<IncompleteUpload> uploads = {{"a/running", "1", now - 48 * hour},
                                             {"a/running.manifest.json", "2", now - 48 * hour},
                                             {"a/running-longer", "3", now - 48 * hour}};
    EXPECT_EQ(keys_of(stale_uploads(uploads, {"a/running"}, now)),
              std::vector<std::string>{"a/running-longer"});
}

TEST(StaleUploads, TheAgeCanBeChosen)
{
    std::vector<IncompleteUpload> uploads = {{"a/x", "1", now - 2 * hour}};
    EXPECT_TRUE(stale_uploads(uploads, {}, now).empty());
    EXPECT_EQ(stale_uploads(uploads, {}, now, std::chrono::hours(1)).size(), 1u);
}

TEST(LocalUploadSweep, RemovesOldPartialFilesOnly)
{
    test::TempDir root;
    auto write = [&](const std::string &name, std::time_t modified) {
        std::filesystem::path path = std::filesystem::path(root.path()) / name;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path) << "x";
        struct utimbuf times = {modified, modified};
        ASSERT_EQ(utime(path.c_str(), &times), 0);
    };
    write("db/2026/12/old.sql.zst.partial", now - 30 * hour);
    write("db/2026/12/fresh.sql.zst.partial", now - hour);
    write("db/2026/12/running.sql.zst.partial", now - 30 * hour);
    write("db/2026/12/complete.sql.zst", now - 30 * hour);
    auto storage = open_local_storage(root.path());

    EXPECT_EQ(keys_of(storage->incomplete_uploads()),
              (std::vector<std::string>{"db/2026/12/fresh.sql.zst", "db/2026/12/old.sql.zst",
                                        "db/2026/12/running.sql.zst"}));
    SweepResult result = sweep_stale_uploads(*storage, {"db/2026/12/running.sql.zst"}, now);
    EXPECT_EQ(result.found, 3u);
    EXPECT_EQ(result.discarded, 1u);
    std::filesystem::path dir = std::filesystem::path(root.path()) / "db/2026/12";
    EXPECT_FALSE(std::filesystem::exists(dir / "old.sql.zst.partial"));
    EXPECT_TRUE(std::filesystem::exists(dir / "fresh.sql.zst.partial"));
    EXPECT_TRUE(std::filesystem::exists(dir / "running.sql.zst.partial"));
    EXPECT_TRUE(std::filesystem::exists(dir / "complete.sql.zst"));
}
