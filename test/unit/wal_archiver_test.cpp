#include "core/crypto/age_decryptor.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/storage/open_storage.hpp"
#include "core/wal/wal_archiver.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace lokbackup
{
namespace
{

const char *const segment = "000000010000000000000003";

class WalArchiverTest : public ::testing::Test
{
  protected:
    WalArchiverTest()
    {
        std::filesystem::create_directory(storage_dir());
        std::filesystem::create_directory(dir_.path() / "pg_wal");
        settings_.storage = storage_dir().string();
    }
    std::filesystem::path storage_dir() const { return dir_.path() / "storage"; }
    std::string wal_file(const std::string &name, const std::string &content) const
    {
        std::filesystem::path path = dir_.path() / "pg_wal" / name;
        test::write_file(path, content);
        return path.string();
    }
    std::unique_ptr<Storage> storage() const
    {
        return open_storage(StorageConfig{settings_.storage});
    }
    WalArchiveAnswer archive(const std::string &name, const std::string &content)
    {
        auto store = storage();
        WalArchiver archiver(*store, settings_);
        return archiver.archive({wal_file(name, content), name});
    }
    // The object's bytes, decrypted with `identity` when it is encrypted, and decompressed.
    std::string stored_content(const std::string &key, const AgeIdentity *identity = nullptr)
    {
        auto object = storage()->open(key);
        test::StringSink raw;
        auto decompressor = make_decompressor(settings_.compression, raw);
        std::unique_ptr<Sink> decryptor;
        AgeDecryptionKeys keys;
        if (identity != nullptr) {
            keys.identities = {*identity};
            decryptor = make_age_decryptor(keys, *decompressor);
        }
        Sink &first = decryptor ? *decryptor : *decompressor;
        char buffer[65536];
        while (std::size_t got = object->read(buffer, sizeof buffer))
            first.write(buffer, got);
        first.finish();
        return raw.text;
    }
    std::vector<std::string> wal_keys() { return storage()->list(wal_archive_root); }

    test::TempDir dir_;
    WalArchiveSettings settings_;
};

// Three segments' worth of bytes that compress (WAL is mostly zeros and repeats).
std::string segment_content(unsigned seed, std::size_t size = 3 * 1024 * 1024 + 17)
{
    std::string content(size, '\0');
    std::mt19937 random(seed);
    for (std::size_t i = 0; i < size; i += 97)
        content[i] = static_cast<char>(random());
    return content;
}

TEST_F(WalArchiverTest, StoresTheFileCompressedUnderItsNameAndChecksum)
{
    std::string content = segment_content(1);
    WalArchiveAnswer answer = archive(segment, content);
    EXPECT_EQ(answer.outcome, WalArchiveAnswer::Outcome::stored);
    EXPECT_EQ(answer.sha256, sha256_hex(content));
    EXPECT_EQ(answer.key, wal_object_key(wal_file_name(segment), sha256_hex(content),
                                         Compression::zstd, false));
    EXPECT_EQ(answer.raw_bytes, content.size());
    EXPECT_LT(answer.stored_bytes, content.size() / 4);
    EXPECT_EQ(std::filesystem::file_size(storage()->location(answer.key)), answer.stored_bytes);
    EXPECT_EQ(stored_content(answer.key), content);
    EXPECT_EQ(wal_keys(), std::vector<std::string>{answer.key});
}

TEST_F(WalArchiverTest, TheSameFileAgainIsAlreadyStoredAndNotWrittenAgain)
{
    std::string content = segment_content(2);
    WalArchiveAnswer first = archive(segment, content);
    auto written = std::filesystem::last_write_time(storage()->location(first.key));
    WalArchiveAnswer again = archive(segment, content);
    EXPECT_EQ(again.outcome, WalArchiveAnswer::Outcome::already_stored);
    EXPECT_EQ(again.key, first.key);
    EXPECT_EQ(again.stored_bytes, 0u);
    EXPECT_EQ(std::filesystem::last_write_time(storage()->location(first.key)), written);
    EXPECT_EQ(wal_keys().size(), 1u);
}

TEST_F(WalArchiverTest, AnotherContentUnderTheSameNameIsRefusedAndNothingOverwritten)
{
    WalArchiveAnswer first = archive(segment, segment_content(3));
    std::string message = test::error_message([&] { archive(segment, segment_content(4)); });
    EXPECT_NE(
        message.find("a different WAL file named " + std::string(segment) + " is already archived"),
        std::string::npos)
        << message;
    EXPECT_NE(message.find("nothing was overwritten"), std::string::npos);
    EXPECT_EQ(wal_keys(), std::vector<std::string>{first.key});
    EXPECT_EQ(stored_content(first.key), segment_content(3));
}

TEST_F(WalArchiverTest, OtherFilesOfTheTimelineDoNotCount)
{
    archive("000000010000000000000003.partial", segment_content(5, 1000));
    archive("000000010000000000000003.00000028.backup", "START WAL LOCATION: 0/3000028\n");
    WalArchiveAnswer answer = archive(segment, segment_content(6, 1000));
    EXPECT_EQ(answer.outcome, WalArchiveAnswer::Outcome::stored);
    EXPECT_EQ(wal_keys().size(), 3u);
}

TEST_F(WalArchiverTest, KeysNotMadeByTheArchiverAreIgnored)
{
    WalFileName file = wal_file_name(segment);
    std::vector<std::string> keys = {wal_object_prefix(file) + "junk",
                                     wal_object_prefix(file) + std::string(64, 'b') + ".lz4"};
    EXPECT_FALSE(stored_wal_object(keys, file, std::string(64, 'a')));
    keys.push_back(wal_object_key(file, std::string(64, 'a'), Compression::gzip, true));
    EXPECT_EQ(stored_wal_object(keys, file, std::string(64, 'a')), keys.back());
}

TEST_F(WalArchiverTest, EncryptsAsBackupsDoWhenEncryptionIsSet)
{
    AgeIdentity identity = AgeIdentity::generate();
    settings_.encryption.recipients = identity.recipient().encoded();
    std::string content = segment_content(7);
    WalArchiveAnswer answer = archive(segment, content);
    EXPECT_EQ(answer.key.substr(answer.key.size() - 8), ".zst.age");
    EXPECT_EQ(test::read_file(storage()->location(answer.key)).substr(0, 21),
              "age-encryption.org/v1");
    EXPECT_EQ(stored_content(answer.key, &identity), content);
}

TEST_F(WalArchiverTest, RefusesANameThatIsNoWalFile)
{
    auto store = storage();
    WalArchiver archiver(*store, settings_);
    std::string path = wal_file(segment, "x");
    std::string message = test::error_message([&] {
        archiver.archive({path, "../../etc/passwd"});
    });
    EXPECT_NE(message.find("allowed are a segment"), std::string::npos) << message;
    EXPECT_TRUE(wal_keys().empty());
}

TEST_F(WalArchiverTest, AMissingFileFailsNamingIt)
{
    auto store = storage();
    WalArchiver archiver(*store, settings_);
    std::string message = test::error_message([&] {
        archiver.archive({(dir_.path() / "pg_wal" / segment).string(), segment});
    });
    EXPECT_NE(message.find("could not open WAL file"), std::string::npos) << message;
    EXPECT_TRUE(wal_keys().empty());
}

// A file where the archive's directory should be: no one, root included, can write there.
TEST_F(WalArchiverTest, StorageThatCannotBeWrittenFailsAndStoresNothing)
{
    test::write_file(storage_dir() / "~wal", "in the way");
    std::string message = test::error_message([&] { archive(segment, segment_content(8)); });
    EXPECT_NE(message.find("~wal"), std::string::npos) << message;
    EXPECT_EQ(test::read_file(storage_dir() / "~wal"), "in the way");
}

} // namespace
} // namespace lokbackup
