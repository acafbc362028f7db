#include "core/crypto/base64_unpadded.hpp"

#include <cstdint>

namespace lokbackup
{

namespace
{

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

} // namespace

std::string encode_base64_unpadded(std::string_view bytes)
{
    std::string text;
    text.reserve(base64_unpadded_size(bytes.size()));
    std::uint32_t bits = 0;
    int pending = 0; // bits held in `bits` not yet written
    for (char c : bytes) {
        bits = (bits << 8) | static_cast<unsigned char>(c);
        pending += 8;
        while (pending >= 6) {
            pending -= 6;
            text += alphabet[(bits >> pending) & 0x3f];
        }
    }
    if (pending > 0)
        text += alphabet[(bits << (6 - pending)) & 0x3f];
    return text;
}

std::optional<std::string> decode_base64_unpadded(std::string_view text)
{
    // A final group of one character would carry 6 bits: less than a byte.
    if (text.size() % 4 == 1)
        return std::nullopt;
    std::string bytes;
    bytes.reserve(text.size() * 6 / 8);
    std::uint32_t bits = 0;
    int pending = 0;
    for (char c : text) {
        int value = sextet(c);
        if (value < 0)
            return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        pending += 6;
        if (pending >= 8) {
            pending -= 8;
            bytes += static_cast<char>((bits >> pending) & 0xff);
        }
    }
    // Canonical: the bits left over after the last byte are zero, so that no two texts decode
    // to the same bytes.
    if ((bits & ((1u << pending) - 1)) != 0)
        return std::nullopt;
    return bytes;
}

} // namespace lokbackup
