#include "core/crypto/age_file_key.hpp"

#include "core/base/error.hpp"
#include "core/base/text.hpp"
#include "core/crypto/age_stanzas.hpp"

#include <algorithm>

namespace lokbackup
{

namespace
{

std::string counted(std::size_t count, const std::string &singular)
{
    return std::to_string(count) + " " + singular + (count == 1 ? "" : "s");
}

SecretBytes unwrap_with_passphrase(const std::vector<AgeStanza> &stanzas,
                                   const AgeDecryptionKeys &keys)
{
    // The spec's rule: a passphrase file is encrypted to nothing else, so that whoever knows the
    // passphrase knows that nobody else wrote it.
    if (stanzas.size() != 1)
        throw BackupDamaged("damaged age header: an scrypt (passphrase) stanza must be its only "
                            "stanza, and it has " +
                            std::to_string(stanzas.size()));
    if (!keys.passphrase)
        throw AgeKeyRefused(
            "the age file is encrypted with a passphrase, and no passphrase was given");
    std::optional<SecretBytes> file_key =
        unwrap_file_key(stanzas.front(), *keys.passphrase, keys.max_work_factor);
    if (!file_key)
        throw AgeKeyRefused(
            "the passphrase does not decrypt the age file: it is not the one the file "
            "was encrypted with");
    return std::move(*file_key);
}

[[noreturn]] void throw_no_key_matches(std::size_t x25519_stanzas,
                                       const std::vector<std::string> &other_types,
                                       const AgeDecryptionKeys &keys)
{
    std::string message = "none of the keys given decrypts the age file: ";
    if (x25519_stanzas == 0) {
        message += "it has no X25519 stanza";
    } else {
        message += "it is encrypted to " + counted(x25519_stanzas, "X25519 recipient");
        std::size_t identities = keys.identities.size();
        if (identities == 0) {
            message += ", and only a passphrase was given";
        } else {
            message += ", and ";
            message += identities == 1 ? "the identity given (recipient "
                                       : "none of the " + std::to_string(identities) +
                                             " identities given (recipients ";
            for (std::size_t i = 0; i < identities; ++i)
                message += (i ? ", " : "") + keys.identities[i].recipient().encoded();
            message += identities == 1 ? ") is not one of them" : ") is one of them";
        }
    }
    if (!other_types.empty()) {
        message +=
            x25519_stanzas == 0 ? ", only stanzas of types" : "; it also has stanzas of types";
        for (std::size_t i = 0; i < other_types.size(); ++i)
            message += (i ? ", " : " ") + printable(other_types[i].substr(0, 40));
        message += ", which lokbackup does not support (age plugins)";
    }
    if (keys.passphrase && !keys.identities.empty())
        message += "; a passphrase was given, but the file is not encrypted with one";
    throw AgeKeyRefused(message);
}

} // namespace

std::vector<AgeStanza> wrap_age_file_key(const SecretBytes &file_key, const AgeEncryptionKeys &keys)
{
    if (keys.passphrase && !keys.recipients.empty())
        throw InvalidValue("an age passphrase cannot be combined with recipients: the format "
                           "allows a passphrase only alone");
    if (keys.passphrase)
        return {wrap_file_key(file_key, *keys.passphrase)};
    if (keys.recipients.empty())
        throw InvalidValue("nothing to encrypt to: no age recipient and no passphrase");
    std::vector<AgeStanza> stanzas;
    for (const AgeRecipient &recipient : keys.recipients)
        stanzas.push_back(wrap_file_key(file_key, recipient));
    return stanzas;
}

SecretBytes unwrap_age_file_key(const std::vector<AgeStanza> &stanzas,
                                const AgeDecryptionKeys &keys)
{
    auto is_type = [](std::string_view type) {
        return [type](const AgeStanza &stanza) { return stanza.args.front() == type; };
    };
    if (std::any_of(stanzas.begin(), stanzas.end(), is_type(age_scrypt_stanza_type)))
        return unwrap_with_passphrase(stanzas, keys);

    std::size_t x25519_stanzas = 0;
    std::vector<std::string> other_types;
    for (const AgeStanza &stanza : stanzas) {
        if (stanza.args.front() != age_x25519_stanza_type) {
            // Unknown stanzas are skipped, as the spec requires (age itself adds random ones).
            if (std::find(other_types.begin(), other_types.end(), stanza.args.front()) ==
                other_types.end())
                other_types.push_back(stanza.args.front());
            continue;
        }
        ++x25519_stanzas;
        for (const AgeIdentity &identity : keys.identities)
            if (std::optional<SecretBytes> file_key = unwrap_file_key(stanza, identity))
                return std::move(*file_key);
    }
    throw_no_key_matches(x25519_stanzas, other_types, keys);
}

} // namespace lokbackup
