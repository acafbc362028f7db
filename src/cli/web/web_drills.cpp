// Restore drills from the dashboard: the recent drills, and a drill of one backup queued with
// lokbackup_drill() in the logged-in role's own session, so that who may ask for one and what the
// audit trail records (action 'drill') are the database's. The worker runs the drill; the page
// polls the list to see it pass or fail.
#include "cli/web/web_errors.hpp"
#include "cli/web/web_routes.hpp"

namespace lokbackup::cli
{

namespace
{

// Newest first; restorePretty in lokbackup_status's duration format, as every duration on the page.
const char *const drills_query = R"(
SELECT coalesce(json_agg(json_build_object(
           'id', d.id, 'backupId', d.backup_id, 'database', d.database, 'status', d.status,
           'requestedBy', d.requested_by, 'scheduled', d.scheduled,
           'requestedAt', d.requested_at, 'startedAt', d.started_at,
           'finishedAt', d.finished_at, 'restoreSeconds', d.restore_seconds,
           'restorePretty',
               lokbackup_internal.pretty_duration(make_interval(secs => d.restore_seconds)),
           'failedCheck', d.failed_check)
       ORDER BY d.id DESC), '[]')
FROM (SELECT * FROM @extschema@.lokbackup_drills
      WHERE $2::text IS NULL OR database = $2
      ORDER BY id DESC LIMIT $1::integer) d)";

void list_drills(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::read);
    long long limit = integer_parameter(request, "limit", 20, 1, 100);
    Json drills = session_json(app.sessions, request, *session, drills_query,
                               {std::to_string(limit), text_parameter(request, "database")});
    send_json(response, 200, {{"drills", drills}});
}

// lokbackup_drill() refuses a roles backup (400), one without an object (409), an unknown id
// (404), and returns the pending drill when the backup already has one.
void start_drill(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::change);
    std::string backup = request.matches[1];
    QueryResult drill = session_query(app.sessions, request, *session,
                                      "SELECT @extschema@.lokbackup_drill($1::text)", {backup});
    send_json(response, 202,
              {{"drill", {{"id", std::stoll(drill.value(0, 0))}, {"backupId", std::stoll(backup)}}},
               {"message", "restore drill of backup " + backup + " queued"}});
}

} // namespace

void add_drill_routes(httplib::Server &server, WebApp &app)
{
    server.Get("/api/admin/drills", json_route(app, list_drills));
    server.Post(R"(/api/admin/backups/(\d+)/drill)", json_route(app, start_drill));
}

} // namespace lokbackup::cli
