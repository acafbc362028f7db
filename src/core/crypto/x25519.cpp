#include "core/crypto/x25519.hpp"

#include "core/base/error.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace lokbackup
{

namespace
{

struct KeyFree {
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
struct ContextFree {
    void operator()(EVP_PKEY_CTX *context) const { EVP_PKEY_CTX_free(context); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Key private_key(const SecretBytes &secret)
{
    if (secret.size() != x25519_key_size)
        throw Error("an X25519 secret key has 32 bytes");
    Key key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, secret.data(), secret.size()));
    if (!key)
        throw Error("OpenSSL cannot load an X25519 secret key");
    return key;
}

} // namespace

std::string x25519_public_key(const SecretBytes &secret)
{
    Key key = private_key(secret);
    std::string public_key(x25519_key_size, '\0');
    std::size_t size = public_key.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char *>(public_key.data()),
                                    &size) != 1 ||
        size != x25519_key_size)
        throw Error("OpenSSL cannot compute an X25519 public key");
    return public_key;
}

std::optional<SecretBytes> x25519_shared_secret(const SecretBytes &secret,
                                                std::string_view peer_public_key)
{
    if (peer_public_key.size() != x25519_key_size)
        throw Error("an X25519 public key has 32 bytes");
    Key own = private_key(secret);
    Key peer(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_X25519, nullptr, reinterpret_cast<const unsigned char *>(peer_public_key.data()),
        peer_public_key.size()));
    if (!peer)
        throw Error("OpenSSL cannot load an X25519 public key");
    std::unique_ptr<EVP_PKEY_CTX, ContextFree> context(EVP_PKEY_CTX_new(own.get(), nullptr));
    if (!context || EVP_PKEY_derive_init(context.get()) != 1 ||
        EVP_PKEY_derive_set_peer(context.get(), peer.get()) != 1)
        throw Error("OpenSSL cannot start an X25519 key agreement");
    SecretBytes shared(x25519_key_size);
    std::size_t size = shared.size();
    // The one way this fails once started is an all-zero result, from a low-order point.
    if (EVP_PKEY_derive(context.get(), shared.data(), &size) != 1 || size != x25519_key_size)
        return std::nullopt;
    static const unsigned char zeros[x25519_key_size] = {};
    if (CRYPTO_memcmp(shared.data(), zeros, x25519_key_size) == 0)
        return std::nullopt;
    return shared;
}

} // namespace lokbackup
