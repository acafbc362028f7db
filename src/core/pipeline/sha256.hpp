// SHA-256 through OpenSSL's EVP interface.
#pragma once

#include "core/base/sink.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lokbackup
{

class Sha256
{
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void update(const void *data, std::size_t size);
    // Lower-case hex of the digest; the hasher cannot be updated afterwards.
    std::string hex_digest();

  private:
    struct Context;
    std::unique_ptr<Context> context_;
};

// Passes bytes through to `out` unchanged while hashing and counting them.
class HashingSink : public Sink
{
  public:
    explicit HashingSink(Sink &out) : out_(out) {}
    void write(const char *data, std::size_t size) override;
    void finish() override;
    std::uint64_t bytes() const { return bytes_; }
    std::string hex_digest() { return hash_.hex_digest(); }

  private:
    Sink &out_;
    Sha256 hash_;
    std::uint64_t bytes_ = 0;
};

// Lower-case hex of the SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Whether `text` is a SHA-256 as lokbackup writes it: 64 lower-case hex digits.
bool is_sha256_hex(std::string_view text);

} // namespace lokbackup
