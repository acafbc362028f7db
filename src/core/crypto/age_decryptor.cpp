#include "core/crypto/age_decryptor.hpp"

#include "core/base/error.hpp"
#include "core/crypto/age_file_key.hpp"
#include "core/crypto/age_header.hpp"
#include "core/crypto/age_payload.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

namespace lokbackup
{

namespace
{

class AgeDecryptor : public Sink
{
  public:
    AgeDecryptor(const AgeDecryptionKeys &keys, Sink &out)
        : keys_(keys), sealed_(age_sealed_chunk_size), plain_(age_chunk_size), out_(out)
    {
        if (keys.identities.empty() && !keys.passphrase)
            throw InvalidValue("nothing to decrypt an age file with: no identity and no "
                               "passphrase");
        if (keys.passphrase && keys.passphrase->size() == 0)
            throw InvalidValue("the age passphrase is empty");
    }

    void write(const char *data, std::size_t size) override
    {
        if (!cipher_) {
            std::size_t taken = take_start(data, size);
            data += taken;
            size -= taken;
        }
        while (size > 0) {
            if (final_opened_)
                throw BackupDamaged("damaged age file: it has data after its final chunk");
            std::size_t piece = std::min(size, age_sealed_chunk_size - buffered_);
            std::memcpy(sealed_.data() + buffered_, data, piece);
            buffered_ += piece;
            data += piece;
            size -= piece;
            if (buffered_ == age_sealed_chunk_size)
                open_full_chunk();
        }
    }

    void finish() override
    {
        if (!header_.complete())
            throw BackupDamaged(header_.text().empty()
                                    ? "not an age file: it is empty"
                                    : "truncated age file: it ends inside its header");
        if (!cipher_)
            throw BackupDamaged("truncated age file: it ends before its payload");
        if (!final_opened_)
            open_final_chunk();
        out_.finish();
    }

  private:
    // Takes the header and the payload's nonce; returns how much of `data` they took.
    std::size_t take_start(const char *data, std::size_t size)
    {
        std::size_t taken = 0;
        if (!header_.complete()) {
            taken = header_.feed(data, size);
            if (!header_.complete())
                return taken;
            AgeHeader header = parse_age_header(header_.text());
            file_key_ = unwrap_age_file_key(header.stanzas, keys_);
            if (!age_header_mac_matches(header, file_key_))
                throw BackupDamaged("damaged age header: its MAC does not match (the header was "
                                    "altered)");
        }
        std::size_t piece = std::min(size - taken, age_payload_nonce_size - nonce_.size());
        nonce_.append(data + taken, piece);
        taken += piece;
        if (nonce_.size() == age_payload_nonce_size) {
            cipher_.emplace(file_key_, nonce_);
            file_key_ = SecretBytes();
        }
        return taken;
    }

    // A full chunk is the final one only if it authenticates as such; the stream's end is not
    // needed to tell.
    void open_full_chunk()
    {
        bool opened = cipher_->open_next(sealed_.data(), buffered_, false, plain_.data());
        if (!opened) {
            opened = final_opened_ =
                cipher_->open_next(sealed_.data(), buffered_, true, plain_.data());
        }
        if (!opened)
            throw BackupDamaged("damaged age file: chunk " + std::to_string(cipher_->chunks()) +
                                " of its payload does not authenticate");
        emit_chunk();
    }

    void open_final_chunk()
    {
        if (buffered_ == 0)
            throw BackupDamaged("truncated age file: its payload ends without a final chunk");
        if (!cipher_->open_next(sealed_.data(), buffered_, true, plain_.data()))
            throw BackupDamaged("truncated or damaged age file: the last chunk of its payload "
                                "does not authenticate as the final one");
        if (buffered_ == chacha20_poly1305_tag_size && cipher_->chunks() > 1)
            throw BackupDamaged("damaged age file: its final chunk is empty, which only the "
                                "payload of empty input may be");
        final_opened_ = true;
        emit_chunk();
    }

    void emit_chunk()
    {
        std::size_t size = buffered_ - chacha20_poly1305_tag_size;
        buffered_ = 0;
        if (size > 0)
            out_.write(reinterpret_cast<const char *>(plain_.data()), size);
    }

    AgeDecryptionKeys keys_;
    AgeHeaderReader header_;
    SecretBytes file_key_;
    std::string nonce_;
    std::optional<AgePayloadCipher> cipher_;
    std::vector<unsigned char> sealed_;
    std::vector<unsigned char> plain_;
    std::size_t buffered_ = 0;
    bool final_opened_ = false;
    Sink &out_;
};

} // namespace

std::unique_ptr<Sink> make_age_decryptor(const AgeDecryptionKeys &keys, Sink &out)
{
    return std::make_unique<AgeDecryptor>(keys, out);
}

} // namespace lokbackup
