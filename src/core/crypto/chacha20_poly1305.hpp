// ChaCha20-Poly1305 (RFC 7539) through OpenSSL's EVP interface, for one key and many nonces.
#pragma once

#include "core/crypto/secret_bytes.hpp"

#include <cstddef>
#include <memory>

namespace lokbackup
{

constexpr std::size_t chacha20_poly1305_key_size = 32;
constexpr std::size_t chacha20_poly1305_nonce_size = 12;
constexpr std::size_t chacha20_poly1305_tag_size = 16;

class ChaCha20Poly1305
{
  public:
    explicit ChaCha20Poly1305(const SecretBytes &key);
    ~ChaCha20Poly1305();
    ChaCha20Poly1305(const ChaCha20Poly1305 &) = delete;
    ChaCha20Poly1305 &operator=(const ChaCha20Poly1305 &) = delete;

    // Encrypts `size` bytes of `in` into `out` (which may be `in`) and writes the tag after
    // them: `out` has room for size + 16 bytes.
    void seal(const unsigned char *nonce, const unsigned char *in, std::size_t size,
              unsigned char *out);

    // Decrypts `size` bytes (the ciphertext, then its 16-byte tag) into `out` (size - 16 bytes;
    // not `in`). False when the tag does not verify: `out` then holds bytes that must not be
    // used.
    bool open(const unsigned char *nonce, const unsigned char *in, std::size_t size,
              unsigned char *out);

  private:
    struct Context;
    std::unique_ptr<Context> context_;
    SecretBytes key_;
};

} // namespace lokbackup
