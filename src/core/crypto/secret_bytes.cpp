#include "core/crypto/secret_bytes.hpp"

#include "core/base/error.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <utility>

namespace lokbackup
{

SecretBytes::~SecretBytes()
{
    if (!bytes_.empty())
        OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

SecretBytes &SecretBytes::operator=(SecretBytes other) noexcept
{
    // The old bytes end up in `other`, whose destructor wipes them.
    std::swap(bytes_, other.bytes_);
    return *this;
}

SecretBytes SecretBytes::random(std::size_t size)
{
    SecretBytes bytes(size);
    if (size > 0 && RAND_bytes(bytes.data(), static_cast<int>(size)) != 1)
        throw Error("OpenSSL could not produce random bytes");
    return bytes;
}

} // namespace lokbackup
