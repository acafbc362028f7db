// The text header of an age file (age-encryption.org/v1): the version line, one stanza per
// recipient, each wrapping the file key, and a MAC of it all under a key made from the file key.
#pragma once

#include "core/crypto/secret_bytes.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

constexpr std::string_view age_version_line = "age-encryption.org/v1\n";

// Whether `bytes` start as an age v1 file does; false when fewer than the 22 bytes of the version
// line are given.
bool starts_with_age_header(std::string_view bytes);

struct AgeStanza {
    std::vector<std::string> args; // args[0] is the type: "X25519", "scrypt", a plugin's name
    std::string body;              // decoded from its base64 lines
};

// The whole header, MAC line included.
std::string format_age_header(const SecretBytes &file_key, const std::vector<AgeStanza> &stanzas);

struct AgeHeader {
    std::vector<AgeStanza> stanzas;
    std::string mac_input; // the header up to and including "---", which the MAC covers
    std::string mac;       // 32 bytes
};

// Parses a whole header (as AgeHeaderReader collects it). Throws BackupDamaged saying what is
// malformed.
AgeHeader parse_age_header(std::string_view text);

// Whether the header's MAC is the one that `file_key` gives (compared in constant time).
bool age_header_mac_matches(const AgeHeader &header, const SecretBytes &file_key);

// Collects the header from the first bytes of a stream, whatever their pieces: it ends with the
// line that starts with "---". Refuses early what is no age file, and headers over 1 MiB.
class AgeHeaderReader
{
  public:
    // Takes what of `data` belongs to the header and returns how much that is: less than `size`
    // once the header is complete. Throws BackupDamaged.
    std::size_t feed(const char *data, std::size_t size);
    bool complete() const { return complete_; }
    const std::string &text() const { return text_; }

  private:
    std::string text_;
    std::size_t line_start_ = 0;
    bool complete_ = false;
};

} // namespace lokbackup
