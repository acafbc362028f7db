#include "cli/web/web_login_throttle.hpp"

#include "cli/web/web_errors.hpp"

#include <algorithm>

namespace lokbackup::cli
{

namespace
{

// PostgreSQL cuts a user name to its first 63 bytes (NAMEDATALEN - 1), so longer names are the same
// role to it; and so a key stays small however long the name a client sends.
const std::size_t max_user_name = 63;

// A user name and an address are keys of one table; the prefixes keep them apart.
std::string user_key(const std::string &user)
{
    return "user " + user.substr(0, max_user_name);
}

std::string address_key(const std::string &address)
{
    return "address " + address;
}

} // namespace

LoginThrottle::LoginThrottle() : backoff_(FailureBackoff::Policy{}) {}

void LoginThrottle::check(const std::string &user, const std::string &address) const
{
    auto now = FailureBackoff::Clock::now();
    std::chrono::milliseconds wait = std::max(backoff_.wait_left(user_key(user), now),
                                              backoff_.wait_left(address_key(address), now));
    if (wait.count() == 0)
        return;
    auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
    HttpError refusal(429, "too many failed logins for this user name or address",
                      "Try again in " + std::to_string(seconds) +
                          (seconds == 1 ? " second." : " seconds."));
    refusal.retry_after = seconds;
    throw refusal;
}

void LoginThrottle::failed(const std::string &user, const std::string &address)
{
    auto now = FailureBackoff::Clock::now();
    backoff_.record_failure(user_key(user), now);
    backoff_.record_failure(address_key(address), now);
}

void LoginThrottle::succeeded(const std::string &user, const std::string &address)
{
    backoff_.forget(user_key(user));
    backoff_.forget(address_key(address));
}

} // namespace lokbackup::cli
