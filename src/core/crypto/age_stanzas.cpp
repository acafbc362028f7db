#include "core/crypto/age_stanzas.hpp"

#include "core/base/error.hpp"
#include "core/crypto/base64_unpadded.hpp"
#include "core/crypto/chacha20_poly1305.hpp"
#include "core/crypto/key_derivation.hpp"
#include "core/crypto/x25519.hpp"

#include <algorithm>
#include <climits>

namespace lokbackup
{

namespace
{

constexpr std::string_view x25519_info = "age-encryption.org/v1/X25519";
constexpr std::string_view scrypt_salt_label = "age-encryption.org/v1/scrypt";
constexpr std::size_t scrypt_salt_size = 16;
constexpr std::size_t wrapped_key_size = age_file_key_size + chacha20_poly1305_tag_size;

[[noreturn]] void malformed(std::string_view type, const std::string &what)
{
    throw BackupDamaged("damaged age header: its " + std::string(type) + " stanza " + what);
}

// Checked before any decryption, as the spec requires against partitioning oracles.
void check_body_size(std::string_view type, const AgeStanza &stanza)
{
    if (stanza.body.size() != wrapped_key_size)
        malformed(type, "has a body of " + std::to_string(stanza.body.size()) + " bytes, not " +
                            std::to_string(wrapped_key_size));
}

// Each wrap key encrypts one file key only, so the nonce may be fixed: the spec's 12 zero bytes.
std::string seal_file_key(const SecretBytes &wrap_key, const SecretBytes &file_key)
{
    static const unsigned char zero_nonce[chacha20_poly1305_nonce_size] = {};
    std::string body(wrapped_key_size, '\0');
    ChaCha20Poly1305(wrap_key).seal(zero_nonce, file_key.data(), file_key.size(),
                                    reinterpret_cast<unsigned char *>(body.data()));
    return body;
}

std::optional<SecretBytes> open_file_key(const SecretBytes &wrap_key, std::string_view body)
{
    static const unsigned char zero_nonce[chacha20_poly1305_nonce_size] = {};
    SecretBytes file_key(age_file_key_size);
    if (!ChaCha20Poly1305(wrap_key).open(zero_nonce,
                                         reinterpret_cast<const unsigned char *>(body.data()),
                                         body.size(), file_key.data()))
        return std::nullopt;
    return file_key;
}

SecretBytes x25519_wrap_key(const SecretBytes &shared_secret, std::string_view ephemeral_share,
                            std::string_view recipient_public_key)
{
    return hkdf_sha256(shared_secret,
                       std::string(ephemeral_share) + std::string(recipient_public_key),
                       x25519_info);
}

SecretBytes scrypt_wrap_key(const SecretBytes &passphrase, std::string_view salt, int work_factor)
{
    return scrypt_key(passphrase, std::string(scrypt_salt_label) + std::string(salt), work_factor);
}

// The work factor as the spec writes it, ^[1-9][0-9]*$; -1 when it is not written so, and
// INT_MAX when it has more than two digits (no usable work factor has).
int parse_work_factor(std::string_view text)
{
    if (text.empty() || text[0] == '0' ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return -1;
    if (text.size() > 2)
        return INT_MAX;
    return std::stoi(std::string(text));
}

} // namespace

AgeStanza wrap_file_key(const SecretBytes &file_key, const AgeRecipient &recipient)
{
    SecretBytes ephemeral_secret = SecretBytes::random(x25519_key_size);
    std::string ephemeral_share = x25519_public_key(ephemeral_secret);
    std::optional<SecretBytes> shared =
        x25519_shared_secret(ephemeral_secret, recipient.public_key());
    if (!shared)
        throw InvalidValue("age recipient " + recipient.encoded() +
                           " is not a usable X25519 key (a low-order point)");
    SecretBytes wrap_key = x25519_wrap_key(*shared, ephemeral_share, recipient.public_key());
    return {{std::string(age_x25519_stanza_type), encode_base64_unpadded(ephemeral_share)},
            seal_file_key(wrap_key, file_key)};
}

AgeStanza wrap_file_key(const SecretBytes &file_key, const AgePassphrase &passphrase)
{
    if (passphrase.text.size() == 0)
        throw InvalidValue("the age passphrase is empty");
    if (passphrase.work_factor < 1 || passphrase.work_factor > age_max_scrypt_work_factor)
        throw InvalidValue("scrypt work factor " + std::to_string(passphrase.work_factor) +
                           " is out of range: allowed values are 1 to " +
                           std::to_string(age_max_scrypt_work_factor) + " (log2 of N; age uses " +
                           std::to_string(age_default_scrypt_work_factor) + ")");
    SecretBytes salt = SecretBytes::random(scrypt_salt_size);
    SecretBytes wrap_key = scrypt_wrap_key(passphrase.text, salt.view(), passphrase.work_factor);
    return {{std::string(age_scrypt_stanza_type), encode_base64_unpadded(salt.view()),
             std::to_string(passphrase.work_factor)},
            seal_file_key(wrap_key, file_key)};
}

std::optional<SecretBytes> unwrap_file_key(const AgeStanza &stanza, const AgeIdentity &identity)
{
    std::string_view type = age_x25519_stanza_type;
    if (stanza.args.size() != 2)
        malformed(type, "does not have exactly one argument after its type");
    std::optional<std::string> share = decode_base64_unpadded(stanza.args[1]);
    if (!share || share->size() != x25519_key_size)
        malformed(type, "has an ephemeral share that is not the base64 of 32 bytes");
    check_body_size(type, stanza);
    std::optional<SecretBytes> shared = x25519_shared_secret(identity.secret_key(), *share);
    if (!shared)
        malformed(type, "has a low-order ephemeral share");
    SecretBytes wrap_key = x25519_wrap_key(*shared, *share, identity.recipient().public_key());
    return open_file_key(wrap_key, stanza.body);
}

std::optional<SecretBytes> unwrap_file_key(const AgeStanza &stanza, const SecretBytes &passphrase,
                                           int max_work_factor)
{
    std::string_view type = age_scrypt_stanza_type;
    if (stanza.args.size() != 3)
        malformed(type, "does not have exactly two arguments after its type");
    std::optional<std::string> salt = decode_base64_unpadded(stanza.args[1]);
    if (!salt || salt->size() != scrypt_salt_size)
        malformed(type, "has a salt that is not the base64 of 16 bytes");
    int work_factor = parse_work_factor(stanza.args[2]);
    if (work_factor < 0)
        malformed(type, "has a work factor that is not a decimal number without leading zeros");
    check_body_size(type, stanza);
    if (work_factor > max_work_factor)
        throw AgeKeyRefused("the age file's passphrase asks for scrypt work factor " +
                            stanza.args[2].substr(0, 20) + " (log2 N), above the limit of " +
                            std::to_string(max_work_factor));
    SecretBytes wrap_key = scrypt_wrap_key(passphrase, *salt, work_factor);
    return open_file_key(wrap_key, stanza.body);
}

} // namespace lokbackup
