// The file key of an age file, wrapped for every recipient of a key set, and unwrapped from a
// header's stanzas with whichever given key opens one.
#pragma once

#include "core/crypto/age_header.hpp"
#include "core/crypto/age_keys.hpp"
#include "core/crypto/secret_bytes.hpp"

#include <vector>

namespace lokbackup
{

// One stanza per recipient, or the one scrypt stanza of a passphrase. Throws InvalidValue when
// `keys` has neither, or both.
std::vector<AgeStanza> wrap_age_file_key(const SecretBytes &file_key,
                                         const AgeEncryptionKeys &keys);

// The file key from the first stanza that one of `keys` opens. Throws AgeKeyRefused saying why none
// does: a passphrase file without a passphrase, a wrong passphrase, how many X25519 stanzas there
// are and which recipients the given identities are, stanzas of unsupported types. Throws
// BackupDamaged for a malformed stanza, or an scrypt stanza beside others.
SecretBytes unwrap_age_file_key(const std::vector<AgeStanza> &stanzas,
                                const AgeDecryptionKeys &keys);

} // namespace lokbackup
