// The base backup that restore-pitr starts from, found in the catalog or, with --from, in the
// manifests of a storage; and the archive that its WAL comes from (the same storage).
#pragma once

#include "cli/connection.hpp"
#include "cli/restore/backup_plan.hpp"
#include "core/wal/recovery_target.hpp"

#include <functional>
#include <optional>
#include <string>

namespace lokbackup::cli
{

struct BaseBackupSource {
    BackupPlan plan;
    WalRange wal_range;
    // What wal-fetch is given: the storage (an absolute directory or s3://bucket/prefix) and its
    // S3 endpoint, region and addressing; the keys stay in the environment.
    std::string archive;
    S3Options archive_s3;
};

// The newest completed base backup that ends before `target` (core/wal/base_backup_choice.hpp):
// among the manifests in `from` (its S3 options `s3`), or else among the catalog's rows, through
// the connection that `catalog` returns. Throws Error when there is none, saying the earliest
// point that can be restored.
BaseBackupSource find_base_backup(const RecoveryTarget &target,
                                  const std::optional<std::string> &from, const S3Options &s3,
                                  const std::string &catalog_database,
                                  const std::function<Connection &()> &catalog);

} // namespace lokbackup::cli
