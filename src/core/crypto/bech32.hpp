// Bech32 (BIP 173) as age spells its keys: without BIP 173's 90-character limit, all upper or all
// lower case, the checksum always over the lower-case form.
#pragma once

#include "core/crypto/secret_bytes.hpp"

#include <string>
#include <string_view>

namespace lokbackup
{

struct Bech32Text {
    std::string hrp;  // the human-readable part, lower case ("age", "age-secret-key-")
    SecretBytes data; // 8-bit bytes: a secret key, for an identity
};

// Lower case; upper-case it for an identity, as age does.
std::string encode_bech32(std::string_view hrp, std::string_view data);

// Throws InvalidValue saying what is wrong (mixed case, no separator, a character that bech32
// does not use, a checksum that does not match), never quoting `text`: it may be a secret key.
Bech32Text decode_bech32(std::string_view text);

} // namespace lokbackup
