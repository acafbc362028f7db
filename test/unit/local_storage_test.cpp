#include "core/storage/open_storage.hpp"
#include "core/storage/local_storage.hpp"
#include "core/storage/storage.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sys/stat.h>

namespace lokbackup
{
namespace
{

namespace fs = std::filesystem;
using test::error_message;

const std::string key = "sales/2026/11/sales-daily-20261125T030000Z-42.sql.zst";

class LocalStorageTest : public ::testing::Test
{
  protected:
    fs::path root() const { return dir.path(); }

    void put(const std::string &object_key, std::string_view data)
    {
        auto writer = storage->create(object_key);
        test::write_in_chunks(*writer, data);
    }

    std::string get(const std::string &object_key)
    {
        auto reader = storage->open(object_key);
        std::string data;
        char buffer[1000];
        while (std::size_t count = reader->read(buffer, sizeof buffer))
            data.append(buffer, count);
        return data;
    }

    std::vector<std::string> sorted_list(const std::string &prefix)
    {
        std::vector<std::string> keys = storage->list(prefix);
        std::sort(keys.begin(), keys.end());
        return keys;
    }

    test::TempDir dir;
    std::unique_ptr<Storage> storage = open_storage(StorageConfig{root().string() + "/"});
};

mode_t permissions(const fs::path &path)
{
    struct stat status {
    };
    EXPECT_EQ(stat(path.c_str(), &status), 0) << path;
    return status.st_mode & 07777;
}

TEST_F(LocalStorageTest, DescriptionNamesTheRoot)
{
    EXPECT_EQ(storage->describe(), "local directory " + root().string());
}

// A missing root is a mistyped path or a file system that is not mounted: creating it would put
// backups on the wrong disk.
TEST(LocalStorageRoot, AMissingRootIsRefusedAndNotCreated)
{
    test::TempDir dir;
    fs::path root = dir.path() / "not-mounted" / "backups";
    std::unique_ptr<Storage> storage = open_storage(StorageConfig{root.string()});
    EXPECT_EQ(error_message([&] { storage->create(key); }),
              "storage directory \"" + root.string() +
                  "\" does not exist (a mistyped path, or a file system that is not mounted?): "
                  "create it, owned by the server's operating-system user, mode 0700");
    EXPECT_FALSE(fs::exists(root.parent_path()));
}

TEST(LocalStorageRoot, ARootRemovedAfterOpeningIsNotCreatedAgain)
{
    test::TempDir dir;
    fs::path root = dir.path() / "backups";
    fs::create_directory(root);
    std::unique_ptr<Storage> storage = open_storage(StorageConfig{root.string()});
    fs::remove(root);
    EXPECT_THROW(storage->create(key), Error);
    EXPECT_FALSE(fs::exists(root));
}

TEST(LocalStorageRoot, TheDefaultDirectoryIsCreatedPrivate)
{
    test::TempDir dir;
    fs::path directory = dir.path() / "lokbackup";
    create_storage_directory(directory.string());
    EXPECT_TRUE(fs::is_directory(directory));
    EXPECT_EQ(permissions(directory), 0700u);
    EXPECT_NO_THROW(create_storage_directory(directory.string())) << "it may exist already";
}

TEST_F(LocalStorageTest, WrittenObjectReadsBack)
{
    std::string data = test::mixed_data(5 * 1024 * 1024 + 3);
    put(key, data);
    EXPECT_TRUE(get(key) == data);
    EXPECT_EQ(storage->location(key), (root() / key).string());
    EXPECT_EQ(permissions(root() / key), 0600u);
    EXPECT_EQ(permissions(root() / "sales" / "2026"), 0700u);
    EXPECT_FALSE(fs::exists(root() / (key + ".partial")));
}

// A full disk is reported as what it is: a failed write of the object's file.
TEST_F(LocalStorageTest, AFailedWriteNamesTheFile)
{
    fs::path partial = root() / (key + ".partial");
    fs::create_directories(partial.parent_path());
    fs::create_symlink("/dev/full", partial);
    EXPECT_EQ(error_message([&] { put(key, test::mixed_data(3 * 1024 * 1024)); }),
              "could not write to " + partial.string() + ": No space left on device");
}

TEST_F(LocalStorageTest, EmptyObjectIsAnObject)
{
    put("empty", "");
    EXPECT_EQ(get("empty"), "");
    EXPECT_EQ(sorted_list(""), std::vector<std::string>{"empty"});
}

TEST_F(LocalStorageTest, CreatingAgainReplacesTheObject)
{
    put(key, "first version, longer");
    put(key, "second");
    EXPECT_EQ(get(key), "second");
}

TEST_F(LocalStorageTest, ObjectAppearsOnlyWhenFinished)
{
    auto writer = storage->create(key);
    writer->write("partial dump", 12);
    EXPECT_TRUE(fs::exists(root() / (key + ".partial")));
    EXPECT_TRUE(storage->list("").empty());
    EXPECT_EQ(error_message([&] { storage->open(key); }),
              "backup object not found: " + (root() / key).string());
    writer->finish();
    EXPECT_EQ(sorted_list(""), std::vector<std::string>{key});
    EXPECT_EQ(get(key), "partial dump");
}

TEST_F(LocalStorageTest, UnfinishedWriterLeavesNothing)
{
    {
        auto writer = storage->create(key);
        writer->write("interrupted", 11);
    }
    EXPECT_FALSE(fs::exists(root() / (key + ".partial")));
    EXPECT_FALSE(fs::exists(root() / key));
    EXPECT_TRUE(storage->list("").empty());
}

TEST_F(LocalStorageTest, AbortDiscardsWhatWasWritten)
{
    auto writer = storage->create(key);
    writer->write("aborted", 7);
    writer->abort();
    EXPECT_FALSE(fs::exists(root() / (key + ".partial")));
    writer.reset();
    EXPECT_TRUE(storage->list("").empty());
}

TEST_F(LocalStorageTest, DiscardIncompleteRemovesALeftOverPartialFile)
{
    put(key, "complete");
    std::string other = "sales/2026/11/sales-daily-20261126T030000Z-43.sql.zst";
    test::write_file(root() / (other + ".partial"), "left by a crashed backup");
    EXPECT_EQ(sorted_list(""), std::vector<std::string>{key});
    storage->discard_incomplete(other);
    EXPECT_FALSE(fs::exists(root() / (other + ".partial")));
    storage->discard_incomplete(other);
    storage->discard_incomplete(key);
    EXPECT_EQ(get(key), "complete");
}

TEST_F(LocalStorageTest, ListFiltersByPrefix)
{
    std::vector<std::string> keys = {
        "sales/2026/11/a.sql.zst",  "sales/2026/11/a.sql.zst.manifest.json",
        "sales/2026/12/b.sql.zst",  "salesforce/2026/12/c.sql",
        "~roles/2026/12/roles.sql",
    };
    for (const std::string &object_key : keys)
        put(object_key, object_key);
    EXPECT_EQ(sorted_list(""), keys);
    EXPECT_EQ(sorted_list("sales"), std::vector<std::string>(keys.begin(), keys.begin() + 4));
    EXPECT_EQ(sorted_list("sales/"), std::vector<std::string>(keys.begin(), keys.begin() + 3));
    EXPECT_EQ(sorted_list("sales/2026/11/a.sql.zst"),
              std::vector<std::string>(keys.begin(), keys.begin() + 2));
    EXPECT_EQ(sorted_list("sales/2026/1"),
              std::vector<std::string>(keys.begin(), keys.begin() + 3));
    EXPECT_TRUE(storage->list("inventory/").empty());
    EXPECT_TRUE(storage->list("sales/2026/11/b").empty());
}

TEST_F(LocalStorageTest, RemoveDeletesTheObjectAndEmptyDirectories)
{
    std::string neighbour = "sales/2026/11/other.sql";
    put(key, "one");
    put(neighbour, "two");
    storage->remove(key);
    EXPECT_FALSE(fs::exists(root() / key));
    EXPECT_EQ(sorted_list(""), std::vector<std::string>{neighbour});
    storage->remove(neighbour);
    EXPECT_TRUE(storage->list("").empty());
    EXPECT_FALSE(fs::exists(root() / "sales"));
    EXPECT_TRUE(fs::is_directory(root()));
}

TEST_F(LocalStorageTest, RemovingAMissingObjectIsNotAnError)
{
    EXPECT_NO_THROW(storage->remove(key));
    EXPECT_TRUE(fs::is_directory(root()));
}

TEST_F(LocalStorageTest, WritingAfterRemovalRecreatesDirectories)
{
    put(key, "one");
    storage->remove(key);
    put(key, "two");
    EXPECT_EQ(get(key), "two");
}

TEST_F(LocalStorageTest, MissingObjectIsNamed)
{
    EXPECT_EQ(error_message([&] { storage->open("nowhere/x.sql"); }),
              "backup object not found: " + (root() / "nowhere/x.sql").string());
}

TEST_F(LocalStorageTest, BadKeysAreRejected)
{
    for (const std::string &bad :
         std::vector<std::string>{"", "/etc/passwd", "../outside", "a/../../outside", "a/./b", ".",
                                  "a//b", "a/", "x.sql.partial", std::string("a\0b", 3)}) {
        std::string message = error_message([&] { storage->create(bad); });
        EXPECT_EQ(message.rfind("invalid object key \"", 0), 0u)
            << "key " << bad << ": " << message;
        EXPECT_THROW(storage->open(bad), Error) << bad;
        EXPECT_THROW(storage->remove(bad), Error) << bad;
        EXPECT_THROW(storage->discard_incomplete(bad), Error) << bad;
        EXPECT_THROW(storage->location(bad), Error) << bad;
    }
    EXPECT_THROW(storage->list("../"), Error);
    EXPECT_FALSE(fs::exists(dir.path() / "outside"));
}

TEST_F(LocalStorageTest, HasNoPresignedUrls)
{
    EXPECT_EQ(error_message([&] { storage->presigned_url(key, std::chrono::minutes(5)); }),
              "presigned URLs need S3 storage");
}

TEST(OpenStorage, OnlyAbsolutePathsAndS3AreAccepted)
{
    for (std::string spec : {"", "backups", "./backups", "S3://bucket/prefix", "gs://bucket"}) {
        EXPECT_THROW(open_storage(StorageConfig{spec}), InvalidValue) << spec;
        EXPECT_EQ(error_message([&] { open_storage(StorageConfig{spec}); }),
                  "invalid storage \"" + spec +
                      "\": use an absolute directory path or s3://bucket[/prefix]");
    }
}

TEST_F(LocalStorageTest, WrittenBytesAreAcknowledged)
{
    std::uint64_t acknowledged = 0;
    StorageConfig config{root().string()};
    config.acknowledged = [&acknowledged](std::uint64_t bytes) { acknowledged += bytes; };
    auto writer = open_storage(config)->create(key);
    std::string data = test::mixed_data(3 * 1024 * 1024 + 5);
    test::write_in_chunks(*writer, data);
    EXPECT_EQ(acknowledged, data.size());
}

} // namespace
} // namespace lokbackup
