// How a backup is encrypted at rest with age, after compression: to the X25519 recipients of
// lokbackup.encrypt_to, whose identities the server never holds, or to the passphrase in
// lokbackup.encrypt_passphrase_file. What the catalog and the manifest record of it are
// fingerprints, never a key; what a restore or a verify decrypts with are identity files.
#pragma once

#include "core/crypto/age_keys.hpp"

#include <string>
#include <vector>

namespace lokbackup
{

// What the worker hands to the backup child: the setting's recipients and the passphrase file's
// path (the child reads the passphrase itself, so that it never travels).
struct BackupEncryption {
    std::string recipients;      // "age1...,age1..."; empty: no recipient
    std::string passphrase_file; // an absolute path; empty: no passphrase
    bool enabled() const { return !recipients.empty() || !passphrase_file.empty(); }
};

// What the catalog records for a passphrase recipient, in place of a fingerprint.
inline const std::string passphrase_fingerprint = "passphrase";

// The first 16 hex digits of the SHA-256 of the recipient's "age1..." text: with stock tools,
// `age-keygen -y key.txt | tr -d '\n' | sha256sum | cut -c1-16`.
std::string age_recipient_fingerprint(const AgeRecipient &recipient);

// Whom a backup made with `encryption` is encrypted to (BackupDescription::encrypted_to): empty
// when it is not. Throws InvalidValue when the recipients do not parse, or when both are set
// (age encrypts to a passphrase alone).
std::vector<std::string> encryption_fingerprints(const BackupEncryption &encryption);

// The keys to encrypt with; reads the passphrase file. Throws InvalidValue as
// encryption_fingerprints() does, and Error naming the file when it cannot be read or is empty.
AgeEncryptionKeys encryption_keys(const BackupEncryption &encryption);

// The keys a restore or a verify decrypts with: every identity of each identity file (as
// age-keygen writes them), and the passphrase of a passphrase file (its first line). Throws Error
// naming the file that cannot be read or holds no key, never quoting its contents.
AgeDecryptionKeys decryption_keys(const std::vector<std::string> &identity_files,
                                  const std::string &passphrase_file);

// Throws Error, before anything is read from storage, when none of `keys` is one that a backup
// encrypted to `encrypted_to` (fingerprints) can be decrypted with: the message names the
// fingerprints the backup needs and those of the identities given. `backup` names it ("backup 12").
void check_decryption_keys(const std::string &backup, const std::vector<std::string> &encrypted_to,
                           const AgeDecryptionKeys &keys);

} // namespace lokbackup
