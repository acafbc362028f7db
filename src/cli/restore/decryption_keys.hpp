// The keys of an encrypted backup, from the command line: --identity FILE (an age identity file,
// as age-keygen writes it; several allowed) or LOKBACKUP_IDENTITY_FILE, and --passphrase-file
// FILE or LOKBACKUP_PASSPHRASE_FILE. They are read only for a backup that is encrypted, used for
// that one command, and never written anywhere.
#pragma once

#include "cli/options.hpp"
#include "cli/restore/backup_plan.hpp"

#include <string>
#include <vector>

namespace lokbackup::cli
{

std::vector<OptionSpec> decryption_option_specs();

// The files that the arguments (or else the environment variables) name; an empty passphrase_file:
// none.
struct DecryptionKeyFiles {
    std::vector<std::string> identity_files;
    std::string passphrase_file;
};
DecryptionKeyFiles decryption_key_files(const Arguments &arguments);

// The keys that the arguments name, for an object that is encrypted (an archived WAL file, whose
// recipients are not recorded); none given, the decryptor refuses the object, saying so.
AgeDecryptionKeys decryption_keys(const Arguments &arguments);

// For an encrypted backup, reads the keys the arguments name into plan.decryption and checks,
// before anything is read from storage, that one of them is one the backup is encrypted to:
// throws Error naming the fingerprints it needs otherwise. Nothing for a backup in clear.
void load_decryption_keys(BackupPlan &plan, const Arguments &arguments);
// The same from files named otherwise (a restore drill: the server's settings); an empty
// passphrase_file: none.
void load_decryption_keys(BackupPlan &plan, const std::vector<std::string> &identity_files,
                          const std::string &passphrase_file);

} // namespace lokbackup::cli
