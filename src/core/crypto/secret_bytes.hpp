// Key material (file keys, secret keys, derived keys, passphrases) that is wiped when it dies, so
// that a freed heap block or a core dump does not keep it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace lokbackup
{

class SecretBytes
{
  public:
    // `size` zero bytes.
    explicit SecretBytes(std::size_t size = 0) : bytes_(size) {}
    explicit SecretBytes(std::string_view bytes) : bytes_(bytes.begin(), bytes.end()) {}
    ~SecretBytes();
    SecretBytes(const SecretBytes &other) = default;
    SecretBytes(SecretBytes &&other) noexcept = default;
    SecretBytes &operator=(SecretBytes other) noexcept;

    // `size` bytes from OpenSSL's random generator; throws Error when it has none to give.
    static SecretBytes random(std::size_t size);

    unsigned char *data() { return bytes_.data(); }
    const unsigned char *data() const { return bytes_.data(); }
    std::size_t size() const { return bytes_.size(); }
    std::string_view view() const
    {
        return {reinterpret_cast<const char *>(bytes_.data()), bytes_.size()};
    }

  private:
    // Never resized after construction: a reallocation would leave a copy behind unwiped.
    std::vector<unsigned char> bytes_;
};

} // namespace lokbackup
