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

void check_and_keep(BackupPlan &plan, AgeDecryptionKeys keys)
{
    check_decryption_keys("backup " + std::to_string(plan.backup.id), plan.backup.encrypted_to,
                          keys);
    plan.decryption = std::move(keys);
}

} // namespace

std::vector<OptionSpec> decryption_option_specs()
{
    return {{"identity", 'i', true}, {"passphrase-file", 0, true}};
}

DecryptionKeyFiles decryption_key_files(const Arguments &arguments)
{
    std::vector<std::string> passphrase =
        files(arguments, "passphrase-file", "LOKBACKUP_PASSPHRASE_FILE");
    return {files(arguments, "identity", "LOKBACKUP_IDENTITY_FILE"),
            passphrase.empty() ? std::string() : passphrase.back()};
}

AgeDecryptionKeys decryption_keys(const Arguments &arguments)
{
    DecryptionKeyFiles given = decryption_key_files(arguments);
    return lokbackup::decryption_keys(given.identity_files, given.passphrase_file);
}

void load_decryption_keys(BackupPlan &plan, const Arguments &arguments)
{
    if (!plan.backup.is_encrypted())
        return;
    check_and_keep(plan, decryption_keys(arguments));
}

void load_decryption_keys(BackupPlan &plan, const std::vector<std::string> &identity_files,
                          const std::string &passphrase_file)
{
    if (!plan.backup.is_encrypted())
        return;
    check_and_keep(plan, lokbackup::decryption_keys(identity_files, passphrase_file));
}

} // namespace lokbackup::cli
