#include "core/crypto/key_derivation.hpp"

#include "core/base/error.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace lokbackup
{

namespace
{

constexpr std::size_t derived_key_size = 32;

struct KdfFree {
    void operator()(EVP_KDF *kdf) const { EVP_KDF_free(kdf); }
};
struct KdfContextFree {
    void operator()(EVP_KDF_CTX *context) const { EVP_KDF_CTX_free(context); }
};

void *octets(std::string_view bytes)
{
    return const_cast<char *>(bytes.data());
}

void *octets(const SecretBytes &bytes)
{
    return const_cast<unsigned char *>(bytes.data());
}

SecretBytes derive(const char *algorithm, const std::vector<OSSL_PARAM> &params)
{
    std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, algorithm, nullptr));
    if (!kdf)
        throw Error(std::string("OpenSSL has no ") + algorithm);
    std::unique_ptr<EVP_KDF_CTX, KdfContextFree> context(EVP_KDF_CTX_new(kdf.get()));
    SecretBytes key(derived_key_size);
    if (!context || EVP_KDF_derive(context.get(), key.data(), key.size(), params.data()) != 1)
        throw Error(std::string(algorithm) + " key derivation failed");
    return key;
}

} // namespace

SecretBytes hkdf_sha256(const SecretBytes &key, std::string_view salt, std::string_view info)
{
    std::vector<OSSL_PARAM> params = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char *>("SHA256"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, octets(key), key.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, octets(info), info.size()),
    };
    // No salt is RFC 5869's empty salt, which age's header key uses.
    if (!salt.empty())
        params.push_back(
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, octets(salt), salt.size()));
    params.push_back(OSSL_PARAM_construct_end());
    return derive(OSSL_KDF_NAME_HKDF, params);
}

std::string hmac_sha256(std::string_view key, std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char *>(data.data()), data.size(), digest, &length))
        throw Error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char *>(digest), length);
}

SecretBytes scrypt_key(const SecretBytes &passphrase, std::string_view salt, int log2_n)
{
    if (log2_n < 1 || log2_n > 62)
        throw Error("scrypt work factor out of range");
    std::uint64_t n = std::uint64_t{1} << log2_n;
    std::uint32_t r = 8, p = 1;
    // OpenSSL's default memory limit (about 1 GiB) is below what age's limit of 2^22 needs;
    // the work factor itself is what callers bound.
    std::uint64_t max_memory = 128 * r * (n + 2 + p);
    std::vector<OSSL_PARAM> params = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, octets(passphrase),
                                          passphrase.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, octets(salt), salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory),
        OSSL_PARAM_construct_end(),
    };
    return derive(OSSL_KDF_NAME_SCRYPT, params);
}

} // namespace lokbackup
