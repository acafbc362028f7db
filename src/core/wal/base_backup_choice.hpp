// Which base backup a point-in-time recovery starts from.
#pragma once

#include "core/backup/backup_description.hpp"
#include "core/wal/recovery_target.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lokbackup
{

struct BaseBackupCandidate {
    std::int64_t id = 0;
    std::string finished_at; // with its zone, as manifests and the catalog query write it
    WalRange wal_range;
};

// The newest base backup (by finish, then id) that is consistent before `target`: for a time,
// one that finished at least a second (the precision of a manifest's finished_at) before it, as
// recovery cannot stop before the backup's stop point, and the stop point (recorded as an LSN,
// not a time) precedes the finish; for an LSN, one whose
// stop_lsn is at or before it; for latest, the newest. Throws Error when there is none, saying the
// earliest point that can be restored; `where` names where the candidates were found ("the
// catalog", "/backups").
const BaseBackupCandidate &choose_base_backup(const std::vector<BaseBackupCandidate> &candidates,
                                              const RecoveryTarget &target,
                                              const std::string &where);

} // namespace lokbackup
