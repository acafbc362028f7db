// The recipient stanzas of the age format that lokbackup writes and reads: X25519 and scrypt
// (passphrase). Each wraps the 16-byte file key with ChaCha20-Poly1305 under a key that only the
// identity or the passphrase gives back.
#pragma once

#include "core/crypto/age_header.hpp"
#include "core/crypto/age_keys.hpp"
#include "core/crypto/secret_bytes.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

namespace lokbackup
{

constexpr std::size_t age_file_key_size = 16;
constexpr std::string_view age_x25519_stanza_type = "X25519";
constexpr std::string_view age_scrypt_stanza_type = "scrypt";

// Throws InvalidValue for a recipient that is no usable X25519 key (a low-order point).
AgeStanza wrap_file_key(const SecretBytes &file_key, const AgeRecipient &recipient);
// Throws InvalidValue for an empty passphrase or a work factor outside 1 to 22.
AgeStanza wrap_file_key(const SecretBytes &file_key, const AgePassphrase &passphrase);

// The file key, or nullopt when the stanza was made for another recipient. Throws BackupDamaged
// when the stanza is no well-formed X25519 stanza.
std::optional<SecretBytes> unwrap_file_key(const AgeStanza &stanza, const AgeIdentity &identity);
// The file key, or nullopt when the passphrase is not the one. Throws BackupDamaged when the
// stanza is no well-formed scrypt stanza, and Error when its work factor is above
// `max_work_factor`.
std::optional<SecretBytes> unwrap_file_key(const AgeStanza &stanza, const SecretBytes &passphrase,
                                           int max_work_factor);

} // namespace lokbackup
