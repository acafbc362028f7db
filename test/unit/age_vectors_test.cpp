// Interoperability with the stock age: files that it wrote (vectors/age, README.txt there says
// how) decrypt here, and, when an `age` program is on PATH, what lokbackup writes decrypts there
// and what it writes now decrypts here.
#include "age_test_support.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

namespace lokbackup
{
namespace
{

using test::age_decrypt;
using test::age_encrypt;
using test::TempDir;

const std::filesystem::path vectors = LOKBACKUP_AGE_VECTORS_DIR;

std::string vector_file(const std::string &name)
{
    return test::read_file(vectors / name);
}

// As the README's `yes 'lokbackup age vector' | head -c SIZE` makes it.
std::string repeated_line(std::size_t size)
{
    const std::string line = "lokbackup age vector\n";
    std::string text;
    while (text.size() < size)
        text += line;
    return text.substr(0, size);
}

AgeDecryptionKeys identities_of(const std::string &key_file)
{
    AgeDecryptionKeys keys;
    keys.identities = parse_age_identity_file(vector_file(key_file));
    return keys;
}

TEST(AgeVectors, StockFilesDecrypt)
{
    AgeDecryptionKeys keys = identities_of("key.txt");
    EXPECT_EQ(age_decrypt(keys, vector_file("empty.age")), "");
    EXPECT_EQ(age_decrypt(keys, vector_file("hello.age")), vector_file("hello.txt"));
    EXPECT_TRUE(age_decrypt(keys, vector_file("chunk-65536.age")) == repeated_line(65536));
    EXPECT_TRUE(age_decrypt(keys, vector_file("chunk-65537.age")) == repeated_line(65537));
}

TEST(AgeVectors, StockFileToTwoRecipientsDecryptsWithEither)
{
    EXPECT_EQ(age_decrypt(identities_of("key.txt"), vector_file("two-recipients.age")),
              vector_file("hello.txt"));
    EXPECT_EQ(age_decrypt(identities_of("key2.txt"), vector_file("two-recipients.age")),
              vector_file("hello.txt"));
    // key2 alone cannot open what was made for key alone.
    EXPECT_EQ(test::error_message(
                  [] { age_decrypt(identities_of("key2.txt"), vector_file("hello.age")); })
                  .rfind("none of the keys given decrypts the age file: it is encrypted to 1 "
                         "X25519 recipient, and the identity given",
                         0),
              0u);
}

TEST(AgeVectors, StockPassphraseFileDecrypts)
{
    AgeDecryptionKeys keys;
    keys.passphrase = SecretBytes(std::string("lokbackup test passphrase"));
    EXPECT_EQ(age_decrypt(keys, vector_file("passphrase.age")), vector_file("hello.txt"));
}

// The exit status of `command`, run by the shell.
int run(const std::string &command)
{
    int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool stock_age_on_path()
{
    return run("command -v age >/dev/null 2>&1") == 0;
}

TEST(AgeVectors, StockAgeDecryptsWhatLokbackupWrites)
{
    if (!stock_age_on_path())
        GTEST_SKIP() << "no age program on PATH (test/install-deps installs it)";
    TempDir dir;
    std::filesystem::path key2 = vectors / "key2.txt";
    AgeEncryptionKeys keys;
    keys.recipients = {identities_of("key.txt").identities[0].recipient(),
                       identities_of("key2.txt").identities[0].recipient()};
    for (std::size_t size : {0, 1, 65536, 3 * 65536 + 7, 1024 * 1024 + 3}) {
        std::string plaintext = test::mixed_data(size, static_cast<std::uint32_t>(size));
        test::write_file(dir.path() / "file.age", age_encrypt(keys, plaintext));
        // A redirection, not -o: age creates no -o file for empty output.
        std::string command = "age -d -i '" + key2.string() + "' '" +
                              (dir.path() / "file.age").string() + "' > '" +
                              (dir.path() / "out").string() + "'";
        ASSERT_EQ(run(command), 0) << command;
        EXPECT_TRUE(test::read_file(dir.path() / "out") == plaintext) << size;
    }
}

TEST(AgeVectors, LokbackupDecryptsWhatStockAgeWritesNow)
{
    if (!stock_age_on_path())
        GTEST_SKIP() << "no age program on PATH (test/install-deps installs it)";
    TempDir dir;
    AgeIdentity identity = AgeIdentity::generate();
    std::string plaintext = test::mixed_data(2 * 1024 * 1024 + 99);
    test::write_file(dir.path() / "plain", plaintext);
    std::string command = "age -r " + identity.recipient().encoded() + " -o '" +
                          (dir.path() / "file.age").string() + "' '" +
                          (dir.path() / "plain").string() + "'";
    ASSERT_EQ(run(command), 0) << command;
    EXPECT_TRUE(age_decrypt(test::with({identity}), test::read_file(dir.path() / "file.age")) ==
                plaintext);
}

} // namespace
} // namespace lokbackup
