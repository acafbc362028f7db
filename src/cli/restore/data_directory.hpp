// The data directory that restore-pitr makes: a base backup unpacked into a new, empty directory.
#pragma once

#include "cli/restore/backup_plan.hpp"
#include "core/pipeline/restore_pipeline.hpp"

#include <string>

namespace lokbackup::cli
{

// Throws Error unless `directory` does not exist or is an empty directory: a restore never mixes
// a base backup with files that were there.
void check_new_data_directory(const std::string &directory);

// Creates `directory` (mode 0700; an empty one is set to 0700) and unpacks the base backup into
// it with the system's tar reading from a pipe, behind the restore pipeline's checks (size,
// SHA-256, decryption, decompression). Refuses a backup with tablespaces (a tablespace_map). On
// any failure, removes what was unpacked (and the directory when it made it) and rethrows:
// BackupDamaged for a damaged object.
void unpack_base_backup(const BackupPlan &plan, const std::string &directory,
                        const RestoreProgress &progress);

} // namespace lokbackup::cli
