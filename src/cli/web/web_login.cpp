#include "cli/web/web_login.hpp"

#include "cli/web/web_log.hpp"

namespace lokbackup::cli
{

namespace
{

// The server answered and refused (FATAL: password authentication failed, no pg_hba.conf entry,
// ...), as opposed to not answering or having no connection slot left.
bool refused_by_server(const std::string &message)
{
    return message.find("FATAL:") != std::string::npos &&
           message.find("too many clients") == std::string::npos &&
           message.find("starting up") == std::string::npos &&
           message.find("shutting down") == std::string::npos;
}

} // namespace

std::unique_ptr<Connection> connect_as(const ConnectionOptions &options, const Login &login)
{
    std::unique_ptr<Connection> connection;
    try {
        connection = std::make_unique<Connection>(options, options.catalog_database, &login);
    } catch (const Error &error) {
        if (refused_by_server(error.what()))
            throw HttpError(401, std::string("login failed: ") + error.what());
        throw HttpError(503, std::string("cannot connect to PostgreSQL: ") + error.what(),
                        "Check that the server runs and accepts connections.");
    }
    if (!connection->server_checked_password())
        throw HttpError(401,
                        "login refused: PostgreSQL let \"" + login.user +
                            "\" in without checking a password",
                        "pg_hba.conf has a trust, peer or ident line for these connections; "
                        "lokbackup serve accepts only logins whose password the server checks "
                        "(scram-sha-256 or md5).");
    return connection;
}

void prepare_session(Connection &connection)
{
    try {
        connection.extension_schema();
    } catch (const ExtensionMissing &missing) {
        throw HttpError(409, missing.what(),
                        "Run CREATE EXTENSION lokbackup there, or pass --catalog-dbname.");
    }
    connection.query("SELECT set_config('TimeZone', 'UTC', false)");
}

void attempt_login(LoginThrottle &throttle, const Login &login, const std::string &address,
                   const HttpError &refusal, const std::function<void()> &attempt)
{
    std::string who = "login of \"" + printable(login.user) + "\" from " + address;
    try {
        throttle.check(login.user, address);
    } catch (const HttpError &error) {
        log_line(who + " refused: " + error.what() + " (" + std::to_string(error.retry_after) +
                 " s to wait)");
        throw;
    }
    try {
        attempt();
    } catch (const HttpError &error) {
        if (error.status == 503) {
            log_line(who + " failed: " + printable(error.what()));
            throw HttpError(503, "cannot connect to PostgreSQL",
                            "lokbackup serve's log has the details.");
        }
        log_line(who + " failed: " + printable(error.what()) +
                 (error.hint.empty() ? "" : "; " + printable(error.hint)));
        throttle.failed(login.user, address);
        throw refusal;
    } catch (const Error &error) {
        log_line(who + " failed: " + printable(error.what()));
        throttle.failed(login.user, address);
        throw refusal;
    }
    throttle.succeeded(login.user, address);
}

} // namespace lokbackup::cli
