#include "core/storage/checked_copy.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/storage/object_key.hpp"
#include "core/storage/open_storage.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

const std::string key = "sales/2026/11/sales-daily-20261125T030000Z-42.sql.zst";
const std::string manifest = R"({"id": 42})";

class CheckedCopyTest : public ::testing::Test
{
  protected:
    CheckedCopyTest()
        : data(test::mixed_data(3 << 20)),
          source(open_storage(StorageConfig(source_dir.path().string()))),
          destination(open_storage(StorageConfig(destination_dir.path().string())))
    {
        test::write_in_chunks(*source->create(key), data);
    }

    std::string copy(const CopiedObject &expected)
    {
        return test::error_message(
            [&] { copy_checked(*source->open(key), manifest, expected, *destination); });
    }

    std::string read(const std::string &object_key)
    {
        auto reader = destination->open(object_key);
        std::string text;
        char buffer[65536];
        while (std::size_t got = reader->read(buffer, sizeof buffer))
            text.append(buffer, got);
        return text;
    }

    test::TempDir source_dir, destination_dir;
    std::string data;
    std::unique_ptr<Storage> source, destination;
};

TEST_F(CheckedCopyTest, CopiesTheObjectAndItsManifest)
{
    EXPECT_EQ(copy({key, sha256_hex(data), data.size()}), "(no error)");
    EXPECT_EQ(read(key), data);
    EXPECT_EQ(read(manifest_key(key)), manifest);
}

TEST_F(CheckedCopyTest, AnotherChecksumLeavesNothing)
{
    std::string other = sha256_hex("something else");
    EXPECT_EQ(copy({key, other, data.size()}),
              "the object has SHA-256 " + sha256_hex(data) + ", not the recorded " + other);
    EXPECT_TRUE(destination->list("").empty());
}

TEST_F(CheckedCopyTest, AnotherSizeLeavesNothing)
{
    EXPECT_EQ(copy({key, sha256_hex(data), data.size() + 1}),
              "the object has " + std::to_string(data.size()) + " bytes, not the recorded " +
                  std::to_string(data.size() + 1));
    EXPECT_EQ(copy({key, sha256_hex(data), 10}), "the object is larger than the recorded 10 bytes");
    EXPECT_TRUE(destination->list("").empty());
}

TEST_F(CheckedCopyTest, AMismatchIsBackupDamaged)
{
    EXPECT_THROW(copy_checked(*source->open(key), manifest, {key, sha256_hex("x"), data.size()},
                              *destination),
                 BackupDamaged);
}

} // namespace
} // namespace lokbackup
