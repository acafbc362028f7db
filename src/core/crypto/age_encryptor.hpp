// Streaming encryption to the age format (age-encryption.org/v1), readable by `age -d`.
#pragma once

#include "core/base/sink.hpp"
#include "core/crypto/age_keys.hpp"

#include <memory>

namespace lokbackup
{

// Encrypts everything written to it into `out`: the header, then the payload one 64 KiB chunk at
// a time (memory stays flat whatever the size). finish() seals the final chunk, an empty one for
// empty input, and finishes `out`. Throws InvalidValue when `keys` has no recipient and no
// passphrase, or both.
std::unique_ptr<Sink> make_age_encryptor(const AgeEncryptionKeys &keys, Sink &out);

} // namespace lokbackup
