// `lokbackup serve`: the admin dashboard and its JSON API, on a local address by default. It
// holds no user store: a login is a PostgreSQL login, and every call runs as that role.
#include "cli/command.hpp"
#include "cli/web/web_routes.hpp"

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

namespace lokbackup::cli
{

namespace
{

const char *const help = R"(lokbackup serve: the admin dashboard and HTTP API

Usage:
  lokbackup serve [OPTION]...

Serves the dashboard at http://HOST:PORT/ and the JSON API below /api/. Members of
lokbackup_admin log in with their PostgreSQL user name and password, which the server checks (a
login that pg_hba.conf lets in without a password is refused); each session is a connection as
that role, so what they may do is what the role may do.

Options:
  --http-host HOST            address to listen on (default 127.0.0.1)
  --http-port PORT            port to listen on (default 8080)
  --public-host NAME[,NAME]   other Host headers to answer, as browsers send them (the names of
                              this machine, or of an https proxy in front of it: "backups.example")
  --session-timeout SECONDS   a session ends after this long without a request (default 1800)
  --max-sessions N            sessions open at once (default 32)
  --secure-cookie             mark the session cookie Secure (serve is behind an https proxy)

)";

// Stops the server on SIGINT or SIGTERM from a thread of its own, because httplib's stop() is not
// async-signal-safe. stop() does nothing before the server listens, so it is repeated until
// listening has ended: a signal that comes early is not lost.
class StopOnSignal
{
  public:
    explicit StopOnSignal(httplib::Server &server)
    {
        sigset_t signals = stop_signals();
        // Blocked here and so in every thread started later: only sigwait() takes them.
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        thread_ = std::thread([this, &server, signals] {
            int signal = 0;
            sigwait(&signals, &signal);
            while (!done_) {
                server.stop();
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
    }

    // After listening has ended; then a second signal ends serve at once.
    ~StopOnSignal()
    {
        done_ = true;
        pthread_kill(thread_.native_handle(), SIGTERM); // wakes sigwait() if no signal came
        thread_.join();
        sigset_t signals = stop_signals();
        std::signal(SIGTERM, SIG_DFL);
        std::signal(SIGINT, SIG_DFL);
        pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
    }

  private:
    static sigset_t stop_signals()
    {
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        return signals;
    }

    std::atomic<bool> done_{false};
    std::thread thread_;
};

// The Host headers of requests for host:port, and the --public-host names.
std::vector<std::string> allowed_hosts(const std::string &host, long long port,
                                       const std::optional<std::string> &public_hosts)
{
    std::string suffix = ":" + std::to_string(port);
    std::vector<std::string> hosts = {
        (host.find(':') != std::string::npos ? "[" + host + "]" : host) + suffix};
    if (host == "127.0.0.1" || host == "::1" || host == "localhost")
        for (const char *loopback : {"127.0.0.1", "localhost", "[::1]"})
            hosts.push_back(loopback + suffix);
    std::string names = public_hosts.value_or("");
    for (std::size_t start = 0; start < names.size();) {
        std::size_t end = names.find(',', start);
        if (end == std::string::npos)
            end = names.size();
        if (end > start)
            hosts.push_back(names.substr(start, end - start));
        start = end + 1;
    }
    return hosts;
}

int serve(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {{"http-host", 0, true},    {"http-port", 0, true},
                                       {"public-host", 0, true},  {"session-timeout", 0, true},
                                       {"max-sessions", 0, true}, {"secure-cookie", 0, false}};
    std::vector<OptionSpec> connection_specs = ConnectionOptions::specs();
    options.insert(options.end(), connection_specs.begin(), connection_specs.end());
    Arguments arguments("serve", options, argument_list);
    arguments.expect_positionals(0, "options only");
    if (arguments.value("username"))
        throw UsageError("serve takes no --username: each person logs in as themselves");
    std::string host = arguments.value("http-host").value_or("127.0.0.1");
    long long port = arguments.positive_integer("http-port").value_or(8080);
    if (port > 65535)
        throw UsageError("--http-port must be 1 to 65535");
    SessionLimits limits;
    if (auto seconds = arguments.positive_integer("session-timeout"))
        limits.idle_timeout = std::chrono::seconds(*seconds);
    if (auto count = arguments.positive_integer("max-sessions"))
        limits.max_sessions = static_cast<std::size_t>(*count);

    // A replay child that exits early must fail its restore, not end serve.
    std::signal(SIGPIPE, SIG_IGN);
    WebApp app{{ConnectionOptions::from(arguments), arguments.flag("secure-cookie"),
                allowed_hosts(host, port, arguments.value("public-host"))},
               SessionStore(limits),
               {}};
    httplib::Server server;
    // Requests wait on PostgreSQL, not on the CPU: more threads than cores, so that a slow
    // statement does not hold up the others (restores run on threads of their own). And a
    // connection holds its thread until its request has come, however slowly the client sends it
    // (httplib has no deadline for a whole request, only for each read): with 8 threads, 8 slow
    // clients stopped serve. An idle thread costs little.
    server.new_task_queue = [] { return new httplib::ThreadPool(64); };
    // The API's bodies are small JSON objects.
    server.set_payload_max_length(64 * 1024);
    server.set_default_headers({{"Content-Security-Policy",
                                 "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                                 "base-uri 'none'"},
                                {"X-Content-Type-Options", "nosniff"},
                                {"X-Frame-Options", "DENY"},
                                {"Referrer-Policy", "no-referrer"}});
    install_boundary(server);
    add_auth_routes(server, app);
    add_backup_routes(server, app);
    add_download_routes(server, app);
    add_restore_routes(server, app);
    add_health_routes(server, app);
    add_metrics_routes(server, app);
    add_drill_routes(server, app);
    add_history_routes(server, app);
    add_page_routes(server, app);

    if (!server.bind_to_port(host, static_cast<int>(port)))
        throw Error("cannot listen on " + host + ":" + std::to_string(port) +
                    " (in use, or not an address of this machine)");
    bool served = false;
    {
        StopOnSignal stop_on_signal(server);
        std::cout << "lokbackup serve: dashboard at http://" << app.settings.allowed_hosts.front()
                  << "/" << std::endl;
        served = server.listen_after_bind();
    }
    if (std::size_t running = app.restores.running())
        std::cerr << "lokbackup serve: waiting for " << running
                  << " restores to finish (a second signal abandons them, and nothing of them "
                     "is committed)\n";
    return served ? 0 : 1;
}

} // namespace

const Command serve_command = {
    "serve", "serve the admin dashboard and HTTP API", help, serve, nullptr, true, false};

} // namespace lokbackup::cli
