#include "core/crypto/age_encryptor.hpp"

#include "core/crypto/age_file_key.hpp"
#include "core/crypto/age_header.hpp"
#include "core/crypto/age_payload.hpp"
#include "core/crypto/age_stanzas.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

namespace lokbackup
{

namespace
{

class AgeEncryptor : public Sink
{
  public:
    AgeEncryptor(const AgeEncryptionKeys &keys, Sink &out)
        : chunk_(age_sealed_chunk_size), out_(out)
    {
        SecretBytes file_key = SecretBytes::random(age_file_key_size);
        SecretBytes payload_nonce = SecretBytes::random(age_payload_nonce_size);
        start_ = format_age_header(file_key, wrap_age_file_key(file_key, keys));
        start_ += payload_nonce.view();
        cipher_.emplace(file_key, payload_nonce.view());
    }

    void write(const char *data, std::size_t size) override
    {
        write_start();
        while (size > 0) {
            // A full chunk waits for more input: only then is it known not to be the final one.
            if (buffered_ == age_chunk_size)
                seal_chunk(false);
            std::size_t piece = std::min(size, age_chunk_size - buffered_);
            std::memcpy(chunk_.data() + buffered_, data, piece);
            buffered_ += piece;
            data += piece;
            size -= piece;
        }
    }

    void finish() override
    {
        write_start();
        seal_chunk(true);
        out_.finish();
    }

  private:
    void write_start()
    {
        if (start_.empty())
            return;
        out_.write(start_.data(), start_.size());
        start_.clear();
    }

    void seal_chunk(bool final)
    {
        cipher_->seal_next(chunk_.data(), buffered_, final);
        out_.write(reinterpret_cast<const char *>(chunk_.data()),
                   buffered_ + chacha20_poly1305_tag_size);
        buffered_ = 0;
    }

    std::string start_; // the header and the payload's nonce, until they are written
    std::optional<AgePayloadCipher> cipher_;
    std::vector<unsigned char> chunk_; // plaintext, sealed in place
    std::size_t buffered_ = 0;
    Sink &out_;
};

} // namespace

std::unique_ptr<Sink> make_age_encryptor(const AgeEncryptionKeys &keys, Sink &out)
{
    return std::make_unique<AgeEncryptor>(keys, out);
}

} // namespace lokbackup
