#include "core/pipeline/object_decoder.hpp"

#include "core/base/error.hpp"
#include "core/crypto/age_decryptor.hpp"

namespace lokbackup
{

ObjectDecoder::ObjectDecoder(Compression compression, bool encrypted, const AgeDecryptionKeys *keys,
                             Sink &out)
    : decompressor_(make_decompressor(compression, out))
{
    if (!encrypted)
        return;
    if (keys == nullptr)
        throw Error("the backup object is encrypted, and no identity to decrypt it was given");
    decryptor_ = make_age_decryptor(*keys, *decompressor_);
}

} // namespace lokbackup
