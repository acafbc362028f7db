// Where a point-in-time recovery stops: a time, an LSN, or the end of the archived WAL; as
// `lokbackup restore-pitr` reads it from its command line and writes it into recovery_target_*.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lokbackup
{

struct RecoveryTarget {
    enum class Kind { time, lsn, latest };
    Kind kind = Kind::latest;
    std::int64_t time = 0; // Kind::time: microseconds since the epoch
    std::uint64_t lsn = 0; // Kind::lsn
    // What recovery_target_time or recovery_target_lsn is set to: the time in UTC
    // ("2026-12-03 21:40:00.123456+00"), the LSN as PostgreSQL writes it; empty for latest.
    std::string setting;
    // For messages: "time 2026-12-03 21:40:00.123456+00", "LSN 0/3000060", "the latest point".
    std::string describe() const;
};

// A timestamp with an explicit zone, "2026-12-03 21:40:00+01", "2026-12-03T20:40:00.5Z",
// "2026-12-03 21:40:00.123456-05:30": one without a zone would be read in the restored server's
// TimeZone, which the person who chose the point may not know. Throws InvalidValue saying what
// is allowed.
RecoveryTarget recovery_target_time(std::string_view text);
// Throws InvalidValue.
RecoveryTarget recovery_target_lsn(std::string_view text);
RecoveryTarget recovery_target_latest();

// Microseconds since the epoch of a timestamp as recovery_target_time() accepts it (and as
// manifests write them: "2026-11-25T03:00:00Z"); throws InvalidValue.
std::int64_t parse_timestamp_with_zone(std::string_view text);
// "2026-12-03 20:40:00.123456+00".
std::string format_utc_timestamp(std::int64_t microseconds);

} // namespace lokbackup
