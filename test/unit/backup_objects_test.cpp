#include "core/storage/backup_objects.hpp"
#include "core/storage/object_key.hpp"
#include "core/storage/open_storage.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace lokbackup
{
namespace
{

namespace fs = std::filesystem;
using test::TempDir;
using test::write_file;

const std::string object = "app/2026/11/app-daily-20261125T030000Z-42.sql.zst";

void write_object(Storage &storage, const std::string &key, const std::string &data)
{
    auto writer = storage.create(key);
    writer->write(data.data(), data.size());
    writer->finish();
}

TEST(BackupObjects, RemovesTheObjectItsManifestAndWhatInterruptedWritersLeft)
{
    TempDir root;
    auto storage = open_storage(StorageConfig{root.path().string()});
    write_object(*storage, object, "dump");
    write_object(*storage, manifest_key(object), "{}");
    // What a writer killed before finish() leaves, of the object and of the manifest.
    write_file(root.path() / (object + ".partial"), "half a dump");
    write_file(root.path() / (manifest_key(object) + ".partial"), "{");
    const std::string other = "app/2026/11/app-daily-20261126T030000Z-43.sql.zst";
    write_object(*storage, other, "another backup");

    remove_backup_objects(*storage, object);

    EXPECT_EQ(storage->list(""), std::vector<std::string>{other});
    EXPECT_TRUE(storage->incomplete_uploads().empty());
    EXPECT_FALSE(fs::exists(root.path() / (object + ".partial")));
}

TEST(BackupObjects, ABackupAlreadyGoneIsNotAnError)
{
    TempDir root;
    auto storage = open_storage(StorageConfig{root.path().string()});
    EXPECT_NO_THROW(remove_backup_objects(*storage, object));
    write_object(*storage, manifest_key(object), "{}");
    remove_backup_objects(*storage, object);
    EXPECT_NO_THROW(remove_backup_objects(*storage, object));
    EXPECT_TRUE(storage->list("").empty());
}

TEST(BackupObjects, AFailedRemovalIsReported)
{
    TempDir root;
    auto storage = open_storage(StorageConfig{root.path().string()});
    write_object(*storage, object, "dump");
    // A directory where the manifest should be cannot be removed as a file.
    fs::create_directories(root.path() / manifest_key(object) / "inside");
    EXPECT_THROW(remove_backup_objects(*storage, object), Error);
}

} // namespace
} // namespace lokbackup
