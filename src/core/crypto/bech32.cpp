#include "core/crypto/bech32.hpp"

#include "core/base/error.hpp"

#include <cstdint>
#include <vector>

namespace lokbackup
{

namespace
{

constexpr char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t checksum_size = 6;

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

int charset_value(char c)
{
    char wanted = lower(c);
    for (int i = 0; i < 32; ++i)
        if (charset[i] == wanted)
            return i;
    return -1;
}

// BIP 173's checksum state, fed one 5-bit value at a time.
class Polymod
{
  public:
    void add(std::uint8_t value)
    {
        static constexpr std::uint32_t generator[] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
                                                      0x3d4233dd, 0x2a1462b3};
        std::uint32_t top = state_ >> 25;
        state_ = ((state_ & 0x1ffffff) << 5) ^ value;
        for (int i = 0; i < 5; ++i)
            if ((top >> i) & 1)
                state_ ^= generator[i];
    }
    void add_hrp(std::string_view hrp)
    {
        for (char c : hrp)
            add(static_cast<std::uint8_t>(lower(c)) >> 5);
        add(0);
        for (char c : hrp)
            add(static_cast<std::uint8_t>(lower(c)) & 31);
    }
    std::uint32_t value() const { return state_; }

  private:
    std::uint32_t state_ = 1;
};

// Regroups bits: 8 to 5 when encoding (the last group padded with zeros), 5 to 8 when decoding
// (where the padding must be short and zero). `out` has room for every group.
bool regroup(const unsigned char *in, std::size_t size, int from_bits, int to_bits, bool pad,
             unsigned char *out, std::size_t &written)
{
    std::uint32_t accumulator = 0;
    int bits = 0;
    const std::uint32_t mask = (1u << to_bits) - 1;
    written = 0;
    for (std::size_t i = 0; i < size; ++i) {
        accumulator = (accumulator << from_bits) | in[i];
        bits += from_bits;
        while (bits >= to_bits) {
            bits -= to_bits;
            out[written++] = static_cast<unsigned char>((accumulator >> bits) & mask);
        }
    }
    if (pad) {
        if (bits > 0)
            out[written++] = static_cast<unsigned char>((accumulator << (to_bits - bits)) & mask);
    } else if (bits >= from_bits || ((accumulator << (to_bits - bits)) & mask) != 0) {
        return false;
    }
    return true;
}

} // namespace

std::string encode_bech32(std::string_view hrp, std::string_view data)
{
    SecretBytes groups((data.size() * 8 + 4) / 5);
    std::size_t count = 0;
    regroup(reinterpret_cast<const unsigned char *>(data.data()), data.size(), 8, 5, true,
            groups.data(), count);
    Polymod polymod;
    polymod.add_hrp(hrp);
    std::string text;
    for (char c : hrp)
        text += lower(c);
    text += '1';
    for (std::size_t i = 0; i < count; ++i) {
        polymod.add(groups.data()[i]);
        text += charset[groups.data()[i]];
    }
    for (std::size_t i = 0; i < checksum_size; ++i)
        polymod.add(0);
    std::uint32_t checksum = polymod.value() ^ 1;
    for (std::size_t i = 0; i < checksum_size; ++i)
        text += charset[(checksum >> (5 * (checksum_size - 1 - i))) & 31];
    return text;
}

Bech32Text decode_bech32(std::string_view text)
{
    bool has_lower = false, has_upper = false;
    for (char c : text) {
        if (c < 33 || c > 126)
            throw InvalidValue("it has a space or a character outside printable ASCII");
        has_lower |= c >= 'a' && c <= 'z';
        has_upper |= c >= 'A' && c <= 'Z';
    }
    if (has_lower && has_upper)
        throw InvalidValue("it mixes upper and lower case");
    std::size_t separator = text.rfind('1');
    if (separator == std::string_view::npos || separator == 0)
        throw InvalidValue("it has no type before a '1' separator");
    if (text.size() - separator - 1 < checksum_size)
        throw InvalidValue("it is too short");

    std::string_view hrp = text.substr(0, separator);
    std::string_view data_part = text.substr(separator + 1);
    SecretBytes values(data_part.size());
    Polymod polymod;
    polymod.add_hrp(hrp);
    for (std::size_t i = 0; i < data_part.size(); ++i) {
        int value = charset_value(data_part[i]);
        if (value < 0)
            throw InvalidValue("its character " + std::to_string(separator + 2 + i) +
                               " is not one that bech32 uses (1, b, i and o never occur after "
                               "the separator)");
        values.data()[i] = static_cast<unsigned char>(value);
        polymod.add(static_cast<std::uint8_t>(value));
    }
    if (polymod.value() != 1)
        throw InvalidValue("its checksum does not match (a character is mistyped, missing or "
                           "extra)");

    std::size_t group_count = data_part.size() - checksum_size;
    SecretBytes bytes(group_count * 5 / 8);
    std::size_t written = 0;
    if (!regroup(values.data(), group_count, 5, 8, false, bytes.data(), written))
        throw InvalidValue("its last character carries bits that are not zero padding");
    Bech32Text decoded;
    for (char c : hrp)
        decoded.hrp += lower(c);
    decoded.data = SecretBytes(bytes.view().substr(0, written));
    return decoded;
}

} // namespace lokbackup
