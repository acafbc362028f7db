// The base64 of the age format: RFC 4648's standard alphabet without '=' padding, canonical only
// (the spec requires decoders to refuse any other spelling of the same bytes).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lokbackup
{

std::string encode_base64_unpadded(std::string_view bytes);

// The bytes, or nullopt when `text` is not canonical unpadded base64: a character outside the
// alphabet (padding included), a length that no byte count gives, or unused low bits not zero.
std::optional<std::string> decode_base64_unpadded(std::string_view text);

// How many characters encode `bytes` bytes: 43 for a 32-byte key.
constexpr std::size_t base64_unpadded_size(std::size_t bytes)
{
    return (bytes * 8 + 5) / 6;
}

} // namespace lokbackup
