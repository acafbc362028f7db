// `lokbackup serve`: the admin dashboard and its JSON API, on a local address by default. It
// holds no user store: a login is a PostgreSQL login, and every call runs as that role.
#include "cli/command.hpp"
#include "cli/web_routes.hpp"

#include <pthread.h>

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

Serves the dashboard at http://HOST:PORT/ and the JSON API below /api/. People log in with their
PostgreSQL user name and password, which the server checks (a login that pg_hba.conf lets in
without a password is refused); each session is a connection as that role, so what they may do
is what the role may do (lokbackup_admin).

Options:
  --http-host HOST            address to listen on (default 127.0.0.1)
  --http-port PORT            port to listen on (default 8080)
  --session-timeout SECONDS   a session ends after this long without a request (default 1800)
  --max-sessions N            sessions open at once (default 32)
  --secure-cookie             mark the session cookie Secure (serve is behind an https proxy)

)";

// SIGINT and SIGTERM stop the server from a thread of their own: httplib's stop() is not
// async-signal-safe, so no signal handler calls it.
std::thread stop_on_signals(httplib::Server &server)
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return std::thread([&server, signals] {
        int signal = 0;
        sigwait(&signals, &signal);
        server.stop();
    });
}

void log_request(const httplib::Request &request, const httplib::Response &response)
{
    std::cerr << "lokbackup serve: " << request.remote_addr << " " << request.method << " "
              << request.path << " " << response.status << "\n";
}

int serve(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {{"http-host", 0, true},
                                       {"http-port", 0, true},
                                       {"session-timeout", 0, true},
                                       {"max-sessions", 0, true},
                                       {"secure-cookie", 0, false}};
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
    WebApp app{{ConnectionOptions::from(arguments), arguments.flag("secure-cookie")},
               SessionStore(limits),
               {}};
    httplib::Server server;
    server.new_task_queue = [] { return new httplib::ThreadPool(8); };
    server.set_payload_max_length(64 * 1024);
    server.set_default_headers({{"Content-Security-Policy",
                                 "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                                 "base-uri 'none'"},
                                {"X-Content-Type-Options", "nosniff"},
                                {"X-Frame-Options", "DENY"},
                                {"Referrer-Policy", "no-referrer"}});
    server.set_logger(log_request);
    // httplib's own answers (no such route, a malformed request) in the API's shape.
    server.set_error_handler([](const httplib::Request &request, httplib::Response &response) {
        if (response.body.empty())
            send_json(
                response, response.status,
                {{"error", "no such route: " + request.method + " " + request.path},
                 {"hint", "The routes are listed in the README, under Dashboard and HTTP API."}});
    });
    add_auth_routes(server, app);
    add_backup_routes(server, app);
    add_restore_routes(server, app);
    add_page_routes(server, app);

    if (!server.bind_to_port(host, static_cast<int>(port)))
        throw Error("cannot listen on " + host + ":" + std::to_string(port) +
                    " (in use, or not an address of this machine)");
    std::thread signal_thread = stop_on_signals(server);
    std::cout << "lokbackup serve: dashboard at http://" << host << ":" << port << "/" << std::endl;
    bool served = server.listen_after_bind();
    // Wakes the thread when serve stopped for another reason than a signal.
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    return served ? 0 : 1;
}

} // namespace

const Command serve_command = {
    "serve", "serve the admin dashboard and HTTP API", help, serve, nullptr, true, false};

} // namespace lokbackup::cli
