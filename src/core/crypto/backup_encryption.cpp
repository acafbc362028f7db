#include "core/crypto/backup_encryption.hpp"

#include "core/base/error.hpp"
#include "core/base/text.hpp"
#include "core/pipeline/sha256.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <openssl/crypto.h>

namespace lokbackup
{

namespace
{

// The whole of a file that holds key material, wiped from the intermediate buffer.
SecretBytes read_key_file(const std::string &what, const std::string &path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file.is_open())
        throw Error("could not open " + what + " \"" + path + "\": " + std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (file.bad())
        throw Error("could not read " + what + " \"" + path + "\": " + std::strerror(errno));
    SecretBytes bytes(text);
    OPENSSL_cleanse(text.data(), text.size());
    return bytes;
}

// A passphrase file's first line, without its line ending.
SecretBytes read_passphrase_file(const std::string &path)
{
    SecretBytes file = read_key_file("passphrase file", path);
    std::string_view text = file.view();
    std::string_view line = text.substr(0, text.find('\n'));
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.empty())
        throw Error("passphrase file \"" + path + "\" is empty: its first line is the passphrase");
    return SecretBytes(line);
}

void refuse_both(const BackupEncryption &encryption)
{
    if (!encryption.recipients.empty() && !encryption.passphrase_file.empty())
        throw InvalidValue("lokbackup.encrypt_to and lokbackup.encrypt_passphrase_file are both "
                           "set: age encrypts to a passphrase alone; empty one of them");
}

} // namespace

std::string age_recipient_fingerprint(const AgeRecipient &recipient)
{
    return sha256_hex(recipient.encoded()).substr(0, 16);
}

std::vector<std::string> encryption_fingerprints(const BackupEncryption &encryption)
{
    refuse_both(encryption);
    if (!encryption.passphrase_file.empty())
        return {passphrase_fingerprint};
    std::vector<std::string> fingerprints;
    if (!encryption.recipients.empty())
        for (const AgeRecipient &recipient : parse_age_recipients(encryption.recipients))
            fingerprints.push_back(age_recipient_fingerprint(recipient));
    return fingerprints;
}

AgeEncryptionKeys encryption_keys(const BackupEncryption &encryption)
{
    refuse_both(encryption);
    AgeEncryptionKeys keys;
    if (!encryption.passphrase_file.empty())
        keys.passphrase = AgePassphrase{read_passphrase_file(encryption.passphrase_file)};
    else
        keys.recipients = parse_age_recipients(encryption.recipients);
    return keys;
}

AgeDecryptionKeys decryption_keys(const std::vector<std::string> &identity_files,
                                  const std::string &passphrase_file)
{
    AgeDecryptionKeys keys;
    for (const std::string &path : identity_files) {
        SecretBytes file = read_key_file("identity file", path);
        try {
            for (AgeIdentity &identity : parse_age_identity_file(file.view()))
                keys.identities.push_back(std::move(identity));
        } catch (const InvalidValue &e) {
            throw Error("identity file \"" + path + "\": " + e.what());
        }
    }
    if (!passphrase_file.empty())
        keys.passphrase = read_passphrase_file(passphrase_file);
    return keys;
}

void check_decryption_keys(const std::string &backup, const std::vector<std::string> &encrypted_to,
                           const AgeDecryptionKeys &keys)
{
    auto needs = [&](const std::string &fingerprint) {
        return std::find(encrypted_to.begin(), encrypted_to.end(), fingerprint) !=
               encrypted_to.end();
    };
    if (keys.passphrase && needs(passphrase_fingerprint))
        return;
    std::vector<std::string> given;
    for (const AgeIdentity &identity : keys.identities) {
        given.push_back(age_recipient_fingerprint(identity.recipient()));
        if (needs(given.back()))
            return;
    }
    if (needs(passphrase_fingerprint))
        throw Error(backup + " is encrypted with a passphrase: give its passphrase file with " +
                    "--passphrase-file (or LOKBACKUP_PASSPHRASE_FILE)");
    std::string wanted = backup + " is encrypted to the age recipient" +
                         (encrypted_to.size() == 1 ? " " : "s ") + joined(encrypted_to) +
                         " (fingerprints)";
    if (given.empty())
        throw Error(wanted + ": give an identity file of one of them with --identity FILE (or "
                             "LOKBACKUP_IDENTITY_FILE)");
    throw Error(wanted + ", and no identity given is one of them: the identities given are for " +
                joined(given));
}

} // namespace lokbackup
