// Streaming decryption of the age format (age-encryption.org/v1), of what `age` or
// make_age_encryptor() wrote.
#pragma once

#include "core/base/sink.hpp"
#include "core/crypto/age_keys.hpp"

#include <memory>

namespace lokbackup
{

// Decrypts the age file written to it into `out`, whatever the pieces. Nothing reaches `out`
// before the header's MAC is verified, and no chunk before its tag is. Throws:
// - InvalidValue at once when `keys` has no identity and no passphrase, or an empty passphrase;
// - AgeKeyRefused when no given key opens the file (the message says what the file is encrypted
//   to), or when its scrypt work factor is above keys.max_work_factor;
// - BackupDamaged for what is not an intact age file: no age header, a malformed header, a MAC
//   or chunk that does not authenticate, a stream that ends before its final chunk (in
//   finish()), data after the final chunk, an empty final chunk after others.
// finish() finishes `out` once the final chunk is verified.
std::unique_ptr<Sink> make_age_decryptor(const AgeDecryptionKeys &keys, Sink &out);

} // namespace lokbackup
