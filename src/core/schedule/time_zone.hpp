// IANA time zones (UTC, Europe/Berlin, America/New_York): conversions between instants and local
// wall-clock times, correct across daylight-saving changes.
//
// The zone is read from the system's tzdata file (/usr/share/zoneinfo/<name>, the TZif format)
// into an immutable table, instead of switching the process's TZ variable around libc's
// localtime_r and mktime. Changing TZ is process-wide state: a mutex in core cannot stop another
// thread (libcurl reads proxy variables with getenv, for one) from reading the environment while
// setenv rewrites it, and mktime's answer for a time in a gap or a repeated hour depends on a
// tm_isdst guess. A TimeZone is a value: copies share the table, and any number of threads may
// use them at once.
#pragma once

#include "core/schedule/civil_time.hpp"

#include <ctime>
#include <memory>
#include <string>
#include <string_view>

namespace lokbackup
{

// The instants at which a zone's clocks show a given local time.
struct LocalTimeInstants {
    enum class Kind {
        unique,   // the usual case
        repeated, // clocks were set back and showed it twice (fall-back)
        skipped,  // clocks jumped over it (spring-forward gap)
    };
    Kind kind = Kind::unique;
    // unique: the instant; repeated: the first of the two; skipped: the first instant after the
    // gap, i.e. the moment the clocks jumped.
    std::time_t earliest = 0;
    // repeated: the second of the two; otherwise the same as earliest.
    std::time_t latest = 0;
};

class TimeZone
{
  public:
    // Throws InvalidValue when there is no such zone.
    static TimeZone named(std::string_view name);

    const std::string &name() const { return name_; }
    // Seconds east of UTC at `instant` (3600 for Berlin in winter, -14400 for New York in summer).
    int utc_offset(std::time_t instant) const;
    CivilTime to_local(std::time_t instant) const;
    // Assumes, as holds for every zone in tzdata since 1970, that a zone's offset changes at most
    // once within a day of any local time.
    LocalTimeInstants to_utc(const CivilTime &local) const;

  private:
    struct Rules;
    TimeZone(std::string name, std::shared_ptr<const Rules> rules);

    std::string name_;
    std::shared_ptr<const Rules> rules_;
};

} // namespace lokbackup
