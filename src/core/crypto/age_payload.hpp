// The payload of an age file: a 16-byte nonce, then the plaintext in 64 KiB chunks, each sealed
// with ChaCha20-Poly1305 under a key made from the file key and that nonce (the STREAM
// construction: chunk i's nonce is i as 11 big-endian bytes, then 1 for the final chunk, else 0).
#pragma once

#include "core/crypto/chacha20_poly1305.hpp"
#include "core/crypto/secret_bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lokbackup
{

constexpr std::size_t age_payload_nonce_size = 16;
constexpr std::size_t age_chunk_size = 64 * 1024;
constexpr std::size_t age_sealed_chunk_size = age_chunk_size + chacha20_poly1305_tag_size;

// Seals or opens the chunks of one payload in order.
class AgePayloadCipher
{
  public:
    AgePayloadCipher(const SecretBytes &file_key, std::string_view payload_nonce);

    // Seals the next chunk in place: `chunk` holds `size` plaintext bytes (at most 64 KiB) and
    // has room for the 16-byte tag after them.
    void seal_next(unsigned char *chunk, std::size_t size, bool final);

    // Opens the next chunk (`size` sealed bytes) into `plain`, as the final one or not. False
    // when it does not authenticate so; only an opened chunk moves on to the next.
    bool open_next(const unsigned char *sealed, std::size_t size, bool final, unsigned char *plain);

    // Chunks sealed or opened so far.
    std::uint64_t chunks() const { return counter_; }

  private:
    void make_nonce(bool final);

    ChaCha20Poly1305 aead_;
    std::uint64_t counter_ = 0;
    unsigned char nonce_[chacha20_poly1305_nonce_size] = {};
};

} // namespace lokbackup
