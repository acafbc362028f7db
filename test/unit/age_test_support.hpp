// Helpers shared by the age format tests: key sets and whole-file encryption and decryption.
#pragma once

#include "core/crypto/age_decryptor.hpp"
#include "core/crypto/age_encryptor.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup::test
{

// A low scrypt work factor: at age's 18, scrypt takes a second and 256 MiB per call.
constexpr int test_work_factor = 10;

inline AgeEncryptionKeys to(const std::vector<AgeIdentity> &identities)
{
    AgeEncryptionKeys keys;
    for (const AgeIdentity &identity : identities)
        keys.recipients.push_back(identity.recipient());
    return keys;
}

inline AgeEncryptionKeys to_passphrase(std::string_view passphrase)
{
    AgeEncryptionKeys keys;
    keys.passphrase = AgePassphrase{SecretBytes(passphrase), test_work_factor};
    return keys;
}

inline AgeDecryptionKeys with(const std::vector<AgeIdentity> &identities)
{
    AgeDecryptionKeys keys;
    keys.identities = identities;
    return keys;
}

inline AgeDecryptionKeys with_passphrase(std::string_view passphrase)
{
    AgeDecryptionKeys keys;
    keys.passphrase = SecretBytes(passphrase);
    return keys;
}

// What the sink that `make` makes writes for `input`, written to it in pieces of odd sizes.
template <typename Keys>
std::string through(std::unique_ptr<Sink> (*make)(const Keys &, Sink &), const Keys &keys,
                    std::string_view input)
{
    StringSink out;
    write_in_chunks(*make(keys, out), input);
    EXPECT_EQ(out.finishes, 1);
    return out.text;
}

inline std::string age_encrypt(const AgeEncryptionKeys &keys, std::string_view plaintext)
{
    return through(make_age_encryptor, keys, plaintext);
}

inline std::string age_decrypt(const AgeDecryptionKeys &keys, std::string_view file)
{
    return through(make_age_decryptor, keys, file);
}

} // namespace lokbackup::test
