// The stored bytes of an object back into what was stored: decompression, behind decryption when
// the object is encrypted (age after compression). Shared by the restore pipeline and wal-fetch.
#pragma once

#include "core/base/sink.hpp"
#include "core/crypto/age_keys.hpp"
#include "core/pipeline/codec.hpp"

#include <memory>

namespace lokbackup
{

class ObjectDecoder
{
  public:
    // Throws Error when the object is encrypted and `keys` is null.
    ObjectDecoder(Compression compression, bool encrypted, const AgeDecryptionKeys *keys,
                  Sink &out);
    // Where the stored bytes go; its finish() finishes `out`.
    Sink &input() { return decryptor_ ? *decryptor_ : *decompressor_; }

  private:
    std::unique_ptr<Sink> decompressor_;
    std::unique_ptr<Sink> decryptor_;
};

} // namespace lokbackup
