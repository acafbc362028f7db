#include "core/crypto/age_header.hpp"

#include "core/base/error.hpp"
#include "core/base/text.hpp"
#include "core/crypto/base64_unpadded.hpp"
#include "core/crypto/key_derivation.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

namespace lokbackup
{

namespace
{

constexpr std::size_t body_columns = 64;
constexpr std::size_t mac_size = 32;
constexpr std::size_t max_header_size = 1024 * 1024;
constexpr std::string_view stanza_prefix = "-> ";
constexpr std::string_view mac_prefix = "---";

[[noreturn]] void malformed(const std::string &what)
{
    throw BackupDamaged("damaged age header: " + what);
}

std::string header_mac(const SecretBytes &file_key, std::string_view mac_input)
{
    return hmac_sha256(hkdf_sha256(file_key, "", "header").view(), mac_input);
}

std::string header_without_mac(const std::vector<AgeStanza> &stanzas)
{
    std::string text(age_version_line);
    for (const AgeStanza &stanza : stanzas) {
        text += "->";
        for (const std::string &arg : stanza.args)
            text += " " + arg;
        text += '\n';
        // Full lines of 64 columns, then a shorter one, empty when the body fills its last line.
        std::string body = encode_base64_unpadded(stanza.body);
        for (std::size_t pos = 0;; pos += body_columns) {
            text += body.substr(pos, body_columns);
            text += '\n';
            if (body.size() - pos < body_columns)
                break;
        }
    }
    text += mac_prefix;
    return text;
}

bool is_argument(std::string_view arg)
{
    return !arg.empty() &&
           std::all_of(arg.begin(), arg.end(), [](char c) { return c >= 33 && c <= 126; });
}

// Lines of `text`, which ends with a newline, one at a time.
class Lines
{
  public:
    explicit Lines(std::string_view text) : text_(text) {}
    bool done() const { return pos_ >= text_.size(); }
    std::size_t position() const { return pos_; }
    std::string_view next()
    {
        if (done())
            malformed("it ends before its MAC line");
        std::size_t end = text_.find('\n', pos_);
        if (end == std::string_view::npos)
            malformed("its last line has no newline");
        std::string_view line = text_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return line;
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

AgeStanza parse_stanza(std::string_view arg_line, Lines &lines)
{
    AgeStanza stanza;
    std::string_view args = arg_line.substr(stanza_prefix.size());
    for (std::size_t start = 0; start <= args.size();) {
        std::size_t space = std::min(args.find(' ', start), args.size());
        std::string_view arg = args.substr(start, space - start);
        if (!is_argument(arg))
            malformed("a stanza has an empty argument or one with a byte outside printable "
                      "ASCII");
        stanza.args.emplace_back(arg);
        start = space + 1;
    }
    std::string body;
    for (;;) {
        std::string_view line = lines.next();
        if (line.size() > body_columns)
            malformed("a line of a stanza's body is longer than 64 columns");
        body += line;
        if (line.size() < body_columns)
            break;
    }
    std::optional<std::string> decoded = decode_base64_unpadded(body);
    if (!decoded)
        malformed("the body of a " + printable(stanza.args[0].substr(0, 40)) +
                  " stanza is not canonical base64");
    stanza.body = std::move(*decoded);
    return stanza;
}

} // namespace

bool starts_with_age_header(std::string_view bytes)
{
    return bytes.substr(0, age_version_line.size()) == age_version_line;
}

std::string format_age_header(const SecretBytes &file_key, const std::vector<AgeStanza> &stanzas)
{
    std::string text = header_without_mac(stanzas);
    std::string mac = header_mac(file_key, text);
    return text + " " + encode_base64_unpadded(mac) + "\n";
}

AgeHeader parse_age_header(std::string_view text)
{
    Lines lines(text);
    if (!starts_with_age_header(text))
        malformed("it does not start with the line age-encryption.org/v1");
    lines.next();
    AgeHeader header;
    for (;;) {
        std::size_t line_start = lines.position();
        std::string_view line = lines.next();
        if (line.substr(0, stanza_prefix.size()) == stanza_prefix) {
            header.stanzas.push_back(parse_stanza(line, lines));
            continue;
        }
        if (line.substr(0, mac_prefix.size()) != mac_prefix)
            malformed("a line starts with neither \"-> \" (a stanza) nor \"---\" (the MAC)");
        std::string_view mac_text = line.substr(mac_prefix.size());
        std::optional<std::string> mac;
        if (mac_text.size() == 1 + base64_unpadded_size(mac_size) && mac_text[0] == ' ')
            mac = decode_base64_unpadded(mac_text.substr(1));
        if (!mac)
            malformed("its MAC line is not \"--- \" followed by a base64 MAC of 32 bytes");
        if (!lines.done())
            malformed("it has lines after its MAC line");
        if (header.stanzas.empty())
            malformed("it has no stanza");
        header.mac_input = std::string(text.substr(0, line_start + mac_prefix.size()));
        header.mac = std::move(*mac);
        return header;
    }
}

bool age_header_mac_matches(const AgeHeader &header, const SecretBytes &file_key)
{
    std::string expected = header_mac(file_key, header.mac_input);
    return header.mac.size() == expected.size() &&
           CRYPTO_memcmp(header.mac.data(), expected.data(), expected.size()) == 0;
}

std::size_t AgeHeaderReader::feed(const char *data, std::size_t size)
{
    std::size_t taken = 0;
    while (taken < size && !complete_) {
        const char *newline =
            static_cast<const char *>(std::memchr(data + taken, '\n', size - taken));
        std::size_t piece = newline ? newline - (data + taken) + 1 : size - taken;
        if (text_.size() + piece > max_header_size)
            throw BackupDamaged("the age header is longer than 1 MiB: the file is damaged or "
                                "not an age file");
        text_.append(data + taken, piece);
        taken += piece;
        // Binary input is refused from its first bytes, not after a megabyte.
        std::size_t checked = std::min(text_.size(), age_version_line.size());
        if (text_.compare(0, checked, age_version_line, 0, checked) != 0)
            throw BackupDamaged("not an age file: it does not start with the line "
                                "age-encryption.org/v1");
        if (newline) {
            complete_ = text_.compare(line_start_, mac_prefix.size(), mac_prefix) == 0;
            line_start_ = text_.size();
        }
    }
    return taken;
}

} // namespace lokbackup
