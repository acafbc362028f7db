#include "core/base/random_hex.hpp"

#include "core/base/error.hpp"

#include <openssl/rand.h>

#include <vector>

namespace lokbackup
{

std::string random_hex(std::size_t bytes)
{
    std::vector<unsigned char> random(bytes);
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
        throw Error("OpenSSL could not produce random bytes");
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char byte : random) {
        hex += digits[byte >> 4];
        hex += digits[byte & 0x0f];
    }
    return hex;
}

} // namespace lokbackup
