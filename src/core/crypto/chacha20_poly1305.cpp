#include "core/crypto/chacha20_poly1305.hpp"

#include "core/base/error.hpp"

#include <openssl/evp.h>

#include <climits>

namespace lokbackup
{

struct ChaCha20Poly1305::Context {
    struct Free {
        void operator()(EVP_CIPHER_CTX *context) const { EVP_CIPHER_CTX_free(context); }
    };
    std::unique_ptr<EVP_CIPHER_CTX, Free> cipher{EVP_CIPHER_CTX_new()};
};

namespace
{

int checked_length(std::size_t size)
{
    // age's chunks are 64 KiB; nothing here comes near int's range.
    if (size > INT_MAX)
        throw Error("ChaCha20-Poly1305 input too large");
    return static_cast<int>(size);
}

} // namespace

ChaCha20Poly1305::ChaCha20Poly1305(const SecretBytes &key)
    : context_(std::make_unique<Context>()), key_(key)
{
    if (key.size() != chacha20_poly1305_key_size)
        throw Error("a ChaCha20-Poly1305 key has 32 bytes");
    if (!context_->cipher || EVP_CipherInit_ex(context_->cipher.get(), EVP_chacha20_poly1305(),
                                               nullptr, nullptr, nullptr, 1) != 1)
        throw Error("OpenSSL cannot start ChaCha20-Poly1305");
}

ChaCha20Poly1305::~ChaCha20Poly1305() = default;

void ChaCha20Poly1305::seal(const unsigned char *nonce, const unsigned char *in, std::size_t size,
                            unsigned char *out)
{
    EVP_CIPHER_CTX *cipher = context_->cipher.get();
    int length = 0, final_length = 0;
    if (EVP_CipherInit_ex(cipher, nullptr, nullptr, key_.data(), nonce, 1) != 1 ||
        EVP_EncryptUpdate(cipher, out, &length, in, checked_length(size)) != 1 ||
        EVP_EncryptFinal_ex(cipher, out + length, &final_length) != 1 ||
        static_cast<std::size_t>(length + final_length) != size ||
        EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_AEAD_GET_TAG,
                            static_cast<int>(chacha20_poly1305_tag_size), out + size) != 1)
        throw Error("ChaCha20-Poly1305 encryption failed");
}

bool ChaCha20Poly1305::open(const unsigned char *nonce, const unsigned char *in, std::size_t size,
                            unsigned char *out)
{
    if (size < chacha20_poly1305_tag_size)
        return false;
    std::size_t text_size = size - chacha20_poly1305_tag_size;
    EVP_CIPHER_CTX *cipher = context_->cipher.get();
    int length = 0, final_length = 0;
    if (EVP_CipherInit_ex(cipher, nullptr, nullptr, key_.data(), nonce, 0) != 1 ||
        EVP_DecryptUpdate(cipher, out, &length, in, checked_length(text_size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_AEAD_SET_TAG,
                            static_cast<int>(chacha20_poly1305_tag_size),
                            const_cast<unsigned char *>(in + text_size)) != 1)
        throw Error("ChaCha20-Poly1305 decryption failed");
    // The tag is checked here; a mismatch is the one expected failure.
    return EVP_DecryptFinal_ex(cipher, out + length, &final_length) == 1;
}

} // namespace lokbackup
