#include "core/base/error.hpp"
#include "core/wal/wal_archive_protocol.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

TEST(WalArchiveProtocol, SettingsTravelWithTheS3KeysAndEncryption)
{
    WalArchiveSettings settings;
    settings.storage = "s3://bucket/prefix";
    settings.s3.access_key_id = "AKIA-key";
    settings.s3.secret_access_key = "the secret";
    settings.compression = Compression::gzip;
    settings.compression_level = 9;
    settings.encryption.recipients = "age1abc";
    std::string json = wal_archive_settings_to_json(settings);
    EXPECT_EQ(json.find('\n'), std::string::npos) << "one line on the pipe";
    WalArchiveSettings back = wal_archive_settings_from_json(json);
    EXPECT_EQ(back.storage, "s3://bucket/prefix");
    EXPECT_EQ(back.s3.secret_access_key, "the secret");
    EXPECT_EQ(back.compression, Compression::gzip);
    EXPECT_EQ(back.compression_level, 9);
    EXPECT_EQ(back.encryption.recipients, "age1abc");
    EXPECT_TRUE(back.encryption.passphrase_file.empty());
}

TEST(WalArchiveProtocol, ASecondDestinationTravelsWithItsOwnKeysAndWhetherItIsRequired)
{
    WalArchiveSettings settings;
    settings.storage = "/var/backups";
    EXPECT_FALSE(wal_archive_settings_from_json(wal_archive_settings_to_json(settings)).copy)
        << "no copy unless one is set";
    StorageCopyRequest copy;
    copy.storage = "s3://offsite/pg";
    copy.s3.endpoint = "https://r2.example";
    copy.s3.access_key_id = "copy-key";
    copy.s3.secret_access_key = "copy secret";
    copy.required = false;
    settings.copy = copy;
    WalArchiveSettings back =
        wal_archive_settings_from_json(wal_archive_settings_to_json(settings));
    ASSERT_TRUE(back.copy);
    EXPECT_EQ(back.copy->storage, "s3://offsite/pg");
    EXPECT_EQ(back.copy->s3.endpoint, "https://r2.example");
    EXPECT_EQ(back.copy->s3.secret_access_key, "copy secret");
    EXPECT_FALSE(back.copy->required);
    EXPECT_TRUE(back.s3.secret_access_key.empty()) << "the copy's keys stay the copy's";
}

TEST(WalArchiveProtocol, AnAnswerCarriesTheFailureOfAnOptionalCopy)
{
    WalArchiveAnswer stored;
    stored.outcome = WalArchiveAnswer::Outcome::stored;
    stored.name = "000000010000000000000003";
    EXPECT_TRUE(
        wal_archive_answer_from_json(wal_archive_answer_to_json(stored)).copy_error.empty());
    stored.copy_error = "its copy in /mnt/offsite failed: Permission denied";
    WalArchiveAnswer back = wal_archive_answer_from_json(wal_archive_answer_to_json(stored));
    EXPECT_TRUE(back.ok()) << "archived in the primary all the same";
    EXPECT_EQ(back.copy_error, stored.copy_error);
}

TEST(WalArchiveProtocol, RefusesSettingsWithAnUnknownCodec)
{
    std::string message = test::error_message([] {
        wal_archive_settings_from_json(
            R"({"storage":"/x","compression":"lz4","compression_level":0})");
    });
    EXPECT_NE(message.find("WAL archive settings"), std::string::npos) << message;
    EXPECT_NE(message.find("zstd"), std::string::npos) << message;
}

TEST(WalArchiveProtocol, ARequestIsOneLineWithHostileNamesIntact)
{
    WalArchiveRequest request{"/data/pg_wal/000000010000000000000003\n\"x", "0000000A.history"};
    std::string json = wal_archive_request_to_json(request);
    EXPECT_EQ(json.find('\n'), std::string::npos);
    WalArchiveRequest back = wal_archive_request_from_json(json);
    EXPECT_EQ(back.path, request.path);
    EXPECT_EQ(back.name, request.name);
}

TEST(WalArchiveProtocol, AnswersSayStoredAlreadyStoredOrFailedAndWhy)
{
    WalArchiveAnswer stored;
    stored.outcome = WalArchiveAnswer::Outcome::stored;
    stored.name = "000000010000000000000003";
    stored.key = "~wal/00000001/000000010000000000000003-" + std::string(64, 'a') + ".zst";
    stored.sha256 = std::string(64, 'a');
    stored.raw_bytes = 16777216;
    stored.stored_bytes = 12345;
    WalArchiveAnswer back = wal_archive_answer_from_json(wal_archive_answer_to_json(stored));
    EXPECT_TRUE(back.ok());
    EXPECT_EQ(back.outcome, WalArchiveAnswer::Outcome::stored);
    EXPECT_EQ(back.key, stored.key);
    EXPECT_EQ(back.raw_bytes, 16777216u);
    EXPECT_EQ(back.stored_bytes, 12345u);

    stored.outcome = WalArchiveAnswer::Outcome::already_stored;
    EXPECT_EQ(wal_archive_answer_from_json(wal_archive_answer_to_json(stored)).outcome,
              WalArchiveAnswer::Outcome::already_stored);

    WalArchiveAnswer failed;
    failed.name = "000000010000000000000004";
    failed.error = "storage said \xff no";
    back = wal_archive_answer_from_json(wal_archive_answer_to_json(failed));
    EXPECT_FALSE(back.ok());
    EXPECT_EQ(back.name, failed.name);
    EXPECT_NE(back.error.find("storage said"), std::string::npos);
}

TEST(WalArchiveProtocol, RefusesAnAnswerItDoesNotKnow)
{
    std::string message = test::error_message(
        [] { wal_archive_answer_from_json(R"({"result":"maybe","name":"x"})"); });
    EXPECT_NE(message.find("unknown result \"maybe\""), std::string::npos) << message;
    EXPECT_NE(message.find("\"stored\", \"already stored\" or \"failed\""), std::string::npos);
}

} // namespace
} // namespace lokbackup
