// X25519 (RFC 7748) through OpenSSL's EVP interface.
#pragma once

#include "core/crypto/secret_bytes.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lokbackup
{

constexpr std::size_t x25519_key_size = 32;

// X25519(secret, base point): the public key of a 32-byte secret key.
std::string x25519_public_key(const SecretBytes &secret);

// X25519(secret, peer), or nullopt when the peer's key is a low-order point whose shared secret
// is all zeros (OpenSSL refuses it; age requires aborting there).
std::optional<SecretBytes> x25519_shared_secret(const SecretBytes &secret,
                                                std::string_view peer_public_key);

} // namespace lokbackup
