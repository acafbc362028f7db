// The PostgreSQL client programs that the cli runs.
#pragma once

#include "core/backup/client_version.hpp"

#include <string>

namespace lokbackup::cli
{

// The path of `name` (psql, pg_restore): next to the running lokbackup, which is installed in the
// server's bin directory and so finds programs of the server's major version; else on PATH.
std::string find_program(const std::string &name);

// The version that `program` (a path) prints with --version. Throws Error when it cannot tell.
ClientVersion program_version(const std::string &program);

} // namespace lokbackup::cli
