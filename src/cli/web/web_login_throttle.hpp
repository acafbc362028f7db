// Failed logins to `lokbackup serve` slowed down per user name and per client address
// (FailureBackoff): while either backs off, a login is refused with 429 before PostgreSQL sees
// it, so that no password is checked meanwhile and guessing costs time. Nothing sleeps: the
// other clients are not held up. PostgreSQL's auth_delay does the same for the server itself.
// Behind a proxy every client has the proxy's address, so they share its back-off.
#pragma once

#include "core/schedule/failure_backoff.hpp"

#include <string>

namespace lokbackup::cli
{

class LoginThrottle
{
  public:
    LoginThrottle();

    // Throws HttpError 429 with the seconds to wait while `user` or `address` backs off.
    void check(const std::string &user, const std::string &address) const;
    void failed(const std::string &user, const std::string &address);
    void succeeded(const std::string &user, const std::string &address);

  private:
    FailureBackoff backoff_;
};

} // namespace lokbackup::cli
