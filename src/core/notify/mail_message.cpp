#include "core/notify/mail_message.hpp"

#include "core/base/text.hpp"

#include "core/base/error.hpp"
#include "core/base/random_hex.hpp"

#include <algorithm>
#include <cstdio>
#include <openssl/evp.h>

namespace lokbackup
{

namespace
{

bool is_printable_ascii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool has_control_character(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

// local@domain with no blanks, quotes or other characters that would need quoting.
bool is_plain_address(std::string_view address)
{
    std::size_t at = address.find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 == address.size() ||
        address.find('@', at + 1) != std::string_view::npos)
        return false;
    return std::all_of(address.begin(), address.end(), [](char c) {
        return c > 0x20 && c < 0x7f &&
               std::string_view("<>()[],;:\\\"").find(c) == std::string_view::npos;
    });
}

std::string base64(std::string_view bytes)
{
    std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(encoded.data()),
                                 reinterpret_cast<const unsigned char *>(bytes.data()),
                                 static_cast<int>(bytes.size()));
    encoded.resize(static_cast<std::size_t>(length));
    return encoded;
}

// RFC 2047 encoded words of at most 75 characters, never splitting a UTF-8 sequence, joined by
// folding whitespace.
std::string encoded_words(std::string_view text)
{
    constexpr std::size_t max_bytes = 45; // 60 base64 characters
    std::string words;
    while (!text.empty()) {
        std::size_t size = std::min(max_bytes, text.size());
        while (size < text.size() && size > 1 &&
               (static_cast<unsigned char>(text[size]) & 0xc0) == 0x80)
            --size;
        if (!words.empty())
            words += "\r\n ";
        words += "=?UTF-8?B?" + base64(text.substr(0, size)) + "?=";
        text.remove_prefix(size);
    }
    return words;
}

std::string header_text(std::string_view text)
{
    return is_printable_ascii(text) ? std::string(text) : encoded_words(text);
}

std::string header_mailbox(const Mailbox &mailbox)
{
    if (mailbox.name.empty())
        return mailbox.address;
    std::string name;
    if (is_printable_ascii(mailbox.name)) {
        name = "\"";
        for (char c : mailbox.name)
            name += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
        name += "\"";
    } else {
        name = encoded_words(mailbox.name);
    }
    return name + " <" + mailbox.address + ">";
}

std::string rfc5322_date(std::time_t date)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm fields{};
    if (!gmtime_r(&date, &fields))
        throw Error("mail date " + std::to_string(date) + " cannot be represented in utc");
    char text[64];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[fields.tm_wday],
                  fields.tm_mday, months[fields.tm_mon], fields.tm_year + 1900, fields.tm_hour,
                  fields.tm_min, fields.tm_sec);
    return text;
}

std::string message_id(const BackupNotice &notice, const Mailbox &from)
{
    std::string unique = random_hex(12);
    std::string domain = from.address.substr(from.address.find('@') + 1);
    return "<lokbackup." + std::to_string(notice.backup_id) + "." + unique + "@" + domain + ">";
}

// Base64 in lines of 76 characters, as MIME wants.
std::string base64_lines(std::string_view bytes)
{
    std::string encoded = base64(bytes);
    std::string lines;
    for (std::size_t position = 0; position < encoded.size(); position += 76)
        lines += encoded.substr(position, 76) + "\r\n";
    return lines;
}

std::string with_crlf(const std::string &text)
{
    std::string converted;
    for (char c : text) {
        if (c == '\n')
            converted += '\r';
        converted += c;
    }
    return converted;
}

} // namespace

Mailbox parse_mailbox(std::string_view text, const std::string &setting)
{
    std::string_view entry = trim(text);
    auto invalid = [&]() {
        return InvalidValue("invalid " + setting + " address \"" + std::string(entry) +
                            "\": write name@example.com or Name <name@example.com>");
    };
    Mailbox mailbox;
    std::size_t open = entry.find('<');
    if (open == std::string_view::npos) {
        mailbox.address = std::string(entry);
    } else {
        if (entry.back() != '>')
            throw invalid();
        std::string_view name = trim(entry.substr(0, open));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
            name = name.substr(1, name.size() - 2);
        mailbox.name = std::string(name);
        mailbox.address = std::string(entry.substr(open + 1, entry.size() - open - 2));
    }
    if (!is_plain_address(mailbox.address) || has_control_character(mailbox.name))
        throw invalid();
    return mailbox;
}

std::vector<Mailbox> parse_mailbox_list(std::string_view text, const std::string &setting)
{
    std::vector<Mailbox> mailboxes;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = std::min(text.find(',', start), text.size());
        mailboxes.push_back(parse_mailbox(text.substr(start, comma - start), setting));
        if (comma == text.size())
            return mailboxes;
        start = comma + 1;
    }
}

std::string mail_message(const BackupNotice &notice, const Mailbox &from,
                         const std::vector<Mailbox> &to, std::time_t date)
{
    std::string recipients;
    for (const Mailbox &mailbox : to)
        recipients += (recipients.empty() ? "" : ",\r\n ") + header_mailbox(mailbox);
    return "Date: " + rfc5322_date(date) + "\r\n" + "From: " + header_mailbox(from) + "\r\n" +
           "To: " + recipients + "\r\n" +
           "Subject: " + header_text("[lokbackup] " + notice_headline(notice)) + "\r\n" +
           "Message-ID: " + message_id(notice, from) + "\r\n" +
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           // RFC 3834: no vacation or other automatic replies to a machine's message.
           "Auto-Submitted: auto-generated\r\n"
           "\r\n" +
           base64_lines(with_crlf(notice_text(notice)));
}

} // namespace lokbackup
