#include "core/crypto/age_keys.hpp"

#include "core/base/error.hpp"
#include "core/base/text.hpp"
#include "core/crypto/bech32.hpp"
#include "core/crypto/x25519.hpp"

#include <algorithm>

namespace lokbackup
{

namespace
{

constexpr std::string_view recipient_hrp = "age";
constexpr std::string_view identity_hrp = "age-secret-key-";
constexpr std::size_t recipient_size = 62; // "age1", 52 characters of key, 6 of checksum
constexpr const char *recipient_hint =
    " (an X25519 recipient looks like age1 followed by 58 characters)";
constexpr const char *identity_hint =
    " (an X25519 identity looks like AGE-SECRET-KEY-1 followed by 58 characters)";

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && to_lower(text.substr(0, prefix.size())) == prefix;
}

// A recipient as the user wrote it, for an error: printable, and short.
std::string quoted(std::string_view text)
{
    constexpr std::size_t longest = 80;
    std::string shown = printable(text.substr(0, longest));
    return "\"" + shown + (text.size() > longest ? "...\"" : "\"");
}

// The reason why `text` is not an X25519 recipient (InvalidValue), or its public key.
std::string decode_recipient(std::string_view text)
{
    if (text.empty())
        throw InvalidValue("it is empty");
    if (starts_with_ignoring_case(text, "age-secret-key-"))
        throw InvalidValue("it is an identity, a secret key, where a recipient (its public key, "
                           "which `age-keygen -y KEYFILE` prints) belongs");
    if (starts_with_ignoring_case(text, "ssh-"))
        throw InvalidValue("SSH keys are not supported, only age X25519 recipients");
    if (!starts_with_ignoring_case(text, "age1"))
        throw InvalidValue("it does not start with age1");
    std::size_t separator = text.rfind('1');
    if (separator != recipient_hrp.size())
        throw InvalidValue("it is a recipient of type " +
                           printable(to_lower(text.substr(0, separator))) +
                           " (an age plugin's or post-quantum key), and only X25519 recipients "
                           "are supported");
    if (text.size() != recipient_size)
        throw InvalidValue("it has " + std::to_string(text.size() - 4) +
                           " characters after age1, not 58");
    Bech32Text decoded = decode_bech32(text);
    if (decoded.data.size() != x25519_key_size)
        throw InvalidValue("its key is not 32 bytes long");
    return std::string(decoded.data.view());
}

// The reason why a line is not an X25519 identity (InvalidValue), or its secret key.
SecretBytes decode_identity(std::string_view text)
{
    if (starts_with_ignoring_case(text, "age-plugin-"))
        throw InvalidValue("it is an age plugin's identity, and only X25519 identities are "
                           "supported");
    if (starts_with_ignoring_case(text, "-----begin"))
        throw InvalidValue("it is an SSH or PEM private key, and only age X25519 identities are "
                           "supported");
    if (starts_with_ignoring_case(text, "age1"))
        throw InvalidValue("it is a recipient, a public key, where an identity (the secret key) "
                           "belongs");
    if (!starts_with_ignoring_case(text, identity_hrp))
        throw InvalidValue("it does not start with AGE-SECRET-KEY-1");
    std::size_t separator = text.rfind('1');
    if (separator != identity_hrp.size())
        throw InvalidValue("it is an identity of another type (" +
                           printable(text.substr(0, std::min(separator, std::size_t{40}))) +
                           "1...), and only X25519 identities are supported");
    Bech32Text decoded = decode_bech32(text);
    if (decoded.data.size() != x25519_key_size)
        throw InvalidValue("its key is " + std::to_string(decoded.data.size()) +
                           " bytes long, not 32");
    return std::move(decoded.data);
}

} // namespace

AgeRecipient::AgeRecipient(std::string public_key)
    : public_key_(std::move(public_key)), encoded_(encode_bech32(recipient_hrp, public_key_))
{
}

AgeRecipient AgeRecipient::parse(std::string_view text)
{
    try {
        return AgeRecipient(decode_recipient(text));
    } catch (const InvalidValue &e) {
        // An identity is a secret: its text stays out of the message, which may be logged.
        bool secret = to_lower(text).find("secret-key") != std::string::npos;
        throw InvalidValue("invalid age recipient" + (secret ? "" : " " + quoted(text)) + ": " +
                           e.what() + recipient_hint);
    }
}

AgeRecipient AgeRecipient::from_public_key(std::string_view public_key)
{
    if (public_key.size() != x25519_key_size)
        throw Error("an X25519 public key has 32 bytes");
    return AgeRecipient(std::string(public_key));
}

std::vector<AgeRecipient> parse_age_recipients(std::string_view list)
{
    if (trim(list).empty())
        throw InvalidValue("no age recipient given" + std::string(recipient_hint));
    std::vector<AgeRecipient> recipients;
    for (std::size_t start = 0; start <= list.size();) {
        std::size_t comma = std::min(list.find(',', start), list.size());
        std::string_view item = trim(list.substr(start, comma - start));
        if (item.empty())
            throw InvalidValue("invalid list of age recipients: an item is empty (two commas in "
                               "a row, or a comma at an end); separate recipients with commas "
                               "or spaces");
        // One item may still hold several recipients separated by white space.
        while (!item.empty()) {
            std::size_t blank = std::min(item.find_first_of(" \t\r\n"), item.size());
            AgeRecipient recipient = AgeRecipient::parse(item.substr(0, blank));
            if (std::find(recipients.begin(), recipients.end(), recipient) != recipients.end())
                throw InvalidValue("invalid list of age recipients: " + recipient.encoded() +
                                   " is given twice");
            recipients.push_back(std::move(recipient));
            item = trim(item.substr(blank));
        }
        start = comma + 1;
    }
    return recipients;
}

AgeIdentity::AgeIdentity(SecretBytes secret_key)
    : secret_key_(std::move(secret_key)),
      recipient_(AgeRecipient::from_public_key(x25519_public_key(secret_key_)))
{
}

AgeIdentity AgeIdentity::generate()
{
    return AgeIdentity(SecretBytes::random(x25519_key_size));
}

AgeIdentity AgeIdentity::from_secret_key(SecretBytes secret_key)
{
    if (secret_key.size() != x25519_key_size)
        throw Error("an X25519 secret key has 32 bytes");
    return AgeIdentity(std::move(secret_key));
}

AgeIdentity AgeIdentity::parse(std::string_view text)
{
    try {
        return AgeIdentity(decode_identity(text));
    } catch (const InvalidValue &e) {
        throw InvalidValue(std::string("invalid age identity: ") + e.what() + identity_hint);
    }
}

std::string AgeIdentity::encoded() const
{
    std::string text = encode_bech32(identity_hrp, secret_key_.view());
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; });
    return text;
}

std::vector<AgeIdentity> parse_age_identity_file(std::string_view text)
{
    if (text.substr(0, 19) == "age-encryption.org/")
        throw InvalidValue("the identity file is itself age-encrypted (a passphrase-protected "
                           "identity); decrypt it with age first");
    std::vector<AgeIdentity> identities;
    std::size_t number = 0;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = trim(text.substr(start, end - start));
        start = end + 1;
        ++number;
        if (line.empty() || line.front() == '#')
            continue;
        try {
            identities.push_back(AgeIdentity::from_secret_key(decode_identity(line)));
        } catch (const InvalidValue &e) {
            throw InvalidValue("line " + std::to_string(number) +
                               " of the identity file is not an age identity: " + e.what() +
                               identity_hint);
        }
    }
    if (identities.empty())
        throw InvalidValue("the identity file has no age identity (a line AGE-SECRET-KEY-1...)");
    return identities;
}

} // namespace lokbackup
