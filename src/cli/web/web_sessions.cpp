#include "cli/web/web_sessions.hpp"

#include "cli/web/web_errors.hpp"
#include "core/base/random_hex.hpp"
#include "core/pipeline/sha256.hpp"

namespace lokbackup::cli
{

std::pair<std::string, std::shared_ptr<Session>>
SessionStore::open(std::unique_ptr<Connection> connection, const std::string &user)
{
    auto session = std::make_shared<Session>();
    session->user = user;
    session->csrf_token = random_hex(32);
    session->created = session->last_used = Session::Clock::now();
    session->connection = std::move(connection);
    std::string token = random_hex(32);

    std::lock_guard<std::mutex> guard(mutex_);
    close_expired(session->created, "");
    if (sessions_.size() >= limits_.max_sessions)
        throw HttpError(503,
                        "too many sessions are open (" + std::to_string(limits_.max_sessions) + ")",
                        "Log out elsewhere, or wait until idle sessions expire.");
    sessions_.emplace(sha256_hex(token), session);
    return {token, session};
}

std::shared_ptr<Session> SessionStore::find(const std::string &token, Lookup &lookup, bool touch)
{
    auto now = Session::Clock::now();
    std::string key = sha256_hex(token);
    std::lock_guard<std::mutex> guard(mutex_);
    if (close_expired(now, key)) {
        lookup = Lookup::expired;
        return nullptr;
    }
    auto it = sessions_.find(key);
    if (it == sessions_.end()) {
        lookup = Lookup::unknown;
        return nullptr;
    }
    if (touch)
        it->second->last_used = now;
    lookup = Lookup::found;
    return it->second;
}

void SessionStore::close(const std::string &token)
{
    std::lock_guard<std::mutex> guard(mutex_);
    sessions_.erase(sha256_hex(token));
}

bool SessionStore::close_expired(Session::Clock::time_point now, const std::string &key)
{
    bool found = false;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (!expired(*it->second, now)) {
            ++it;
            continue;
        }
        found = found || it->first == key;
        it = sessions_.erase(it);
    }
    return found;
}

bool SessionStore::expired(const Session &session, Session::Clock::time_point now) const
{
    return now - session.last_used > limits_.idle_timeout ||
           now - session.created > limits_.lifetime;
}

} // namespace lokbackup::cli
