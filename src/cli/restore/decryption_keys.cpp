#include "cli/restore/decryption_keys.hpp"

#include "core/crypto/backup_encryption.hpp"

#include <cstdlib>

namespace lokbackup::cli
{

namespace
{

// The option's values, or else the environment variable's.
std::vector<std::string> files(const Arguments &arguments, const char *option, const char *variable)
{
    std::vector<std::string> given = arguments.values(option);
    const char *fallback = std::getenv(variable);
    if (given.empty() && fallback != nullptr && fallback[0] != '\0')
        given.push_back(fallback);
    return given;
}

} // namespace

std::vector<OptionSpec> decryption_option_specs()
{
    return {{"identity", 'i', true}, {"passphrase-file", 0, true}};
}

void load_decryption_keys(BackupPlan &plan, const Arguments &arguments)
{
    std::vector<std::string> passphrase =
        files(arguments, "passphrase-file", "LOKBACKUP_PASSPHRASE_FILE");
    load_decryption_keys(plan, files(arguments, "identity", "LOKBACKUP_IDENTITY_FILE"),
                         passphrase.empty() ? std::string() : passphrase.back());
}

void load_decryption_keys(BackupPlan &plan, const std::vector<std::string> &identity_files,
                          const std::string &passphrase_file)
{
    if (!plan.backup.is_encrypted())
        return;
    AgeDecryptionKeys keys = decryption_keys(identity_files, passphrase_file);
    check_decryption_keys("backup " + std::to_string(plan.backup.id), plan.backup.encrypted_to,
                          keys);
    plan.decryption = std::move(keys);
}

} // namespace lokbackup::cli
