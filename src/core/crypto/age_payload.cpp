#include "core/crypto/age_payload.hpp"

#include "core/base/error.hpp"
#include "core/crypto/key_derivation.hpp"

namespace lokbackup
{

AgePayloadCipher::AgePayloadCipher(const SecretBytes &file_key, std::string_view payload_nonce)
    : aead_(hkdf_sha256(file_key, payload_nonce, "payload"))
{
    if (payload_nonce.size() != age_payload_nonce_size)
        throw Error("an age payload nonce has 16 bytes");
}

void AgePayloadCipher::make_nonce(bool final)
{
    // The counter's 11 bytes: a 64-bit count fills the low 8 (2^64 chunks of 64 KiB is beyond
    // any file), the high 3 stay zero.
    for (int i = 0; i < 8; ++i)
        nonce_[10 - i] = static_cast<unsigned char>(counter_ >> (8 * i));
    nonce_[11] = final ? 1 : 0;
}

void AgePayloadCipher::seal_next(unsigned char *chunk, std::size_t size, bool final)
{
    if (size > age_chunk_size)
        throw Error("an age payload chunk holds at most 64 KiB");
    make_nonce(final);
    aead_.seal(nonce_, chunk, size, chunk);
    ++counter_;
}

bool AgePayloadCipher::open_next(const unsigned char *sealed, std::size_t size, bool final,
                                 unsigned char *plain)
{
    if (size > age_sealed_chunk_size)
        throw Error("an age payload chunk holds at most 64 KiB");
    make_nonce(final);
    if (!aead_.open(nonce_, sealed, size, plain))
        return false;
    ++counter_;
    return true;
}

} // namespace lokbackup
