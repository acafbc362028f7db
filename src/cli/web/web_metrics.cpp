// GET /metrics: each database's health (lokbackup_health(), as GET /api/admin/health shows it) and
// the backups by status, for Prometheus in its text exposition format.
//
// A scraper has no browser session: /metrics takes HTTP basic authentication with a PostgreSQL
// role's name and password, checked the way a login is (web_login.hpp: the server checks the
// password, failures back off, only members of lokbackup_admin), on a connection of its own that
// ends with the request. A logged-in browser may look at it with its session instead.
#include "cli/web/web_errors.hpp"
#include "cli/web/web_routes.hpp"
#include "core/base/prometheus_text.hpp"

#include <openssl/evp.h>

namespace lokbackup::cli
{

namespace
{

// Every status the catalog knows has a sample, 0 when no backup has it, so that a series does not
// vanish when its last backup changes status. A value that a database does not have (no completed
// backup, no drill) is null, and its sample is left out.
const char *const metrics_query = R"(
SELECT json_build_object(
    'databases', (
        SELECT coalesce(json_agg(json_build_object(
                   'database', h.database,
                   'lastCompletedAt', extract(epoch FROM h.last_completed_at),
                   'lastCompletedSize', h.last_completed_size,
                   'ageSeconds', extract(epoch FROM h.age), 'status', h.status,
                   'late', (h.status = 'late' OR (h.status = 'never' AND h.expected_after IS NOT NULL))::int,
                   'failures7d', h.failures_7d,
                   'lastDrillAt', extract(epoch FROM h.last_drill_at),
                   'restoreSeconds', h.restore_seconds,
                   'lastDrillFailed', (h.last_drill_status IS NOT DISTINCT FROM 'failed')::int,
                   'verdict', h.verdict)
               ORDER BY h.ordinality), '[]')
        FROM @extschema@.lokbackup_health() WITH ORDINALITY h),
    'backups', (
        SELECT json_object_agg(s.status, (SELECT count(*) FROM @extschema@.lokbackup_backups b
                                          WHERE b.status = s.status))
        FROM (SELECT unnest(ARRAY['pending', 'in_progress', 'completed', 'failed', 'deleted'])
              UNION SELECT DISTINCT status FROM @extschema@.lokbackup_backups) s(status)))
)";

// A gauge with one sample per database, its value the database's field of metrics_query.
struct DatabaseGauge {
    const char *name;
    const char *help;
    const char *field;
};

const DatabaseGauge database_gauges[] = {
    {"lokbackup_last_success_timestamp_seconds",
     "When the newest completed backup of the database (or of the roles, database=\"(roles)\") "
     "finished, in seconds since the epoch.",
     "lastCompletedAt"},
    {"lokbackup_backup_age_seconds",
     "How long ago the newest completed backup of the database finished.", "ageSeconds"},
    {"lokbackup_last_backup_size_bytes",
     "Stored size of the newest completed backup of the database.", "lastCompletedSize"},
    {"lokbackup_backup_late",
     "1 when no backup of the database completed since the scheduled run that should have "
     "finished by now (lokbackup_health() status late, or never with a schedule), else 0.",
     "late"},
    {"lokbackup_backup_failures_7d", "Backups of the database that failed in the last 7 days.",
     "failures7d"},
    {"lokbackup_last_drill_timestamp_seconds",
     "When the newest finished restore drill of the database finished, in seconds since the "
     "epoch.",
     "lastDrillAt"},
    {"lokbackup_last_drill_restore_seconds",
     "How long the newest finished restore drill of the database took to restore it, from the "
     "first byte read to the commit: its recovery time at that size.",
     "restoreSeconds"},
    {"lokbackup_last_drill_failed",
     "1 when the newest finished restore drill of the database failed, else 0 (also without a "
     "drill).",
     "lastDrillFailed"},
};

// A family whose one sample per database is 1 and names the database's `label` (a status, a
// verdict) in a label of that name.
MetricFamily labelled_family(const Json &databases, const char *name, const char *help,
                             const char *label, const char *field)
{
    MetricFamily family{name, help, "gauge"};
    for (const Json &database : databases)
        family.samples.push_back({{{"database", database["database"].get<std::string>()},
                                   {label, database[field].get<std::string>()}},
                                  1});
    return family;
}

std::vector<MetricFamily> metric_families(const Json &data)
{
    const Json &databases = data["databases"];
    std::vector<MetricFamily> families;
    for (const DatabaseGauge &gauge : database_gauges) {
        MetricFamily family{gauge.name, gauge.help, "gauge"};
        for (const Json &database : databases)
            if (!database[gauge.field].is_null())
                family.samples.push_back({{{"database", database["database"].get<std::string>()}},
                                          database[gauge.field].get<double>()});
        families.push_back(family);
    }
    families.push_back(labelled_family(
        databases, "lokbackup_backup_health",
        "1 for the database's status in lokbackup_health(): ok, late, never or failing.", "status",
        "status"));
    families.push_back(labelled_family(
        databases, "lokbackup_health_verdict",
        "1 for the database's verdict in lokbackup_health(): green, amber or red (its reason in "
        "words is lokbackup_health()'s reason and the dashboard's card).",
        "verdict", "verdict"));
    MetricFamily backups{"lokbackup_backups",
                         "Backups in the catalog by status (rotation turns completed ones into "
                         "deleted).",
                         "gauge"};
    for (const auto &[name, count] : data["backups"].items())
        backups.samples.push_back({{{"status", name}}, count.get<double>()});
    families.push_back(backups);
    return families;
}

std::optional<std::string> base64_decoded(const std::string &text)
{
    if (text.empty() || text.size() % 4 != 0 || text.size() > 4096)
        return std::nullopt;
    std::string bytes(text.size() / 4 * 3, '\0');
    int length = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(bytes.data()),
                                 reinterpret_cast<const unsigned char *>(text.data()),
                                 static_cast<int>(text.size()));
    if (length < 0)
        return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t padding = text.size() - text.find_last_not_of('=') - 1;
    bytes.resize(static_cast<std::size_t>(length) - std::min<std::size_t>(padding, 2));
    return bytes;
}

// The user name and password of an "Authorization: Basic ..." header.
std::optional<Login> basic_credentials(const httplib::Request &request)
{
    std::string header = request.get_header_value("Authorization");
    const std::string scheme = "Basic ";
    if (header.compare(0, scheme.size(), scheme) != 0)
        return std::nullopt;
    std::optional<std::string> pair = base64_decoded(header.substr(scheme.size()));
    std::size_t colon = pair ? pair->find(':') : std::string::npos;
    if (colon == std::string::npos)
        throw HttpError(400, "malformed Authorization header",
                        "Send Basic base64(user:password), as Prometheus's basic_auth does.");
    return Login{pair->substr(0, colon), pair->substr(colon + 1)};
}

Json metrics_data(WebApp &app, const httplib::Request &request, const Login &login)
{
    std::unique_ptr<Connection> connection = admin_login(
        app, request, login,
        HttpError(401, "authentication failed",
                  "Scrape with the user name and password of a PostgreSQL role that is a member "
                  "of lokbackup_admin; lokbackup serve's log has the reason."));
    return Json::parse(
        connection->query(connection->with_extension_schema(metrics_query)).value(0, 0));
}

void show_metrics(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    Json data;
    if (std::optional<Login> login = basic_credentials(request)) {
        data = metrics_data(app, request, *login);
    } else if (session_token(request)) {
        std::shared_ptr<Session> session = require_session(app.sessions, request, Access::read);
        data = session_json(app.sessions, request, *session, metrics_query);
    } else {
        response.set_header("WWW-Authenticate", "Basic realm=\"lokbackup\", charset=\"UTF-8\"");
        throw HttpError(401, "authentication required",
                        "Scrape with HTTP basic authentication as a PostgreSQL role that is a "
                        "member of lokbackup_admin.");
    }
    response.status = 200;
    response.set_content(prometheus_text(metric_families(data)),
                         "text/plain; version=0.0.4; charset=utf-8");
}

} // namespace

void add_metrics_routes(httplib::Server &server, WebApp &app)
{
    server.Get("/metrics", json_route(app, show_metrics));
}

} // namespace lokbackup::cli
