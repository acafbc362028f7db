#include "core/pipeline/sha256.hpp"

#include "core/base/error.hpp"

#include <openssl/evp.h>

namespace lokbackup
{

struct Sha256::Context {
    struct Free {
        void operator()(EVP_MD_CTX *context) const { EVP_MD_CTX_free(context); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> md{EVP_MD_CTX_new()};
    // Kept once taken, so that the digest can be asked for more than once.
    std::string digest;
};

Sha256::Sha256() : context_(std::make_unique<Context>())
{
    if (!context_->md || EVP_DigestInit_ex(context_->md.get(), EVP_sha256(), nullptr) != 1)
        throw Error("cannot start a sha-256 digest");
}

Sha256::~Sha256() = default;

void Sha256::update(const void *data, std::size_t size)
{
    if (!context_->digest.empty())
        throw Error("sha-256 digest updated after it was taken");
    if (EVP_DigestUpdate(context_->md.get(), data, size) != 1)
        throw Error("sha-256 digest update failed");
}

std::string Sha256::hex_digest()
{
    if (!context_->digest.empty())
        return context_->digest;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->md.get(), digest, &length) != 1)
        throw Error("sha-256 digest failed");
    static const char hex[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 0xf];
    }
    context_->digest = text;
    return text;
}

void HashingSink::write(const char *data, std::size_t size)
{
    hash_.update(data, size);
    bytes_ += size;
    out_.write(data, size);
}

void HashingSink::finish()
{
    out_.finish();
}

bool is_sha256_hex(std::string_view text)
{
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string sha256_hex(std::string_view data)
{
    Sha256 hash;
    hash.update(data.data(), data.size());
    return hash.hex_digest();
}

} // namespace lokbackup
