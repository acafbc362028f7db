// Connecting as the person who uses the dashboard: a login, the password check before a restore,
// and the clean-up after a failed one all connect with the person's own password.
#pragma once

#include "cli/connection.hpp"

#include <memory>

namespace lokbackup::cli
{

// A connection to the catalog database as `login`. Throws HttpError 401 when PostgreSQL refuses
// the login or lets it in without checking the password (a trust, peer or ident line in
// pg_hba.conf), 503 when the server cannot be reached or has no room.
std::unique_ptr<Connection> connect_as(const ConnectionOptions &options, const Login &login);

} // namespace lokbackup::cli
