// The logins of `lokbackup serve`. A session is a PostgreSQL connection opened with the person's
// own password: the server checked the password, and every call runs as that role. No password
// is kept; the browser holds a random token, this process only its SHA-256.
#pragma once

#include "cli/connection.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace lokbackup::cli
{

struct Session {
    using Clock = std::chrono::steady_clock;

    std::string user;
    std::string csrf_token; // sent back in X-CSRF-Token by every state-changing request
    // Read and written under SessionStore's lock.
    Clock::time_point created;
    Clock::time_point last_used;
    std::mutex mutex; // one statement at a time on the connection
    std::unique_ptr<Connection> connection;
};

struct SessionLimits {
    std::chrono::seconds idle_timeout{30 * 60};
    std::chrono::seconds lifetime{12 * 60 * 60}; // however active
    std::size_t max_sessions = 32;
};

class SessionStore
{
  public:
    enum class Lookup { found, unknown, expired };

    explicit SessionStore(SessionLimits limits) : limits_(limits) {}

    // The new session and the token for its cookie; throws HttpError 503 when max_sessions are
    // open.
    std::pair<std::string, std::shared_ptr<Session>> open(std::unique_ptr<Connection> connection,
                                                          const std::string &user);
    // The session of `token`, null with the reason when there is none or it expired. Every
    // expired session is closed on the way, and with it its connection. `touch`: the lookup counts
    // as activity, which a mere check of the session (GET /api/auth/session) does not.
    std::shared_ptr<Session> find(const std::string &token, Lookup &lookup, bool touch = true);
    void close(const std::string &token);

  private:
    // With mutex_ held; returns whether the session of `key` was among them.
    bool close_expired(Session::Clock::time_point now, const std::string &key);
    bool expired(const Session &session, Session::Clock::time_point now) const;

    SessionLimits limits_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Session>> sessions_; // by SHA-256 of the token
};

} // namespace lokbackup::cli
