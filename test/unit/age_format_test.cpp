// The age format as make_age_encryptor() writes it and make_age_decryptor() reads it: round trips,
// the file's layout, and every way a file can be refused.
#include "core/crypto/age_header.hpp"
#include "core/crypto/age_payload.hpp"
#include "core/crypto/age_stanzas.hpp"

#include "age_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace lokbackup
{
namespace
{

using test::error_message;
using test::StringSink;

using test::age_decrypt;
using test::age_encrypt;
using test::test_work_factor;
using test::to;
using test::to_passphrase;
using test::with;
using test::with_passphrase;

// What the decryptor wrote before it threw, and the error's message.
struct Refusal {
    std::string message;
    std::string written;
    bool damaged = false;
};

Refusal refusal(const AgeDecryptionKeys &keys, std::string_view file)
{
    StringSink out;
    Refusal refusal;
    try {
        auto decryptor = make_age_decryptor(keys, out);
        test::write_in_chunks(*decryptor, file);
        refusal.message = "(no error)";
    } catch (const BackupDamaged &e) {
        refusal.message = e.what();
        refusal.damaged = true;
    } catch (const Error &e) {
        refusal.message = e.what();
    }
    EXPECT_EQ(out.finishes, 0);
    refusal.written = out.text;
    return refusal;
}

std::size_t header_size(std::string_view file)
{
    std::size_t mac_line = file.find("\n--- ");
    return file.find('\n', mac_line + 1) + 1;
}

// An age file assembled from parts, for the files that the encryptor never writes.
std::string assemble(const SecretBytes &file_key, const std::vector<AgeStanza> &stanzas,
                     const std::vector<std::string> &chunks, bool last_is_final = true)
{
    std::string nonce(age_payload_nonce_size, 'n');
    std::string file = format_age_header(file_key, stanzas) + nonce;
    AgePayloadCipher cipher(file_key, nonce);
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        std::string chunk = chunks[i] + std::string(chacha20_poly1305_tag_size, '\0');
        cipher.seal_next(reinterpret_cast<unsigned char *>(chunk.data()), chunks[i].size(),
                         last_is_final && i + 1 == chunks.size());
        file += chunk;
    }
    return file;
}

class AgeRoundTrip : public ::testing::TestWithParam<std::size_t>
{
};

TEST_P(AgeRoundTrip, DecryptsWhatItEncrypted)
{
    std::size_t size = GetParam();
    std::string plaintext = test::mixed_data(size, static_cast<std::uint32_t>(size));
    AgeIdentity identity = AgeIdentity::generate();
    std::string file = age_encrypt(to({identity}), plaintext);
    EXPECT_TRUE(starts_with_age_header(file));

    // The payload: a nonce, then one tag per chunk; empty input still has its one final chunk.
    std::size_t chunks = std::max<std::size_t>(1, (size + age_chunk_size - 1) / age_chunk_size);
    EXPECT_EQ(file.size(), header_size(file) + age_payload_nonce_size + size +
                               chunks * chacha20_poly1305_tag_size);
    EXPECT_EQ(age_decrypt(with({identity}), file), plaintext);
}

INSTANTIATE_TEST_SUITE_P(Sizes, AgeRoundTrip,
                         ::testing::Values(0, 1, 65535, 65536, 65537, 3 * 65536, 3 * 65536 + 5));

TEST(AgeFormat, LargeInputStreamsInBoundedWrites)
{
    std::string plaintext = test::mixed_data(5 * 1024 * 1024 + 12345);
    AgeIdentity identity = AgeIdentity::generate();

    // Each write downstream is one chunk or less, whatever the input: memory stays flat.
    test::LargestWriteSink encrypted;
    auto encryptor = make_age_encryptor(to({identity}), encrypted);
    encryptor->write(plaintext.data(), plaintext.size());
    encryptor->finish();
    EXPECT_LE(encrypted.largest, age_sealed_chunk_size);

    test::LargestWriteSink decrypted;
    auto decryptor = make_age_decryptor(with({identity}), decrypted);
    decryptor->write(encrypted.text.data(), encrypted.text.size());
    decryptor->finish();
    EXPECT_LE(decrypted.largest, age_chunk_size);
    EXPECT_TRUE(decrypted.text == plaintext);
}

TEST(AgeFormat, DecryptsOneByteAtATime)
{
    AgeIdentity identity = AgeIdentity::generate();
    std::string plaintext = test::mixed_data(70000);
    std::string file = age_encrypt(to({identity}), plaintext);
    StringSink out;
    auto decryptor = make_age_decryptor(with({identity}), out);
    for (char c : file)
        decryptor->write(&c, 1);
    decryptor->finish();
    EXPECT_TRUE(out.text == plaintext);
}

TEST(AgeFormat, EachOfTwoRecipientsDecrypts)
{
    AgeIdentity first = AgeIdentity::generate();
    AgeIdentity second = AgeIdentity::generate();
    std::string file = age_encrypt(to({first, second}), "for both");
    EXPECT_EQ(age_decrypt(with({first}), file), "for both");
    EXPECT_EQ(age_decrypt(with({second}), file), "for both");
    EXPECT_EQ(age_decrypt(with({AgeIdentity::generate(), second}), file), "for both");
}

TEST(AgeFormat, HeaderHasOneX25519StanzaPerRecipient)
{
    AgeIdentity first = AgeIdentity::generate();
    AgeIdentity second = AgeIdentity::generate();
    std::string file = age_encrypt(to({first, second}), "x");
    AgeHeader header = parse_age_header(file.substr(0, header_size(file)));
    ASSERT_EQ(header.stanzas.size(), 2u);
    for (const AgeStanza &stanza : header.stanzas) {
        EXPECT_EQ(stanza.args.size(), 2u);
        EXPECT_EQ(stanza.args[0], "X25519");
        EXPECT_EQ(stanza.body.size(), 32u);
    }
    // A fresh ephemeral share per stanza.
    EXPECT_NE(header.stanzas[0].args[1], header.stanzas[1].args[1]);
}

TEST(AgeFormat, SameInputEncryptsDifferentlyEachTime)
{
    AgeIdentity identity = AgeIdentity::generate();
    EXPECT_NE(age_encrypt(to({identity}), "same"), age_encrypt(to({identity}), "same"));
}

TEST(AgeFormat, WrongIdentityNamesWhatTheFileIsFor)
{
    AgeIdentity first = AgeIdentity::generate();
    AgeIdentity second = AgeIdentity::generate();
    AgeIdentity other = AgeIdentity::generate();
    AgeIdentity another = AgeIdentity::generate();
    std::string file = age_encrypt(to({first, second}), "secret");

    Refusal one = refusal(with({other}), file);
    EXPECT_FALSE(one.damaged);
    EXPECT_EQ(one.message, "none of the keys given decrypts the age file: it is encrypted to 2 "
                           "X25519 recipients, and the identity given (recipient " +
                               other.recipient().encoded() + ") is not one of them");
    EXPECT_EQ(one.written, "");

    EXPECT_EQ(refusal(with({other, another}), file).message,
              "none of the keys given decrypts the age file: it is encrypted to 2 X25519 "
              "recipients, and none of the 2 identities given (recipients " +
                  other.recipient().encoded() + ", " + another.recipient().encoded() +
                  ") is one of them");
    EXPECT_EQ(refusal(with_passphrase("guess"), file).message,
              "none of the keys given decrypts the age file: it is encrypted to 2 X25519 "
              "recipients, and only a passphrase was given");
}

TEST(AgeFormat, PassphraseRoundTrip)
{
    std::string plaintext = test::mixed_data(100000);
    std::string file = age_encrypt(to_passphrase("correct horse"), plaintext);
    AgeHeader header = parse_age_header(file.substr(0, header_size(file)));
    ASSERT_EQ(header.stanzas.size(), 1u);
    EXPECT_EQ(header.stanzas[0].args[0], "scrypt");
    EXPECT_EQ(header.stanzas[0].args[2], std::to_string(test_work_factor));
    EXPECT_TRUE(age_decrypt(with_passphrase("correct horse"), file) == plaintext);

    Refusal wrong = refusal(with_passphrase("correct horse "), file);
    EXPECT_FALSE(wrong.damaged);
    EXPECT_EQ(wrong.message, "the passphrase does not decrypt the age file: it is not the one the "
                             "file was encrypted with");
    EXPECT_EQ(refusal(with({AgeIdentity::generate()}), file).message,
              "the age file is encrypted with a passphrase, and no passphrase was given");
}

TEST(AgeFormat, ScryptWorkFactorAboveTheLimitIsRefused)
{
    AgeEncryptionKeys keys = to_passphrase("pass");
    keys.passphrase->work_factor = 12;
    std::string file = age_encrypt(keys, "x");
    AgeDecryptionKeys limited = with_passphrase("pass");
    limited.max_work_factor = 11;
    EXPECT_EQ(refusal(limited, file).message,
              "the age file's passphrase asks for scrypt work factor 12 (log2 N), above the "
              "limit of 11");
    limited.max_work_factor = 12;
    EXPECT_EQ(age_decrypt(limited, file), "x");
}

TEST(AgeFormat, KeySetsThatCannotBeUsedAreRefused)
{
    StringSink out;
    AgeEncryptionKeys both = to({AgeIdentity::generate()});
    both.passphrase = AgePassphrase{SecretBytes(std::string("p")), test_work_factor};
    EXPECT_EQ(error_message([&] { make_age_encryptor(both, out); }),
              "an age passphrase cannot be combined with recipients: the format allows a "
              "passphrase only alone");
    EXPECT_EQ(error_message([&] { make_age_encryptor(AgeEncryptionKeys{}, out); }),
              "nothing to encrypt to: no age recipient and no passphrase");
    EXPECT_EQ(error_message([&] { make_age_encryptor(to_passphrase(""), out); }),
              "the age passphrase is empty");
    AgeEncryptionKeys too_slow = to_passphrase("p");
    too_slow.passphrase->work_factor = 23;
    EXPECT_EQ(error_message([&] { make_age_encryptor(too_slow, out); }),
              "scrypt work factor 23 is out of range: allowed values are 1 to 22 (log2 of N; age "
              "uses 18)");
    EXPECT_EQ(error_message([&] { make_age_decryptor(AgeDecryptionKeys{}, out); }),
              "nothing to decrypt an age file with: no identity and no passphrase");
    EXPECT_EQ(error_message([&] { make_age_decryptor(with_passphrase(""), out); }),
              "the age passphrase is empty");
    EXPECT_EQ(out.text, "");
}

TEST(AgeFormat, TamperedChunkIsRefusedAndNotEmitted)
{
    AgeIdentity identity = AgeIdentity::generate();
    std::string plaintext = test::mixed_data(3 * 65536 + 100);
    std::string file = age_encrypt(to({identity}), plaintext);
    std::size_t payload = header_size(file) + age_payload_nonce_size;

    std::string first = file;
    first[payload + 10] ^= 0x01;
    Refusal tampered = refusal(with({identity}), first);
    EXPECT_TRUE(tampered.damaged);
    EXPECT_EQ(tampered.message, "damaged age file: chunk 0 of its payload does not authenticate");
    EXPECT_EQ(tampered.written, "");

    // Chunks before the damaged one were verified and written; nothing of it or after.
    std::string third = file;
    third[payload + 2 * age_sealed_chunk_size + 5] ^= 0x80;
    tampered = refusal(with({identity}), third);
    EXPECT_EQ(tampered.message, "damaged age file: chunk 2 of its payload does not authenticate");
    EXPECT_TRUE(tampered.written == plaintext.substr(0, 2 * age_chunk_size));

    std::string last = file;
    last[last.size() - 1] ^= 0x01;
    EXPECT_EQ(refusal(with({identity}), last).message,
              "truncated or damaged age file: the last chunk of its payload does not "
              "authenticate as the final one");

    std::string nonce = file;
    nonce[payload - 1] ^= 0x01;
    EXPECT_EQ(refusal(with({identity}), nonce).message,
              "damaged age file: chunk 0 of its payload does not authenticate");
}

TEST(AgeFormat, TruncatedFilesAreRefused)
{
    AgeIdentity identity = AgeIdentity::generate();
    std::string file = age_encrypt(to({identity}), test::mixed_data(2 * 65536 + 10));
    std::size_t payload = header_size(file) + age_payload_nonce_size;

    // Cut at a chunk boundary: every chunk left authenticates, but none is final.
    Refusal cut = refusal(with({identity}), file.substr(0, payload + 2 * age_sealed_chunk_size));
    EXPECT_TRUE(cut.damaged);
    EXPECT_EQ(cut.message, "truncated age file: its payload ends without a final chunk");
    EXPECT_EQ(cut.written.size(), 2 * age_chunk_size);

    EXPECT_EQ(refusal(with({identity}), file.substr(0, file.size() - 1)).message,
              "truncated or damaged age file: the last chunk of its payload does not "
              "authenticate as the final one");
    EXPECT_EQ(refusal(with({identity}), file.substr(0, payload + 100)).message,
              "truncated or damaged age file: the last chunk of its payload does not "
              "authenticate as the final one");
    EXPECT_EQ(refusal(with({identity}), file.substr(0, payload)).message,
              "truncated age file: its payload ends without a final chunk");
    EXPECT_EQ(refusal(with({identity}), file.substr(0, payload - 3)).message,
              "truncated age file: it ends before its payload");
    EXPECT_EQ(refusal(with({identity}), file.substr(0, 40)).message,
              "truncated age file: it ends inside its header");
    EXPECT_EQ(refusal(with({identity}), "").message, "not an age file: it is empty");
}

TEST(AgeFormat, DataAfterTheFinalChunkIsRefused)
{
    AgeIdentity identity = AgeIdentity::generate();
    for (std::size_t size : {std::size_t{0}, std::size_t{10}, age_chunk_size}) {
        std::string file = age_encrypt(to({identity}), std::string(size, 'a'));
        Refusal extra = refusal(with({identity}), file + "x");
        EXPECT_TRUE(extra.damaged);
        // A short final chunk is only known final at the end; a full one at once.
        if (size == age_chunk_size) {
            EXPECT_TRUE(extra.written == std::string(size, 'a'));
        }
        EXPECT_EQ(extra.message, size == age_chunk_size
                                     ? "damaged age file: it has data after its final chunk"
                                     : "truncated or damaged age file: the last chunk of its "
                                       "payload does not authenticate as the final one")
            << size;
    }
}

TEST(AgeFormat, EmptyFinalChunkAfterOthersIsRefused)
{
    AgeIdentity identity = AgeIdentity::generate();
    SecretBytes file_key = SecretBytes::random(age_file_key_size);
    std::vector<AgeStanza> stanzas = {wrap_file_key(file_key, identity.recipient())};
    std::string full(age_chunk_size, 'f');
    std::string file = assemble(file_key, stanzas, {full, ""});
    Refusal refused = refusal(with({identity}), file);
    EXPECT_EQ(refused.message, "damaged age file: its final chunk is empty, which only the "
                               "payload of empty input may be");
    // A full final chunk is the well-formed spelling of the same plaintext.
    EXPECT_TRUE(age_decrypt(with({identity}), assemble(file_key, stanzas, {full})) == full);
}

TEST(AgeFormat, LastChunkWithoutTheFinalFlagIsRefused)
{
    AgeIdentity identity = AgeIdentity::generate();
    SecretBytes file_key = SecretBytes::random(age_file_key_size);
    std::vector<AgeStanza> stanzas = {wrap_file_key(file_key, identity.recipient())};
    std::string full(age_chunk_size, 'a');
    Refusal refused = refusal(with({identity}), assemble(file_key, stanzas, {full, "b"}, false));
    EXPECT_EQ(refused.message, "truncated or damaged age file: the last chunk of its payload does "
                               "not authenticate as the final one");
    EXPECT_TRUE(refused.written == full);
}

TEST(AgeFormat, UnknownStanzasAreSkipped)
{
    AgeIdentity identity = AgeIdentity::generate();
    SecretBytes file_key = SecretBytes::random(age_file_key_size);
    AgeStanza grease{{"lokbackup-test-grease", "a+b", "x"}, std::string(100, 'g')};
    std::string file = assemble(file_key, {grease, wrap_file_key(file_key, identity.recipient())},
                                {"after grease"});
    EXPECT_EQ(age_decrypt(with({identity}), file), "after grease");

    std::string only_grease = assemble(file_key, {grease}, {"x"});
    EXPECT_EQ(refusal(with({identity}), only_grease).message,
              "none of the keys given decrypts the age file: it has no X25519 stanza, only "
              "stanzas of types lokbackup-test-grease, which lokbackup does not support (age "
              "plugins)");
}

TEST(AgeFormat, ScryptStanzaBesideOthersIsRefused)
{
    AgeIdentity identity = AgeIdentity::generate();
    SecretBytes file_key = SecretBytes::random(age_file_key_size);
    AgePassphrase passphrase{SecretBytes(std::string("p")), test_work_factor};
    std::string file = assemble(
        file_key,
        {wrap_file_key(file_key, identity.recipient()), wrap_file_key(file_key, passphrase)},
        {"x"});
    Refusal refused = refusal(with({identity}), file);
    EXPECT_TRUE(refused.damaged);
    EXPECT_EQ(refused.message, "damaged age header: an scrypt (passphrase) stanza must be its only "
                               "stanza, and it has 2");
}

TEST(AgeFormat, AlteredHeaderFailsItsMacBeforeAnyOutput)
{
    AgeIdentity identity = AgeIdentity::generate();
    std::string file = age_encrypt(to({identity}), "payload");
    std::size_t end = header_size(file);

    // A stanza added to a valid header: the identity still opens its stanza, the MAC fails.
    std::string added = file;
    added.insert(added.find("-> X25519"), "-> extra\nAAAA\n");
    Refusal refused = refusal(with({identity}), added);
    EXPECT_TRUE(refused.damaged);
    EXPECT_EQ(refused.message,
              "damaged age header: its MAC does not match (the header was altered)");
    EXPECT_EQ(refused.written, "");

    std::string mac = file;
    char &c = mac[end - 5];
    c = c == 'A' ? 'B' : 'A';
    EXPECT_EQ(refusal(with({identity}), mac).message,
              "damaged age header: its MAC does not match (the header was altered)");
}

TEST(AgeFormat, MalformedHeadersAreRefused)
{
    auto message = [](const std::string &header) {
        return error_message([&] { parse_age_header(header); });
    };
    std::string mac = "--- " + std::string(43, 'A') + "\n";
    std::string stanza = "-> X25519 " + std::string(43, 'A') + "\n" + std::string(43, 'A') + "\n";
    EXPECT_EQ(parse_age_header("age-encryption.org/v1\n" + stanza + mac).stanzas.size(), 1u);
    EXPECT_EQ(message("age-encryption.org/v2\n" + stanza + mac),
              "damaged age header: it does not start with the line age-encryption.org/v1");
    EXPECT_EQ(message("age-encryption.org/v1\n" + mac), "damaged age header: it has no stanza");
    EXPECT_EQ(message("age-encryption.org/v1\n" + stanza),
              "damaged age header: it ends before its MAC line");
    EXPECT_EQ(message("age-encryption.org/v1\n-> X25519  x\nAA\n" + mac),
              "damaged age header: a stanza has an empty argument or one with a byte outside "
              "printable ASCII");
    EXPECT_EQ(message("age-encryption.org/v1\n-> X25519 x\nAB\n" + mac),
              "damaged age header: the body of a X25519 stanza is not canonical base64");
    EXPECT_EQ(message("age-encryption.org/v1\n-> X25519 x\n" + std::string(65, 'A') + "\n" + mac),
              "damaged age header: a line of a stanza's body is longer than 64 columns");
    // A body of exactly 64 columns goes on to an empty final line: without it, the MAC line
    // is read as the body's last.
    EXPECT_EQ(message("age-encryption.org/v1\n-> X25519 x\n" + std::string(64, 'A') + "\n" + mac),
              "damaged age header: the body of a X25519 stanza is not canonical base64");
    EXPECT_EQ(message("age-encryption.org/v1\n" + stanza + "--> x\n\n" + mac),
              "damaged age header: a line starts with neither \"-> \" (a stanza) nor \"---\" "
              "(the MAC)");
    EXPECT_EQ(message("age-encryption.org/v1\n" + stanza + "--- AAAA\n"),
              "damaged age header: its MAC line is not \"--- \" followed by a base64 MAC of 32 "
              "bytes");
    EXPECT_EQ(message("age-encryption.org/v1\n" + stanza + mac + "more\n"),
              "damaged age header: it has lines after its MAC line");
}

TEST(AgeFormat, MalformedX25519StanzasAreRefused)
{
    AgeIdentity identity = AgeIdentity::generate();
    auto message = [&](AgeStanza stanza) {
        return error_message([&] { unwrap_file_key(stanza, identity); });
    };
    std::string share = std::string(43, 'A');
    EXPECT_EQ(message({{"X25519"}, std::string(32, 'b')}),
              "damaged age header: its X25519 stanza does not have exactly one argument after its "
              "type");
    EXPECT_EQ(message({{"X25519", "AAAA"}, std::string(32, 'b')}),
              "damaged age header: its X25519 stanza has an ephemeral share that is not the "
              "base64 of 32 bytes");
    EXPECT_EQ(message({{"X25519", "B" + share.substr(1)}, std::string(31, 'b')}),
              "damaged age header: its X25519 stanza has a body of 31 bytes, not 32");
    // The all-zero point: its shared secret would be zero.
    EXPECT_EQ(message({{"X25519", share}, std::string(32, 'b')}),
              "damaged age header: its X25519 stanza has a low-order ephemeral share");
}

TEST(AgeFormat, NonAgeInputIsRefusedAtOnce)
{
    AgeDecryptionKeys keys = with({AgeIdentity::generate()});
    StringSink out;
    auto decryptor = make_age_decryptor(keys, out);
    std::string gzip = "\x1f\x8b\x08\x00";
    EXPECT_EQ(error_message([&] { decryptor->write(gzip.data(), gzip.size()); }),
              "not an age file: it does not start with the line age-encryption.org/v1");

    std::string endless = "age-encryption.org/v1\n-> X25519 " + std::string(2 << 20, 'A');
    EXPECT_EQ(refusal(keys, endless).message,
              "the age header is longer than 1 MiB: the file is damaged or not an age file");
}

TEST(AgeFormat, RecognizesTheVersionLine)
{
    EXPECT_TRUE(starts_with_age_header("age-encryption.org/v1\n-> X25519"));
    EXPECT_TRUE(starts_with_age_header("age-encryption.org/v1\n"));
    EXPECT_FALSE(starts_with_age_header("age-encryption.org/v1"));
    EXPECT_FALSE(starts_with_age_header("age-encryption.org/v2\n"));
    EXPECT_FALSE(starts_with_age_header("-----BEGIN AGE ENCRYPTED FILE-----\n"));
    EXPECT_FALSE(starts_with_age_header(""));
}

} // namespace
} // namespace lokbackup
