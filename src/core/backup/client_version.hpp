// The version of a PostgreSQL client program, from what `psql --version` prints.
#pragma once

#include <string>

namespace lokbackup
{

struct ClientVersion {
    int major = 0; // 15, 16, ...
    int minor = 0;
    std::string text; // "15.20", for messages
};

// From "psql (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" or "pg_restore (PostgreSQL) 18.1".
// Throws Error quoting `output` when it holds no version.
ClientVersion parse_client_version(const std::string &output);

// The major version of a server's version ("15.20 (Debian 15.20-0+deb12u1)", "18beta3", as a
// manifest records it); 0 when it does not start with one.
int server_major_version(const std::string &server_version);

} // namespace lokbackup
