#include "core/schedule/cron_schedule.hpp"

#include "core/base/error.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace lokbackup
{

namespace
{

constexpr int search_years = 8;

struct FieldSpec {
    const char *name;
    int min;
    int max;
    // Three-letter names of the values from `min` on; `kind` says what they are.
    const char *const *names = nullptr;
    int name_count = 0;
    const char *kind = nullptr;
};

const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

const FieldSpec minute_field{"minute", 0, 59};
const FieldSpec hour_field{"hour", 0, 23};
const FieldSpec day_of_month_field{"day-of-month", 1, 31};
const FieldSpec month_field{"month", 1, 12, month_names, 12, "a month name (JAN-DEC)"};
const FieldSpec day_of_week_field{"day-of-week", 0, 7, day_names, 7, "a day name (SUN-SAT)"};

struct Macro {
    const char *name;
    const char *expression;
};
const Macro macros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

bool equals_ignoring_case(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Up to four digits, no sign: enough for every field and step, and never an overflow.
std::optional<int> small_number(std::string_view text)
{
    if (text.empty() || text.size() > 4 || !std::all_of(text.begin(), text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        }))
        return std::nullopt;
    int number = 0;
    for (char c : text)
        number = number * 10 + (c - '0');
    return number;
}

std::vector<std::string_view> split_blanks(std::string_view text)
{
    std::vector<std::string_view> words;
    std::size_t position = 0;
    while (position < text.size()) {
        std::size_t start = text.find_first_not_of(" \t", position);
        if (start == std::string_view::npos)
            break;
        std::size_t end = std::min(text.find_first_of(" \t", start), text.size());
        words.push_back(text.substr(start, end - start));
        position = end;
    }
    return words;
}

class ExpressionParser
{
  public:
    explicit ExpressionParser(std::string_view expression) : expression_(expression) {}

    [[noreturn]] void fail(const std::string &what) const
    {
        throw InvalidValue("invalid schedule \"" + std::string(expression_) + "\": " + what);
    }

    // The five fields, a macro replaced by what it stands for.
    std::vector<std::string_view> fields() const
    {
        std::vector<std::string_view> words = split_blanks(expression_);
        if (!words.empty() && words.front().front() == '@') {
            auto macro = std::find_if(std::begin(macros), std::end(macros), [&](const Macro &m) {
                return equals_ignoring_case(words.front(), m.name);
            });
            if (macro == std::end(macros))
                fail("unknown macro \"" + std::string(words.front()) +
                     "\"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or "
                     "@hourly");
            if (words.size() != 1)
                fail("a macro such as " + std::string(macro->name) + " is the whole schedule");
            return split_blanks(macro->expression);
        }
        if (words.size() != 5)
            fail("expected 5 fields (minute hour day-of-month month day-of-week) or a macro such "
                 "as @daily, got " +
                 std::to_string(words.size()));
        return words;
    }

    // Bit n set for every value n the field lists.
    std::uint64_t values(const FieldSpec &spec, std::string_view field) const
    {
        std::uint64_t bits = 0;
        std::size_t start = 0;
        for (;;) {
            std::size_t comma = std::min(field.find(',', start), field.size());
            std::string_view item = field.substr(start, comma - start);
            if (item.empty())
                fail(std::string(spec.name) + " field \"" + std::string(field) +
                     "\" has an empty list item");
            bits |= item_values(spec, field, item);
            if (comma == field.size())
                return bits;
            start = comma + 1;
        }
    }

  private:
    // `field "1,25": "25" is out of range 0-23`, or `field "25" is ...` when the whole field is
    // the culprit.
    [[noreturn]] void fail_in(const FieldSpec &spec, std::string_view field, std::string_view part,
                              const std::string &problem) const
    {
        std::string where = std::string(spec.name) + " field \"" + std::string(field) + "\"";
        if (part != field)
            where += ": \"" + std::string(part) + "\"";
        fail(where + " " + problem);
    }

    std::string range_text(const FieldSpec &spec) const
    {
        return std::to_string(spec.min) + "-" + std::to_string(spec.max);
    }

    int value(const FieldSpec &spec, std::string_view field, std::string_view text) const
    {
        for (int i = 0; i < spec.name_count; ++i)
            if (equals_ignoring_case(text, spec.names[i]))
                return spec.min + i;
        std::optional<int> number = small_number(text);
        if (!number)
            fail_in(spec, field, text,
                    spec.names ? "is not a number or " + std::string(spec.kind)
                               : "is not a number");
        if (*number < spec.min || *number > spec.max)
            fail_in(spec, field, text, "is out of range " + range_text(spec));
        return *number;
    }

    std::uint64_t item_values(const FieldSpec &spec, std::string_view field,
                              std::string_view item) const
    {
        std::size_t slash = item.find('/');
        std::string_view range = item.substr(0, slash);
        int low = spec.min, high = spec.max, step = 1;
        if (range != "*") {
            std::size_t dash = range.find('-');
            low = value(spec, field, range.substr(0, dash));
            high =
                dash == std::string_view::npos ? low : value(spec, field, range.substr(dash + 1));
            if (low > high)
                fail_in(spec, field, item, "ends before it starts");
            if (dash == std::string_view::npos && slash != std::string_view::npos)
                fail_in(spec, field, item,
                        "has a step but no range: write " + std::string(range) + "-" +
                            std::to_string(spec.max) + std::string(item.substr(slash)) + " or *" +
                            std::string(item.substr(slash)));
        }
        if (slash != std::string_view::npos) {
            step = small_number(item.substr(slash + 1)).value_or(0);
            if (step < 1 || step > spec.max)
                fail_in(spec, field, item, "needs a step from 1 to " + std::to_string(spec.max));
        }
        std::uint64_t bits = 0;
        for (int v = low; v <= high; v += step)
            bits |= std::uint64_t(1) << v;
        return bits;
    }

    std::string_view expression_;
};

} // namespace

CronSchedule CronSchedule::parse(std::string_view expression)
{
    ExpressionParser parser(expression);
    std::vector<std::string_view> fields = parser.fields();
    CronSchedule schedule;
    schedule.minutes_ = parser.values(minute_field, fields[0]);
    schedule.hours_ = parser.values(hour_field, fields[1]);
    schedule.days_of_month_ = parser.values(day_of_month_field, fields[2]);
    schedule.months_ = parser.values(month_field, fields[3]);
    schedule.days_of_week_ = parser.values(day_of_week_field, fields[4]);
    // Day-of-week 7 is Sunday.
    if (schedule.days_of_week_ & (1u << 7))
        schedule.days_of_week_ = (schedule.days_of_week_ & ~std::uint64_t(1u << 7)) | 1u;
    schedule.any_day_of_month_ = fields[2].front() == '*';
    schedule.any_day_of_week_ = fields[4].front() == '*';
    return schedule;
}

bool CronSchedule::matches_day(const CivilTime &date) const
{
    bool day_of_month = days_of_month_ >> date.day & 1;
    bool day_of_week = days_of_week_ >> weekday(date.year, date.month, date.day) & 1;
    if (any_day_of_month_ || any_day_of_week_)
        return day_of_month && day_of_week;
    return day_of_month || day_of_week;
}

bool CronSchedule::matches_time(int hour, int minute) const
{
    return (hours_ >> hour & 1) && (minutes_ >> minute & 1);
}

std::optional<std::time_t> CronSchedule::next_after(std::time_t after, const TimeZone &zone) const
{
    // Candidate local times are visited in order; each resolves to the instant it fires at (the
    // first occurrence, or the end of a gap). That instant never decreases as local time
    // advances, so the first one after `after` is the answer. Candidates start at the local
    // minute after `after`: an earlier local time never resolves to a later instant.
    CivilTime now = zone.to_local(after);
    now.second = 0;
    CivilTime first = civil_from_seconds(seconds_from_civil(now) + 60);
    std::int64_t first_day = days_from_civil(first.year, first.month, first.day);
    std::int64_t last_day = first_day + search_years * 366;
    for (std::int64_t day = first_day; day <= last_day; ++day) {
        CivilTime candidate = civil_from_days(day);
        if (!(months_ >> candidate.month & 1) || !matches_day(candidate))
            continue;
        int from = day == first_day ? first.hour * 60 + first.minute : 0;
        for (int of_day = from; of_day < 24 * 60; ++of_day) {
            if (!matches_time(of_day / 60, of_day % 60))
                continue;
            candidate.hour = of_day / 60;
            candidate.minute = of_day % 60;
            std::time_t at = zone.to_utc(candidate).earliest;
            if (at > after)
                return at;
        }
    }
    return std::nullopt;
}

std::optional<std::time_t> CronSchedule::last_at_or_before(std::time_t at,
                                                           const TimeZone &zone) const
{
    // next_after() backwards: candidate local times are visited from the latest down, and the
    // first whose instant is at or before `at` is the answer. They start a day after the local
    // date of `at`: a local time later than the clock shows at `at` can still resolve to an
    // earlier instant (a repeated hour fires at its first occurrence).
    CivilTime local = zone.to_local(at);
    std::int64_t last_day = days_from_civil(local.year, local.month, local.day) + 1;
    std::int64_t first_day = last_day - search_years * 366;
    for (std::int64_t day = last_day; day >= first_day; --day) {
        CivilTime candidate = civil_from_days(day);
        if (!(months_ >> candidate.month & 1) || !matches_day(candidate))
            continue;
        for (int of_day = 24 * 60 - 1; of_day >= 0; --of_day) {
            if (!matches_time(of_day / 60, of_day % 60))
                continue;
            candidate.hour = of_day / 60;
            candidate.minute = of_day % 60;
            std::time_t fired = zone.to_utc(candidate).earliest;
            if (fired <= at)
                return fired;
        }
    }
    return std::nullopt;
}

} // namespace lokbackup
