// WAL retention: which archived WAL objects (~wal/) the base backups that are kept no longer need,
// and what the archive holds once they are gone.
//
// Rules: with no completed base backup kept, nothing goes (the archive may be all there is of a
// restore to come). Otherwise every segment, partial segment and backup history file whose
// position (the 16 hex digits after the timeline) is below that of the oldest kept base backup's
// start_wal_file goes, whatever its timeline: recovery from that backup never reads it. Timeline
// history files always stay (they are tiny, and recovery follows timelines with them), and so does
// every object whose key is not one that lokbackup's archiver writes.
#pragma once

#include "core/storage/storage.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lokbackup
{

// What the archive holds: its objects and their bytes, and the names of the oldest and newest WAL
// files in it (by position, then timeline; history files left out); empty when there is none.
struct WalArchiveSize {
    std::uint64_t objects = 0;
    std::uint64_t bytes = 0;
    std::string oldest_wal;
    std::string newest_wal;
};

struct WalRetentionPlan {
    std::vector<std::string> expired; // keys to remove
    WalArchiveSize kept;              // what stays
};

// `objects`: a listing of ~wal/. `keep_from`: the start_wal_file of the oldest completed base
// backup that is kept (nullopt: there is none). Throws InvalidValue when it is not a segment name.
WalRetentionPlan plan_wal_retention(const std::vector<ListedObject> &objects,
                                    const std::optional<std::string> &keep_from);

} // namespace lokbackup
