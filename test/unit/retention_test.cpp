#include "core/base/error.hpp"
#include "core/schedule/retention.hpp"

#include "time_test_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace lokbackup
{
namespace
{

using test::local;
using test::utc;

std::set<std::int64_t> expired_ids(const std::vector<Expiry> &plan)
{
    std::set<std::int64_t> ids;
    for (const Expiry &expiry : plan)
        ids.insert(expiry.id);
    return ids;
}

// A catalog, grown by scheduled runs and rotated after each one as the worker would do it.
class Catalog
{
  public:
    explicit Catalog(const std::string &zone) : zone_(TimeZone::named(zone)) {}

    std::time_t at(const std::string &day, const std::string &time) const
    {
        return zone_.to_utc(local(day + " " + time)).earliest;
    }

    // One scheduled run at 03:00 local: the roles, then app and shop, one row each. A
    // backup's type counts the database's earlier scheduled backups that completed.
    void run(const std::string &day, const std::set<std::string> &failing = {})
    {
        int position = 0;
        for (const std::string database : {"", "app", "shop"}) {
            CivilTime taken = local(day + " 03:00");
            BackupType type = scheduled_backup_type(taken, completed_[database]);
            bool fails = failing.count(name(database)) != 0;
            CatalogBackup &row = add(database, type, day, "03:00",
                                     fails ? BackupStatus::failed : BackupStatus::completed);
            row.finished_at = at(day, "03:0" + std::to_string(5 + position++));
            if (!fails)
                completed_[database].push_back(taken);
        }
    }

    CatalogBackup &add(const std::string &database, BackupType type, const std::string &day,
                       const std::string &time, BackupStatus status)
    {
        CatalogBackup row;
        row.id = static_cast<std::int64_t>(rows_.size()) + 1;
        row.database = database;
        row.type = type;
        row.status = status;
        row.requested_at = at(day, time);
        row.finished_at = row.requested_at + 600;
        row.has_object = true;
        rows_.push_back(row);
        std::string state = status == BackupStatus::completed ? std::string(backup_type_name(type))
                            : status == BackupStatus::failed  ? "failed"
                                                              : "pending";
        labels_.push_back(name(database) + " " + state + " " + day);
        return rows_.back();
    }

    // Applies the plan at 03:30 local on `day`, as the worker does after a run.
    void rotate(const std::string &day, const RetentionPolicy &policy = {})
    {
        for (const Expiry &expiry : plan_retention(rows_, at(day, "03:30"), policy, zone_)) {
            CatalogBackup &row = rows_.at(static_cast<std::size_t>(expiry.id - 1));
            EXPECT_EQ(expiry.reason, expected_reason(row, policy)) << label(expiry.id);
            row.status = BackupStatus::deleted;
            deleted_on_[label(expiry.id)] = day;
        }
        for (const auto &[database, times] : completed_) {
            bool has_completed = false;
            for (const CatalogBackup &row : rows_)
                has_completed |= row.database == database && row.status == BackupStatus::completed;
            EXPECT_TRUE(has_completed) << name(database) << " has no backup after " << day;
        }
    }

    // Labels ("app weekly 2026-12-14") of the rows that are not deleted.
    std::set<std::string> remaining() const
    {
        std::set<std::string> kept;
        for (const CatalogBackup &row : rows_)
            if (row.status != BackupStatus::deleted)
                kept.insert(labels_.at(static_cast<std::size_t>(row.id - 1)));
        return kept;
    }

    std::string deleted_on(const std::string &label) const
    {
        auto found = deleted_on_.find(label);
        return found == deleted_on_.end() ? "never" : found->second;
    }

    CatalogBackup &row_labelled(const std::string &label)
    {
        for (std::size_t i = 0; i < labels_.size(); ++i)
            if (labels_[i] == label)
                return rows_[i];
        throw std::invalid_argument("no row " + label);
    }

  private:
    static std::string name(const std::string &database)
    {
        return database.empty() ? "roles" : database;
    }
    std::string label(std::int64_t id) const
    {
        return labels_.at(static_cast<std::size_t>(id - 1));
    }

    static std::string expected_reason(const CatalogBackup &row, const RetentionPolicy &policy)
    {
        auto plural = [](int n, const std::string &unit) {
            return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
        };
        if (row.status == BackupStatus::failed)
            return "failed backup older than " + plural(policy.retain_daily, "day") +
                   ": its leftovers are removed";
        if (row.type == BackupType::monthly)
            return "monthly backup older than " + plural(policy.retain_monthly, "month");
        if (row.type == BackupType::weekly)
            return "weekly backup older than " + plural(policy.retain_weekly, "week");
        return "daily backup older than " + plural(policy.retain_daily, "day");
    }

    TimeZone zone_;
    std::vector<CatalogBackup> rows_;
    std::vector<std::string> labels_;
    std::map<std::string, std::vector<CivilTime>> completed_;
    std::map<std::string, std::string> deleted_on_;
};

// "2025-01-01" and the days after it, as the C library counts them.
std::vector<std::string> days(const std::string &first, const std::string &last)
{
    std::vector<std::string> list;
    for (std::time_t time = utc(first + "T12:00Z"); time <= utc(last + "T12:00Z"); time += 86400) {
        std::tm fields{};
        gmtime_r(&time, &fields);
        char text[16];
        std::strftime(text, sizeof text, "%Y-%m-%d", &fields);
        list.push_back(text);
    }
    return list;
}

bool between(const std::string &day, const std::string &first, const std::string &last)
{
    return day >= first && day <= last;
}

TEST(RetentionTest, TwoYearsOfScheduledBackups)
{
    Catalog catalog("Europe/Berlin");
    // Stuck in the queue since long ago: never touched.
    catalog.add("app", BackupType::daily, "2025-02-01", "03:00", BackupStatus::pending);
    for (const std::string &day : days("2025-01-01", "2026-12-31")) {
        // The server was down for a week, twice; the second time over the 1st of October.
        if (between(day, "2025-03-12", "2025-03-18") || between(day, "2026-09-29", "2026-10-05"))
            continue;
        std::set<std::string> failing;
        if (between(day, "2025-07-01", "2025-07-03") || between(day, "2026-12-07", "2026-12-09"))
            failing.insert("app");
        if (between(day, "2026-11-01", "2026-11-03"))
            failing.insert("shop");
        if (day == "2026-12-29")
            failing.insert("roles");
        catalog.run(day, failing);
        if (day == "2025-04-10")
            catalog.row_labelled("shop daily 2025-04-10").pinned = true;
        if (day == "2025-06-15")
            catalog.add("app", BackupType::manual, day, "14:00", BackupStatus::completed);
        if (day == "2025-06-16")
            catalog.add("app", BackupType::manual, day, "14:00", BackupStatus::failed);
        catalog.rotate(day);
    }

    // Worked out by hand from a calendar. On 2026-12-31 at 03:30: dailies from 12-25 on (7 days),
    // weeklies from 12-03 on (4 weeks: Mondays 7, 14, 21, 28; app's week of the 7th began with
    // failures, so its weekly is Thursday the 10th), monthlies from 2025-12-31 on (12 months:
    // the 1st of each month of 2026, but 10-06 after the outage, and shop's 11-04 after its
    // failures), the manual and the pinned backup, and the roles' failure of 12-29, younger
    // than 7 days. The 12-28 backups are weekly, not daily.
    std::set<std::string> expected;
    for (const std::string database : {"roles", "app", "shop"}) {
        for (const std::string month : {"01", "02", "03", "04", "05", "06", "07", "08", "09"})
            expected.insert(database + " monthly 2026-" + month + "-01");
        expected.insert(database + " monthly 2026-10-06");
        expected.insert(database + " monthly 2026-12-01");
        for (const std::string day : {"14", "21", "28"})
            expected.insert(database + " weekly 2026-12-" + day);
        for (const std::string day : {"25", "26", "27", "30", "31"})
            expected.insert(database + " daily 2026-12-" + day);
    }
    expected.insert(
        {"roles monthly 2026-11-01", "app monthly 2026-11-01", "shop monthly 2026-11-04"});
    expected.insert({"roles weekly 2026-12-07", "app weekly 2026-12-10", "shop weekly 2026-12-07"});
    expected.insert({"app daily 2026-12-29", "shop daily 2026-12-29", "roles failed 2026-12-29"});
    expected.insert({"app manual 2025-06-15", "shop daily 2025-04-10", "app pending 2025-02-01"});
    EXPECT_EQ(catalog.remaining(), expected);

    // When rows went: on the day they expired, or on the first run after the outage.
    EXPECT_EQ(catalog.deleted_on("app daily 2026-06-02"), "2026-06-09");
    EXPECT_EQ(catalog.deleted_on("app weekly 2026-06-08"), "2026-07-06");
    EXPECT_EQ(catalog.deleted_on("app monthly 2025-06-01"), "2026-06-01");
    EXPECT_EQ(catalog.deleted_on("app daily 2026-09-22"), "2026-10-06");
    EXPECT_EQ(catalog.deleted_on("app failed 2026-12-07"), "2026-12-14");
    EXPECT_EQ(catalog.deleted_on("app failed 2025-06-16"), "2025-06-24");
    // After the outage of March 2025 (Wednesday to Tuesday) Wednesday's backup is the weekly.
    EXPECT_EQ(catalog.deleted_on("app weekly 2025-03-19"), "2025-04-16");
}

TEST(RetentionTest, WeeksOfFailuresNeverLeaveADatabaseWithoutABackup)
{
    // Short retention, so that every completed backup has expired after three weeks of failures.
    RetentionPolicy policy{7, 1, 1};
    TimeZone zone = TimeZone::named("UTC");
    std::vector<CatalogBackup> rows;
    auto add = [&](const std::string &day, BackupType type, BackupStatus status) {
        CatalogBackup row;
        row.id = static_cast<std::int64_t>(rows.size()) + 1;
        row.database = "app";
        row.type = type;
        row.status = status;
        row.requested_at = utc(day + "T03:00Z");
        row.finished_at = utc(day + "T03:05Z");
        row.has_object = status == BackupStatus::failed;
        rows.push_back(row);
    };
    // 2026-05-01 is a Friday, 05-04 a Monday.
    for (const std::string &day : days("2026-05-01", "2026-05-10"))
        add(day,
            day == "2026-05-01"   ? BackupType::monthly
            : day == "2026-05-04" ? BackupType::weekly
                                  : BackupType::daily,
            BackupStatus::completed);
    for (const std::string &day : days("2026-05-11", "2026-05-31"))
        add(day, BackupType::daily, BackupStatus::failed);

    std::vector<Expiry> plan = plan_retention(rows, utc("2026-06-01T04:00Z"), policy, zone);

    // Completed 1-9 go, the newest (10, 2026-05-10) stays; failures 11-25 (finished before
    // 05-25 04:00) go, the last six (26-31) stay.
    std::set<std::int64_t> expected;
    for (std::int64_t id = 1; id <= 25; ++id)
        if (id != 10)
            expected.insert(id);
    EXPECT_EQ(expired_ids(plan), expected);
    ASSERT_EQ(plan.size(), 24u);
    EXPECT_EQ(plan[0].reason, "monthly backup older than 1 month");
    EXPECT_EQ(plan[1].reason, "daily backup older than 7 days");
    EXPECT_EQ(plan[3].reason, "weekly backup older than 1 week");
    EXPECT_EQ(plan[9].reason, "failed backup older than 7 days: its leftovers are removed");
}

CatalogBackup row(std::int64_t id, const std::string &database, BackupType type,
                  BackupStatus status, const std::string &finished)
{
    CatalogBackup backup;
    backup.id = id;
    backup.database = database;
    backup.type = type;
    backup.status = status;
    backup.requested_at = utc(finished) - 300;
    backup.finished_at = utc(finished);
    backup.has_object = true;
    return backup;
}

const TimeZone &utc_zone()
{
    static const TimeZone zone = TimeZone::named("UTC");
    return zone;
}

TEST(RetentionTest, ManualAndPinnedBackupsAreNeverDeleted)
{
    std::vector<CatalogBackup> rows = {
        row(1, "app", BackupType::manual, BackupStatus::completed, "2020-01-01T12:00Z"),
        row(2, "app", BackupType::daily, BackupStatus::completed, "2020-01-02T03:00Z"),
        row(3, "app", BackupType::monthly, BackupStatus::completed, "2020-02-01T03:00Z"),
        row(4, "app", BackupType::daily, BackupStatus::completed, "2026-06-01T03:00Z"),
    };
    rows[1].pinned = true;
    EXPECT_EQ(expired_ids(plan_retention(rows, utc("2026-06-01T04:00Z"), {}, utc_zone())),
              (std::set<std::int64_t>{3}));
}

TEST(RetentionTest, QueuedRunningAndDeletedRowsAreNeverTouched)
{
    std::vector<CatalogBackup> rows = {
        row(1, "app", BackupType::daily, BackupStatus::pending, "2020-01-01T03:00Z"),
        row(2, "app", BackupType::daily, BackupStatus::in_progress, "2020-01-02T03:00Z"),
        row(3, "app", BackupType::daily, BackupStatus::deleted, "2020-01-03T03:00Z"),
        row(4, "app", BackupType::daily, BackupStatus::completed, "2026-06-01T03:00Z"),
    };
    rows[0].finished_at.reset();
    rows[1].finished_at.reset();
    EXPECT_TRUE(plan_retention(rows, utc("2026-06-01T04:00Z"), {}, utc_zone()).empty());
}

TEST(RetentionTest, FailedBackupsAreCleanedAfterRetainDailyDays)
{
    std::vector<CatalogBackup> rows = {
        row(1, "app", BackupType::daily, BackupStatus::failed, "2026-05-24T03:00Z"),
        row(2, "app", BackupType::manual, BackupStatus::failed, "2026-05-24T12:00Z"),
        row(3, "app", BackupType::monthly, BackupStatus::failed, "2026-05-25T04:00Z"),
        row(4, "app", BackupType::daily, BackupStatus::failed, "2026-05-20T03:00Z"),
        row(5, "app", BackupType::daily, BackupStatus::failed, "2026-05-20T04:00Z"),
    };
    rows[1].has_object = false; // failed before it wrote anything
    rows[4].pinned = true;
    std::vector<Expiry> plan = plan_retention(rows, utc("2026-06-01T03:30Z"), {}, utc_zone());
    ASSERT_EQ(plan.size(), 3u);
    EXPECT_EQ(plan[0].id, 1);
    EXPECT_EQ(plan[0].reason, "failed backup older than 7 days: its leftovers are removed");
    EXPECT_EQ(plan[1].id, 2);
    EXPECT_EQ(plan[1].reason, "failed backup older than 7 days");
    EXPECT_EQ(plan[2].id, 4);
}

TEST(RetentionTest, TheRolesAreADatabaseOfTheirOwn)
{
    std::vector<CatalogBackup> rows = {
        row(1, "", BackupType::daily, BackupStatus::completed, "2026-01-01T03:00Z"),
        row(2, "", BackupType::daily, BackupStatus::completed, "2026-01-02T03:00Z"),
        row(3, "app", BackupType::daily, BackupStatus::completed, "2026-06-01T03:00Z"),
        row(4, "", BackupType::daily, BackupStatus::failed, "2026-06-01T03:00Z"),
    };
    // The roles' newest completed backup stays although app has newer ones.
    EXPECT_EQ(expired_ids(plan_retention(rows, utc("2026-06-01T04:00Z"), {}, utc_zone())),
              (std::set<std::int64_t>{1}));
}

TEST(RetentionTest, BaseBackupsAreAGroupOfTheirOwn)
{
    auto base_backup = [](CatalogBackup backup) {
        backup.base_backup = true;
        return backup;
    };
    std::vector<CatalogBackup> rows = {
        base_backup(row(1, "", BackupType::daily, BackupStatus::completed, "2026-01-01T03:00Z")),
        base_backup(row(2, "", BackupType::daily, BackupStatus::completed, "2026-01-02T03:00Z")),
        row(3, "", BackupType::daily, BackupStatus::completed, "2026-01-03T03:00Z"),
        base_backup(row(4, "", BackupType::weekly, BackupStatus::completed, "2026-01-05T03:00Z")),
        row(5, "", BackupType::daily, BackupStatus::completed, "2026-06-01T03:00Z"),
    };
    // Daily base backups expire as dumps do; the newest base backup stays although the roles
    // (also without a database) have a newer backup, and the roles' newest is theirs alone.
    EXPECT_EQ(expired_ids(plan_retention(rows, utc("2026-06-01T04:00Z"), {}, utc_zone())),
              (std::set<std::int64_t>{1, 2, 3}));
}

TEST(RetentionTest, AgesCountInWallClockTimeAcrossDaylightSaving)
{
    // Berlin's clocks jumped from 02:00 to 03:00 on 2026-03-29: from 03:10 CET on the 22nd to
    // 03:15 CEST on the 29th is 6 days 23 hours 5 minutes, yet 7 days of wall-clock time.
    TimeZone berlin = TimeZone::named("Europe/Berlin");
    std::vector<CatalogBackup> rows = {
        row(1, "app", BackupType::daily, BackupStatus::completed, "2026-03-22T02:10Z"),
        row(2, "app", BackupType::daily, BackupStatus::completed, "2026-03-29T01:01Z"),
    };
    EXPECT_TRUE(plan_retention(rows, utc("2026-03-29T01:05Z"), {}, berlin).empty());
    EXPECT_EQ(expired_ids(plan_retention(rows, utc("2026-03-29T01:15Z"), {}, berlin)),
              (std::set<std::int64_t>{1}));
}

TEST(RetentionTest, MonthsAreCalendarMonths)
{
    // A month before 31 March 03:30 is 28 February 03:30.
    std::vector<CatalogBackup> rows = {
        row(1, "app", BackupType::monthly, BackupStatus::completed, "2026-02-28T03:00Z"),
        row(2, "app", BackupType::monthly, BackupStatus::completed, "2026-02-28T04:00Z"),
        row(3, "app", BackupType::daily, BackupStatus::completed, "2026-03-31T03:00Z"),
    };
    RetentionPolicy policy{7, 4, 1};
    EXPECT_EQ(expired_ids(plan_retention(rows, utc("2026-03-31T03:30Z"), policy, utc_zone())),
              (std::set<std::int64_t>{1}));
}

std::string policy_error(const RetentionPolicy &policy)
{
    try {
        check_retention_policy(policy);
    } catch (const InvalidValue &e) {
        return e.what();
    }
    return "(no InvalidValue)";
}

TEST(RetentionTest, EverySettingIsAtLeastOne)
{
    RetentionPolicy defaults;
    EXPECT_EQ(defaults.retain_daily, 7);
    EXPECT_EQ(defaults.retain_weekly, 4);
    EXPECT_EQ(defaults.retain_monthly, 12);
    EXPECT_EQ(policy_error(defaults), "(no InvalidValue)");
    EXPECT_EQ(policy_error({0, 4, 12}),
              "retain_daily is 0; it must be between 1 and 36500 days (there is no \"keep "
              "forever\": pin a backup to keep it)");
    EXPECT_EQ(policy_error({7, -1, 12}),
              "retain_weekly is -1; it must be between 1 and 5200 weeks (there is no \"keep "
              "forever\": pin a backup to keep it)");
    EXPECT_EQ(policy_error({7, 4, 1201}),
              "retain_monthly is 1201; it must be between 1 and 1200 months (there is no \"keep "
              "forever\": pin a backup to keep it)");
    EXPECT_THROW(plan_retention({}, 0, {7, 4, 0}, utc_zone()), InvalidValue);
}

TEST(RetentionTest, StatusNames)
{
    EXPECT_EQ(parse_backup_status("in_progress"), BackupStatus::in_progress);
    EXPECT_EQ(parse_backup_status("completed"), BackupStatus::completed);
    EXPECT_THROW(parse_backup_status("done"), InvalidValue);
}

} // namespace
} // namespace lokbackup
