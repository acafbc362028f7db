#include "core/wal/base_backup_choice.hpp"

#include "core/base/error.hpp"
#include "core/wal/wal_archive_key.hpp"

#include <tuple>

namespace lokbackup
{

namespace
{

// Manifests record finished_at to the second, truncated: the backup may have ended up to a second
// after what they say.
constexpr std::int64_t finish_precision = 1000000;

// The latest time the backup may have ended, in microseconds since the epoch.
std::int64_t finished(const BaseBackupCandidate &candidate)
{
    return parse_timestamp_with_zone(candidate.finished_at) + finish_precision;
}

std::uint64_t stop_lsn(const BaseBackupCandidate &candidate)
{
    return parse_lsn(candidate.wal_range.stop_lsn);
}

bool precedes(const BaseBackupCandidate &candidate, const RecoveryTarget &target)
{
    switch (target.kind) {
    case RecoveryTarget::Kind::time:
        return finished(candidate) <= target.time;
    case RecoveryTarget::Kind::lsn:
        return stop_lsn(candidate) <= target.lsn;
    case RecoveryTarget::Kind::latest:
        break;
    }
    return true;
}

bool newer(const BaseBackupCandidate &a, const BaseBackupCandidate &b)
{
    return std::make_tuple(finished(a), a.id) > std::make_tuple(finished(b), b.id);
}

// What the oldest candidate allows, in the target's terms.
std::string earliest_point(const std::vector<BaseBackupCandidate> &candidates,
                           const RecoveryTarget &target)
{
    const BaseBackupCandidate *earliest = &candidates.front();
    for (const BaseBackupCandidate &candidate : candidates) {
        bool earlier = target.kind == RecoveryTarget::Kind::lsn
                           ? stop_lsn(candidate) < stop_lsn(*earliest)
                           : finished(candidate) < finished(*earliest);
        if (earlier)
            earliest = &candidate;
    }
    std::string backup = " (the end of base backup " + std::to_string(earliest->id) + ")";
    if (target.kind == RecoveryTarget::Kind::lsn)
        return "LSN " + earliest->wal_range.stop_lsn + backup;
    return "time " + format_utc_timestamp(finished(*earliest)) + backup;
}

} // namespace

const BaseBackupCandidate &choose_base_backup(const std::vector<BaseBackupCandidate> &candidates,
                                              const RecoveryTarget &target,
                                              const std::string &where)
{
    if (candidates.empty())
        throw Error("no completed base backup in " + where +
                    ": point-in-time recovery starts from one (lokbackup_run(kind => "
                    "'physical'))");
    const BaseBackupCandidate *chosen = nullptr;
    for (const BaseBackupCandidate &candidate : candidates)
        if (precedes(candidate, target) && (!chosen || newer(candidate, *chosen)))
            chosen = &candidate;
    if (!chosen)
        throw Error("no base backup in " + where + " ends before " + target.describe() +
                    ": recovery cannot stop before the end of the backup it starts from; the "
                    "earliest point that can be restored is " +
                    earliest_point(candidates, target));
    return *chosen;
}

} // namespace lokbackup
