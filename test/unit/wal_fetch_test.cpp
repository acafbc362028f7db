#include "core/base/error.hpp"
#include "core/pipeline/codec.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/storage/local_storage.hpp"
#include "core/storage/open_storage.hpp"
#include "core/wal/wal_fetch.hpp"

#include "age_test_support.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sys/stat.h>

namespace lokbackup
{
namespace
{

using test::TempDir;

const std::string segment = "000000010000000000000003";

// An archive in a directory, written as the archive module writes it: compressed (then encrypted),
// under the key that names the raw file's SHA-256.
class WalFetchTest : public ::testing::Test
{
  protected:
    WalFetchTest()
        : storage_(open_storage(StorageConfig((archive_.path()).string()))),
          content_(test::mixed_data(200000))
    {
        std::filesystem::create_directory(pg_wal());
    }

    std::filesystem::path pg_wal() const { return target_.path() / "pg_wal"; }
    std::string destination() const { return (pg_wal() / "RECOVERYXLOG").string(); }

    // Stores `stored_bytes` (already compressed) under the key of a file whose SHA-256 is `sha`.
    std::string store(const std::string &name, const std::string &sha,
                      const std::string &stored_bytes, bool encrypted = false)
    {
        std::string key = wal_object_key(wal_file_name(name), sha, Compression::zstd, encrypted);
        test::write_in_chunks(*storage_->create(key), stored_bytes);
        return key;
    }
    static std::string compressed(const std::string &raw)
    {
        test::StringSink out;
        test::write_in_chunks(*make_compressor(Compression::zstd, 0, out), raw);
        return out.text;
    }
    std::string archive_file(const std::string &raw, bool encrypted = false)
    {
        std::string bytes = compressed(raw);
        if (encrypted)
            bytes = test::age_encrypt(test::to({identity_}), bytes);
        return store(segment, sha256_hex(raw), bytes, encrypted);
    }
    ArchivedWalObject found()
    {
        std::optional<ArchivedWalObject> object =
            find_archived_wal(*storage_, wal_file_name(segment));
        EXPECT_TRUE(object);
        return *object;
    }
    // The destination and nothing else: no temporary file is left beside it.
    std::vector<std::string> pg_wal_files() const
    {
        std::vector<std::string> names;
        for (const auto &entry : std::filesystem::directory_iterator(pg_wal()))
            names.push_back(entry.path().filename().string());
        return names;
    }

    TempDir archive_;
    TempDir target_;
    std::unique_ptr<Storage> storage_;
    std::string content_;
    AgeIdentity identity_ = AgeIdentity::generate();
};

TEST_F(WalFetchTest, WritesTheFileWhoseChecksumIsTheKeys)
{
    archive_file(content_);
    fetch_archived_wal(*storage_, found(), destination(), nullptr);
    EXPECT_EQ(test::read_file(destination()), content_);
    struct stat status {
    };
    ASSERT_EQ(::stat(destination().c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
    EXPECT_EQ(pg_wal_files(), std::vector<std::string>{"RECOVERYXLOG"});
}

TEST_F(WalFetchTest, AFileNotInTheArchiveIsNoneNotAnError)
{
    archive_file(content_);
    EXPECT_FALSE(find_archived_wal(*storage_, wal_file_name("000000010000000000000004")));
    EXPECT_FALSE(find_archived_wal(*storage_, wal_file_name("00000002.history")));
    // A segment whose name starts like the wanted one is another file.
    EXPECT_FALSE(find_archived_wal(*storage_, wal_file_name("00000001000000000000000A")));
}

TEST_F(WalFetchTest, ContentThatIsNotTheKeysChecksumNeverReachesTheDestination)
{
    // What an attacker or a bit flip in storage leaves: a valid stream of other content.
    std::string key = store(segment, sha256_hex(content_), compressed(content_ + "tampered"));
    test::write_file(destination(), "what PostgreSQL had");
    try {
        fetch_archived_wal(*storage_, found(), destination(), nullptr);
        FAIL() << "fetched";
    } catch (const BackupDamaged &damaged) {
        std::string message = damaged.what();
        EXPECT_NE(message.find("checksum mismatch for WAL file " + segment), std::string::npos);
        EXPECT_NE(message.find(key), std::string::npos);
        EXPECT_NE(message.find("expected SHA-256 " + sha256_hex(content_)), std::string::npos);
        EXPECT_NE(message.find("found " + sha256_hex(content_ + "tampered")), std::string::npos);
    }
    EXPECT_EQ(test::read_file(destination()), "what PostgreSQL had");
    EXPECT_EQ(pg_wal_files(), std::vector<std::string>{"RECOVERYXLOG"});
}

TEST_F(WalFetchTest, AnObjectThatDoesNotDecompressLeavesNothing)
{
    std::string bytes = compressed(content_);
    bytes[bytes.size() / 2] ^= 0x5a;
    store(segment, sha256_hex(content_), bytes);
    EXPECT_THROW(fetch_archived_wal(*storage_, found(), destination(), nullptr), Error);
    EXPECT_TRUE(pg_wal_files().empty());
}

TEST_F(WalFetchTest, ATruncatedObjectLeavesNothing)
{
    std::string bytes = compressed(content_);
    store(segment, sha256_hex(content_), bytes.substr(0, bytes.size() - 10));
    EXPECT_THROW(fetch_archived_wal(*storage_, found(), destination(), nullptr), Error);
    EXPECT_TRUE(pg_wal_files().empty());
}

TEST_F(WalFetchTest, DecryptsAnEncryptedArchiveWithItsIdentity)
{
    archive_file(content_, true);
    ArchivedWalObject object = found();
    EXPECT_TRUE(object.encrypted);
    EXPECT_THROW(fetch_archived_wal(*storage_, object, destination(), nullptr), Error);
    AgeDecryptionKeys other = test::with({AgeIdentity::generate()});
    EXPECT_THROW(fetch_archived_wal(*storage_, object, destination(), &other), AgeKeyRefused);
    EXPECT_TRUE(pg_wal_files().empty());
    AgeDecryptionKeys keys = test::with({identity_});
    fetch_archived_wal(*storage_, object, destination(), &keys);
    EXPECT_EQ(test::read_file(destination()), content_);
}

TEST_F(WalFetchTest, TwoDifferentContentsUnderOneNameAreRefusedLoudly)
{
    std::string first = archive_file(content_);
    std::string second = store(segment, sha256_hex("other"), compressed("other"));
    try {
        find_archived_wal(*storage_, wal_file_name(segment));
        FAIL() << "chose one";
    } catch (const BackupDamaged &damaged) {
        std::string message = damaged.what();
        EXPECT_NE(message.find("inconsistent"), std::string::npos);
        EXPECT_NE(message.find(first), std::string::npos);
        EXPECT_NE(message.find(second), std::string::npos);
    }
}

TEST_F(WalFetchTest, CopiesOfOneContentAreOneFileAndTheOneInClearIsTaken)
{
    archive_file(content_, true);
    std::string clear = archive_file(content_);
    EXPECT_EQ(found().key, clear);
}

} // namespace
} // namespace lokbackup
