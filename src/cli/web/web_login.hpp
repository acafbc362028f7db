// Connecting as the person who uses the dashboard: a login, the password check before a restore,
// and the clean-up after a failed one all connect with the person's own password.
#pragma once

#include "cli/connection.hpp"
#include "cli/web/web_errors.hpp"
#include "cli/web/web_login_throttle.hpp"

#include <functional>
#include <memory>
#include <string>

namespace lokbackup::cli
{

// A connection to the catalog database as `login`. Throws HttpError 401 when PostgreSQL refuses
// the login or lets it in without checking the password (a trust, peer or ident line in
// pg_hba.conf), 503 when the server cannot be reached or has no room.
std::unique_ptr<Connection> connect_as(const ConnectionOptions &options, const Login &login);

// Readies a connection for the API's statements: they name the extension's objects with its
// schema (Connection::with_extension_schema()), looked up here, once (HttpError 409 when the
// extension is missing); times are ISO 8601 in UTC.
void prepare_session(Connection &connection);

// Runs `attempt`, which checks the password of `login` (connect_as() and whatever else the login
// needs), for a client at `address`; refused with 429 while the user name or the address backs
// off after failures. A failure is logged with its reason and answered with `refusal` alone,
// whatever the reason, so that the answer tells a guesser nothing: a wrong password, an unknown
// role, the right password of a role without lokbackup_admin and a pg_hba.conf line that checks no
// password look alike. An unreachable PostgreSQL stays 503, without its address.
void attempt_login(LoginThrottle &throttle, const Login &login, const std::string &address,
                   const HttpError &refusal, const std::function<void()> &attempt);

} // namespace lokbackup::cli
