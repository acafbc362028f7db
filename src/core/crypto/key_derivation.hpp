// The key derivations and MAC that age uses, through OpenSSL: HKDF-SHA-256, HMAC-SHA-256, scrypt.
#pragma once

#include "core/crypto/secret_bytes.hpp"

#include <string>
#include <string_view>

namespace lokbackup
{

// HKDF-SHA-256 (RFC 5869: extract with `salt`, which may be empty, then expand with `info`) to
// the 32 bytes that every age key is.
SecretBytes hkdf_sha256(const SecretBytes &key, std::string_view salt, std::string_view info);

// The 32-byte HMAC-SHA-256 of `data`.
std::string hmac_sha256(std::string_view key, std::string_view data);

// scrypt (RFC 7914) with N = 2^log2_n, r = 8, p = 1, to 32 bytes: age's parameters. Takes
// 128 * 8 * N bytes of memory (256 MiB at age's default 18).
SecretBytes scrypt_key(const SecretBytes &passphrase, std::string_view salt, int log2_n);

} // namespace lokbackup
