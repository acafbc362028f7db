// The backups API, with the routes and shapes of the admin API that lokbackup replaces. Every
// call goes through the extension's SQL functions and views as the logged-in role, so what a
// user may do and what the audit trail records are the database's.
#include "cli/web/web_errors.hpp"
#include "cli/web/web_routes.hpp"

namespace lokbackup::cli
{

namespace
{

// One round trip per listing (the page polls it every second while a backup runs): a page of the
// backups that match, with the columns of lokbackup_status that the page shows, their number, the
// statistics, each database's health and the running backup's progress; each backup with its
// newest restore drill, pending or finished, and its copies (lokbackup_backup_copies: the
// primary and the second destination's), primary first. The page and the number come from
// `matching`: lokbackup_list() pages by type and status only, and the dashboard leaves out the
// roles backups ($5 false) unless asked.
const std::string listing_query = std::string(R"(
WITH matching AS (
    SELECT s.* FROM @extschema@.lokbackup_status s JOIN @extschema@.lokbackup_backups b USING (id)
    WHERE ($1::text IS NULL OR s.type = $1) AND ($2::text IS NULL OR s.status = $2)
      AND ($5::boolean OR b.database IS NOT NULL))
SELECT json_build_object(
    'health', ()") + health_json_query +
                                  R"(),
    'wal', ()" + wal_health_json_query +
                                  R"(),
    'backups', (
        SELECT coalesce(json_agg(json_build_object(
                   'id', s.id, 'fileName', regexp_replace(s.object_key, '^.*/', ''),
                   'objectKey', s.object_key, 'type', s.type, 'status', s.status,
                   'database', s.database, 'size', s.size, 'sizePretty', s.size_pretty,
                   'rawSize', s.raw_size, 'rawSizePretty', s.raw_size_pretty,
                   'createdAt', s.requested_at, 'startedAt', s.started_at,
                   'finishedAt', s.finished_at,
                   'durationSeconds', extract(epoch FROM s.duration),
                   'duration', s.duration_pretty, 'checksum', s.sha256,
                   'checksumShort', left(s.sha256, 12), 'requestedBy', s.requested_by,
                   'error', s.error, 'encryptedTo', to_jsonb(s) -> 'encrypted_to',
                   'drill', (
                       SELECT json_build_object(
                                  'id', d.id, 'status', d.status, 'finishedAt', d.finished_at,
                                  'restorePretty', lokbackup_internal.pretty_duration(
                                      make_interval(secs => d.restore_seconds)),
                                  'failedCheck', d.failed_check)
                       FROM @extschema@.lokbackup_drills d WHERE d.backup_id = s.id
                       ORDER BY d.id DESC LIMIT 1),
                   'copies', (
                       SELECT coalesce(json_agg(json_build_object(
                                  'destination', c.destination, 'storage', c.storage,
                                  'status', c.status, 'error', c.error,
                                  'verification', c.verification)
                              ORDER BY c.destination <> 'primary', c.storage), '[]')
                       FROM @extschema@.lokbackup_backup_copies c WHERE c.backup_id = s.id))
               ORDER BY s.id DESC), '[]')
        FROM (SELECT * FROM matching ORDER BY id DESC LIMIT $3::integer OFFSET $4::integer) s),
    'total', (SELECT count(*) FROM matching),
    'stats', (
        SELECT json_build_object(
                   'totalSize', total_size, 'totalSizePretty', total_size_pretty,
                   'completed', completed, 'failed', failed, 'inProgress', in_progress,
                   'lastBackup', last_backup, 'successRate', success_rate,
                   'nextScheduledRun', next_scheduled_run)
        FROM @extschema@.lokbackup_dashboard),
    'running', (
        SELECT coalesce(json_agg(json_build_object(
                   'backupId', backup_id, 'database', database, 'startedAt', started_at,
                   'rawBytes', raw_bytes, 'storedBytes', stored_bytes,
                   'rawPretty', raw_pretty, 'storedPretty', stored_pretty)
               ORDER BY backup_id), '[]')
        FROM @extschema@.lokbackup_running)))";

void list_backups(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::read);
    long long page = integer_parameter(request, "page", 1, 1, 1000000);
    long long limit = integer_parameter(request, "limit", 20, 1, 100);
    bool roles = boolean_parameter(request, "roles", true);
    std::optional<std::string> type = text_parameter(request, "type");
    std::optional<std::string> status = text_parameter(request, "status");
    // lokbackup_list() refuses a type or status that does not exist, naming those that do.
    if (type || status)
        session_query(app.sessions, request, *session,
                      "SELECT FROM @extschema@.lokbackup_list($1::text, $2::text, 1, 0)",
                      {type, status});
    Json listing = session_json(app.sessions, request, *session, listing_query,
                                {type, status, std::to_string(limit),
                                 std::to_string((page - 1) * limit), roles ? "true" : "false"});
    long long total = listing["total"];
    send_json(response, 200,
              {{"backups", listing["backups"]},
               {"pagination",
                {{"page", page},
                 {"limit", limit},
                 {"total", total},
                 {"totalPages", std::max(1LL, (total + limit - 1) / limit)}}},
               {"stats", listing["stats"]},
               {"health", listing["health"]},
               {"wal", listing["wal"]},
               {"running", listing["running"]}});
}

void start_backup(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::change);
    Json ids =
        session_json(app.sessions, request, *session,
                     "SELECT array_to_json(@extschema@.lokbackup_run('manual'::text, false))");
    send_json(response, 202,
              {{"ids", ids},
               {"message", "backup started: " + std::to_string(ids.size()) +
                               " objects (each database and the roles)"}});
}

void delete_backup(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::change);
    std::string id = request.matches[1];
    session_query(app.sessions, request, *session,
                  "SELECT @extschema@.lokbackup_delete($1::bigint)", {id});
    send_json(response, 200, {{"id", std::stoll(id)}, {"status", "deleted"}});
}

} // namespace

void add_backup_routes(httplib::Server &server, WebApp &app)
{
    server.Get("/api/admin/backups", json_route(app, list_backups));
    server.Post("/api/admin/backups", json_route(app, start_backup));
    server.Delete(R"(/api/admin/backups/(\d+))", json_route(app, delete_backup));
}

} // namespace lokbackup::cli
