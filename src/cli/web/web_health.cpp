// Each database's health at a glance (lokbackup_health()): how old its newest completed backup is
// against the schedule, the failures of the last week, its last restore drill and the restore
// time that drill measured, and the verdict (green, amber, red) with its reason in words; and, for
// a cluster whose WAL lokbackup archives, the archive's recovery point.
// GET /api/admin/health for the dashboard's cards and scripts; GET /metrics (web_metrics.cpp) says
// the same to Prometheus.
#include "cli/web/web_errors.hpp"
#include "cli/web/web_routes.hpp"

namespace lokbackup::cli
{

// restorePretty is lokbackup_status's duration format, so that the page writes every duration
// alike ("12.0 s", "3 min 05 s").
const char *const health_json_query = R"(
SELECT coalesce(json_agg(json_build_object(
           'database', h.database, 'lastCompletedAt', h.last_completed_at,
           'lastCompletedSize', h.last_completed_size, 'ageSeconds', extract(epoch FROM h.age),
           'agePretty', h.age_pretty, 'expectedAfter', h.expected_after,
           'lastFailedAt', h.last_failed_at, 'status', h.status, 'detail', h.detail,
           'failures7d', h.failures_7d, 'lastDrillAt', h.last_drill_at,
           'lastDrillStatus', h.last_drill_status,
           'lastDrillFailedCheck', h.last_drill_failed_check,
           'restoreSeconds', h.restore_seconds,
           'restorePretty',
               lokbackup_internal.pretty_duration(make_interval(secs => h.restore_seconds)),
           'verdict', h.verdict, 'reason', h.reason)
       ORDER BY h.ordinality), '[]')
FROM @extschema@.lokbackup_health() WITH ORDINALITY h)";

// With archive_library = 'lokbackup', the point a cluster can be restored to is the last archived
// WAL file, not the newest dump: the recovery point is its age. Red while archiving fails (WAL
// piles up in pg_wal and the recovery point stops moving), amber before the first file or when
// the archiver is more than two segments behind the WAL being written. NULL without archiving.
const char *const wal_health_json_query = R"(
SELECT CASE WHEN w.archive_library_in_use THEN json_build_object(
           'lastArchivedWal', w.last_archived_wal, 'lastArchivedAt', w.last_archived_at,
           'rpoSeconds', w.seconds_since_last_archived,
           'rpoPretty', lokbackup_internal.pretty_duration(
                            make_interval(secs => w.seconds_since_last_archived)),
           'lagSegments', w.lag_segments, 'failingSince', w.failing_since,
           'lastError', w.last_error, 'archiveBytes', w.archive_bytes,
           'archivePretty', pg_catalog.pg_size_pretty(w.archive_bytes),
           'verdict', CASE WHEN w.failing_since IS NOT NULL THEN 'red'
                           WHEN w.last_archived_at IS NULL OR w.lag_segments > 2 THEN 'amber'
                           ELSE 'green' END,
           'reason', CASE WHEN w.failing_since IS NOT NULL
                              THEN format('archiving fails since %s: %s', w.failing_since,
                                          coalesce(w.last_error, 'see the server log'))
                          WHEN w.last_archived_at IS NULL THEN 'no WAL file archived yet'
                          WHEN w.lag_segments > 2
                              THEN format('the archiver is %s segments behind', w.lag_segments)
                          ELSE 'WAL is archived as it is written' END) END
FROM @extschema@.lokbackup_wal_status w)";

namespace
{

void show_health(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::read);
    send_json(response, 200,
              {{"databases", session_json(app.sessions, request, *session, health_json_query)},
               {"wal", session_json(app.sessions, request, *session, wal_health_json_query)}});
}

} // namespace

void add_health_routes(httplib::Server &server, WebApp &app)
{
    server.Get("/api/admin/health", json_route(app, show_health));
}

} // namespace lokbackup::cli
