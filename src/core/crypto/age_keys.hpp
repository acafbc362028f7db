// The keys of the age format (age-encryption.org/v1) that lokbackup supports: X25519 recipients
// ("age1...", public) and identities ("AGE-SECRET-KEY-1...", secret), and passphrases.
// Which keys a backup is encrypted to is recorded as fingerprints of the recipients
// (core/crypto/backup_encryption.hpp), so that the catalog and manifests hold no key at all.
#pragma once

#include "core/base/error.hpp"
#include "core/crypto/secret_bytes.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

// log2 of scrypt's N: age's default (about a second and 256 MiB), and the highest that a
// decryption accepts unless told otherwise, as age (2^22 takes 4 GiB).
constexpr int age_default_scrypt_work_factor = 18;
constexpr int age_max_scrypt_work_factor = 22;

// None of the keys given opens an age file (or its passphrase asks for more work than allowed):
// the file may well be intact, so this is not BackupDamaged.
class AgeKeyRefused : public Error
{
  public:
    using Error::Error;
};

class AgeRecipient
{
  public:
    // Throws InvalidValue saying what is wrong and what a recipient looks like.
    static AgeRecipient parse(std::string_view text);
    static AgeRecipient from_public_key(std::string_view public_key);

    const std::string &public_key() const { return public_key_; } // 32 bytes
    const std::string &encoded() const { return encoded_; }       // "age1..." (62 characters)
    bool operator==(const AgeRecipient &other) const { return public_key_ == other.public_key_; }

  private:
    explicit AgeRecipient(std::string public_key);
    std::string public_key_;
    std::string encoded_;
};

// A list of recipients separated by commas and/or white space. Throws InvalidValue for an empty
// list, an empty item ("a,,b"), a recipient given twice, or a bad recipient.
std::vector<AgeRecipient> parse_age_recipients(std::string_view list);

class AgeIdentity
{
  public:
    // A new random identity.
    static AgeIdentity generate();
    // "AGE-SECRET-KEY-1..."; throws InvalidValue saying what is wrong, never quoting `text`.
    static AgeIdentity parse(std::string_view text);
    static AgeIdentity from_secret_key(SecretBytes secret_key); // 32 bytes

    const SecretBytes &secret_key() const { return secret_key_; }
    const AgeRecipient &recipient() const { return recipient_; }
    // "AGE-SECRET-KEY-1...": the secret itself, for a key file.
    std::string encoded() const;

  private:
    explicit AgeIdentity(SecretBytes secret_key);
    SecretBytes secret_key_;
    AgeRecipient recipient_;
};

// The identities of an identity file as age-keygen writes it: one "AGE-SECRET-KEY-1..." per line;
// blank lines and lines starting with '#' are skipped. Throws InvalidValue naming the line (never
// quoting it) when a line is not an X25519 identity, and when there is none.
std::vector<AgeIdentity> parse_age_identity_file(std::string_view text);

struct AgePassphrase {
    SecretBytes text;
    int work_factor = age_default_scrypt_work_factor; // log2 N of scrypt, when encrypting
};

// What a file is encrypted to: X25519 recipients, or a passphrase alone (age allows no other
// recipient beside a passphrase).
struct AgeEncryptionKeys {
    std::vector<AgeRecipient> recipients;
    std::optional<AgePassphrase> passphrase;
};

// What a file may be decrypted with: identities and/or a passphrase.
struct AgeDecryptionKeys {
    std::vector<AgeIdentity> identities;
    std::optional<SecretBytes> passphrase;
    int max_work_factor = age_max_scrypt_work_factor; // a file asking for more is refused
};

} // namespace lokbackup
