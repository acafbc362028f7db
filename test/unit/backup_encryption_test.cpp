#include "core/crypto/backup_encryption.hpp"
#include "core/pipeline/restore_pipeline.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/storage/open_storage.hpp"

#include "age_test_support.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;
using test::TempDir;

TEST(BackupEncryption, TheFingerprintIsTheStartOfTheSha256OfTheRecipient)
{
    // The key pair of the age specification's example.
    AgeRecipient recipient =
        AgeRecipient::parse("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
    EXPECT_EQ(age_recipient_fingerprint(recipient), sha256_hex(recipient.encoded()).substr(0, 16));
    EXPECT_EQ(age_recipient_fingerprint(recipient).size(), 16u);
}

TEST(BackupEncryption, FingerprintsOfTheSettings)
{
    AgeIdentity a = AgeIdentity::generate(), b = AgeIdentity::generate();
    BackupEncryption encryption{a.recipient().encoded() + ", " + b.recipient().encoded(), ""};
    EXPECT_EQ(encryption_fingerprints(encryption),
              (std::vector<std::string>{age_recipient_fingerprint(a.recipient()),
                                        age_recipient_fingerprint(b.recipient())}));
    EXPECT_TRUE(encryption_fingerprints(BackupEncryption{}).empty());
    EXPECT_EQ(encryption_fingerprints(BackupEncryption{"", "/etc/passphrase"}),
              (std::vector<std::string>{"passphrase"}));
    EXPECT_EQ(error_message([&] {
                  encryption_fingerprints(BackupEncryption{a.recipient().encoded(), "/x"});
              }),
              "lokbackup.encrypt_to and lokbackup.encrypt_passphrase_file are both set: age "
              "encrypts to a passphrase alone; empty one of them");
}

TEST(BackupEncryption, KeyFilesAreReadAndTheirErrorsNeverQuoteThem)
{
    TempDir dir;
    AgeIdentity identity = AgeIdentity::generate();
    test::write_file(dir.path() / "key.txt",
                     "# created: now\n# public key: " + identity.recipient().encoded() + "\n" +
                         identity.encoded() + "\n");
    test::write_file(dir.path() / "passphrase", "it is a secret\r\nsecond line\n");
    AgeDecryptionKeys keys =
        decryption_keys({(dir.path() / "key.txt").string()}, (dir.path() / "passphrase").string());
    ASSERT_EQ(keys.identities.size(), 1u);
    EXPECT_EQ(keys.identities[0].recipient(), identity.recipient());
    ASSERT_TRUE(keys.passphrase);
    EXPECT_EQ(keys.passphrase->view(), "it is a secret");

    test::write_file(dir.path() / "bad.txt", "AGE-SECRET-KEY-1NOTAKEY-do-not-print\n");
    std::string message =
        error_message([&] { decryption_keys({(dir.path() / "bad.txt").string()}, ""); });
    EXPECT_EQ(message.rfind("identity file \"" + (dir.path() / "bad.txt").string() + "\": ", 0), 0u)
        << message;
    EXPECT_EQ(message.find("do-not-print"), std::string::npos) << message;
    EXPECT_EQ(message.find("NOTAKEY"), std::string::npos) << message;
    EXPECT_EQ(error_message([&] { decryption_keys({(dir.path() / "none").string()}, ""); }),
              "could not open identity file \"" + (dir.path() / "none").string() +
                  "\": No such file or directory");
    test::write_file(dir.path() / "empty", "\n");
    EXPECT_EQ(error_message([&] { decryption_keys({}, (dir.path() / "empty").string()); }),
              "passphrase file \"" + (dir.path() / "empty").string() +
                  "\" is empty: its first line is the passphrase");
}

TEST(BackupEncryption, TheKeysAreCheckedAgainstTheFingerprintsBeforeAnythingIsRead)
{
    AgeIdentity mine = AgeIdentity::generate(), other = AgeIdentity::generate();
    std::vector<std::string> to_mine = {age_recipient_fingerprint(mine.recipient())};
    check_decryption_keys("backup 7", to_mine, test::with({other, mine}));
    EXPECT_EQ(error_message([&] { check_decryption_keys("backup 7", to_mine, {}); }),
              "backup 7 is encrypted to the age recipient " + to_mine[0] +
                  " (fingerprints): give an identity file of one of them with --identity FILE "
                  "(or LOKBACKUP_IDENTITY_FILE)");
    EXPECT_EQ(
        error_message([&] { check_decryption_keys("backup 7", to_mine, test::with({other})); }),
        "backup 7 is encrypted to the age recipient " + to_mine[0] +
            " (fingerprints), and no identity given is one of them: the identities given "
            "are for " +
            age_recipient_fingerprint(other.recipient()));
    EXPECT_EQ(error_message([&] { check_decryption_keys("backup 8", {"passphrase"}, {}); }),
              "backup 8 is encrypted with a passphrase: give its passphrase file with "
              "--passphrase-file (or LOKBACKUP_PASSPHRASE_FILE)");
    check_decryption_keys("backup 8", {"passphrase"}, test::with_passphrase("x"));
}

// An encrypted object in storage, as the backup child writes it: zstd, then age.
class EncryptedObjectTest : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        std::filesystem::create_directory(dir_.path() / "storage");
        storage_ = open_storage(StorageConfig{(dir_.path() / "storage").string()});
        data_ = test::mixed_data(300 * 1024);
        auto writer = storage_->create(key_);
        HashingSink hashed(*writer);
        auto encryptor = make_age_encryptor(test::to({identity_}), hashed);
        auto compressor = make_compressor(Compression::zstd, 0, *encryptor);
        test::write_in_chunks(*compressor, data_);
        expected_ = ExpectedObject{hashed.hex_digest(), hashed.bytes(), Compression::zstd, true};
    }

    void verify(const AgeDecryptionKeys *keys)
    {
        ExpectedObject expected = expected_;
        expected.keys = keys;
        verify_object(*storage_->open(key_), expected);
    }

    Replay replay() const
    {
        ProcessSpec spec;
        spec.argv = {"/bin/sh", "-c", "cat > \"$1\"", "replay", restored().string()};
        return {spec};
    }
    std::filesystem::path restored() const { return dir_.path() / "restored"; }

    TempDir dir_;
    std::unique_ptr<Storage> storage_;
    const std::string key_ = "app/2026/12/app-manual-20261203T120000Z-9.sql.zst.age";
    AgeIdentity identity_ = AgeIdentity::generate();
    std::string data_;
    ExpectedObject expected_;
};

TEST_F(EncryptedObjectTest, VerifyWithoutAKeyChecksTheStoredBytes)
{
    verify(nullptr);
    std::string stored = test::read_file(storage_->location(key_));
    stored[stored.size() / 2] ^= 0x01;
    test::write_file(storage_->location(key_), stored);
    EXPECT_THROW(verify(nullptr), BackupDamaged);
}

TEST_F(EncryptedObjectTest, VerifyWithTheKeyDecryptsAndAWrongKeyIsNotDamage)
{
    AgeDecryptionKeys right = test::with({identity_});
    verify(&right);
    AgeDecryptionKeys wrong = test::with({AgeIdentity::generate()});
    try {
        verify(&wrong);
        FAIL() << "a wrong identity verified";
    } catch (const BackupDamaged &damaged) {
        FAIL() << "a wrong identity was taken for damage: " << damaged.what();
    } catch (const AgeKeyRefused &refused) {
        EXPECT_NE(std::string(refused.what()).find("none of the keys given decrypts"),
                  std::string::npos)
            << refused.what();
    }
}

TEST_F(EncryptedObjectTest, RestoreDecryptsAndDecompressesForTheReplay)
{
    AgeDecryptionKeys keys = test::with({identity_});
    ExpectedObject expected = expected_;
    expected.keys = &keys;
    run_restore(*storage_->open(key_), expected, replay(), nullptr);
    EXPECT_TRUE(test::read_file(restored()) == data_);
}

TEST_F(EncryptedObjectTest, RestoreWithAWrongKeyReplaysNothing)
{
    AgeDecryptionKeys wrong = test::with({AgeIdentity::generate()});
    ExpectedObject expected = expected_;
    expected.keys = &wrong;
    EXPECT_THROW(run_restore(*storage_->open(key_), expected, replay(), nullptr), AgeKeyRefused);
    EXPECT_TRUE(!std::filesystem::exists(restored()) || test::read_file(restored()).empty());
    EXPECT_EQ(
        error_message([&] { run_restore(*storage_->open(key_), expected_, replay(), nullptr); }),
        "the backup object is encrypted, and no identity to decrypt it was given");
}

} // namespace
} // namespace lokbackup
