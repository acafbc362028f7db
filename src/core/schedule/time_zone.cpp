#include "core/schedule/time_zone.hpp"

#include "core/base/error.hpp"
#include "core/schedule/posix_time_zone.hpp"
#include "core/schedule/tzif.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

namespace lokbackup
{

namespace
{

const std::string zoneinfo_directory = "/usr/share/zoneinfo";

// Letters, digits, '_', '+', '-' and '/' not at the start: never an absolute path or "..", so
// never a file outside the zoneinfo directory.
bool is_zone_name(std::string_view name)
{
    if (name.empty() || name.front() == '/')
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '+' || c == '-' || c == '/';
    });
}

// Nothing for a missing file or a directory such as "Europe".
std::optional<std::string> read_zone_file(const std::string &path)
{
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

struct TimeZone::Rules {
    TzifData table;
    // After the table's last transition; when the table has no transitions, always.
    std::optional<PosixTimeZone> footer;

    int utc_offset(std::int64_t instant) const
    {
        const auto &transitions = table.transitions;
        if (footer && (transitions.empty() || instant >= transitions.back()))
            return footer->utc_offset(instant);
        auto after = std::upper_bound(transitions.begin(), transitions.end(), instant);
        if (after == transitions.begin())
            return table.first_offset;
        return table.offsets[static_cast<std::size_t>(after - transitions.begin() - 1)];
    }
};

TimeZone::TimeZone(std::string name, std::shared_ptr<const Rules> rules)
    : name_(std::move(name)), rules_(std::move(rules))
{
}

TimeZone TimeZone::named(std::string_view name)
{
    std::string quoted = "\"" + std::string(name) + "\"";
    std::string path = zoneinfo_directory + "/" + std::string(name);
    std::optional<std::string> data;
    if (is_zone_name(name))
        data = read_zone_file(path);
    if (!data || data->compare(0, 4, "TZif") != 0)
        throw InvalidValue("unknown time zone " + quoted +
                           ": use an IANA name such as UTC, Europe/Berlin or America/New_York (the "
                           "files below " +
                           zoneinfo_directory + ")");
    auto rules = std::make_shared<Rules>();
    try {
        rules->table = parse_tzif(*data, path);
        if (!rules->table.footer.empty())
            rules->footer = PosixTimeZone::parse(rules->table.footer);
    } catch (const Error &e) {
        throw InvalidValue("time zone " + quoted + ": " + e.what());
    }
    return TimeZone(std::string(name), std::move(rules));
}

int TimeZone::utc_offset(std::time_t instant) const
{
    return rules_->utc_offset(instant);
}

CivilTime TimeZone::to_local(std::time_t instant) const
{
    return civil_from_seconds(static_cast<std::int64_t>(instant) + utc_offset(instant));
}

LocalTimeInstants TimeZone::to_utc(const CivilTime &local) const
{
    // The instants that show `local` are `local - offset` for the offsets in force a day before
    // and a day after it, when the zone really has that offset there.
    std::int64_t wall = seconds_from_civil(local);
    int offset_before = rules_->utc_offset(wall - 86400);
    int offset_after = rules_->utc_offset(wall + 86400);
    std::int64_t with_before = wall - offset_before;
    std::int64_t with_after = wall - offset_after;
    bool before_holds = rules_->utc_offset(with_before) == offset_before;
    bool after_holds = rules_->utc_offset(with_after) == offset_after;

    LocalTimeInstants instants;
    if (before_holds && after_holds && with_before != with_after) {
        instants.kind = LocalTimeInstants::Kind::repeated;
        instants.earliest = static_cast<std::time_t>(std::min(with_before, with_after));
        instants.latest = static_cast<std::time_t>(std::max(with_before, with_after));
    } else if (before_holds || after_holds) {
        instants.earliest = instants.latest =
            static_cast<std::time_t>(before_holds ? with_before : with_after);
    } else {
        // In a gap the clocks moved forward: offset_after > offset_before, and the jump lies in
        // (with_after, with_before]. Find its first second by bisection.
        std::int64_t low = with_after, high = with_before;
        while (high - low > 1) {
            std::int64_t middle = low + (high - low) / 2;
            (rules_->utc_offset(middle) == offset_before ? low : high) = middle;
        }
        instants.kind = LocalTimeInstants::Kind::skipped;
        instants.earliest = instants.latest = static_cast<std::time_t>(high);
    }
    return instants;
}

} // namespace lokbackup
