// GET /api/admin/history?days=90: the size and duration of each database's backups over the last
// days, for the dashboard's chart. Deleted backups count: rotation removes their objects, not the
// history of what they cost. The roles are left out: they are not a database.
#include "cli/web/web_errors.hpp"
#include "cli/web/web_routes.hpp"

namespace lokbackup::cli
{

namespace
{

// One series per database, oldest point first; sizes and durations also in the catalog's own
// words (pg_size_pretty(), lokbackup_status's duration format), which the chart's points show.
const char *const history_query = R"(
WITH span AS (SELECT now() - make_interval(days => $1::integer) AS since, now() AS until)
SELECT json_build_object(
    'since', (SELECT since FROM span), 'until', (SELECT until FROM span),
    'databases', coalesce((
        SELECT json_agg(json_build_object('database', h.database, 'backups', h.backups)
                        ORDER BY h.database)
        FROM (SELECT b.database,
                     json_agg(json_build_object(
                         'id', b.id, 'finishedAt', b.finished_at, 'size', b.size,
                         'sizePretty', pg_catalog.pg_size_pretty(b.size),
                         'durationSeconds', extract(epoch FROM b.duration),
                         'duration', lokbackup_internal.pretty_duration(b.duration))
                         ORDER BY b.finished_at, b.id) AS backups
              FROM @extschema@.lokbackup_backups b
              WHERE b.status IN ('completed', 'deleted') AND b.database IS NOT NULL
                AND b.size IS NOT NULL AND b.duration IS NOT NULL
                AND b.finished_at >= (SELECT since FROM span)
              GROUP BY b.database) h), '[]'))
)";

void show_history(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::read);
    long long days = integer_parameter(request, "days", 90, 1, 3660);
    send_json(response, 200,
              session_json(app.sessions, request, *session, history_query, {std::to_string(days)}));
}

} // namespace

void add_history_routes(httplib::Server &server, WebApp &app)
{
    server.Get("/api/admin/history", json_route(app, show_history));
}

} // namespace lokbackup::cli
