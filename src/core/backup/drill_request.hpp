// What the worker hands the drill child (`lokbackup drill-child`) on its stdin: the drill, where
// the catalog is, and where to restore (lokbackup.drill_conninfo may hold a password, which
// never travels in argv).
#pragma once

#include <cstdint>
#include <string>

namespace lokbackup
{

struct DrillRequest {
    std::int64_t drill_id = 0;
    std::int64_t backup_id = 0;
    std::string target;           // the scratch database: lokbackup_drill_<drill id>
    std::string catalog_database; // lokbackup.database
    std::string socket_dir;       // this server's Unix socket directory
    int port = 5432;
    std::string user; // the worker's role, for the catalog (and this server's scratch database)
    // lokbackup.drill_conninfo: the server to restore into; empty: this one.
    std::string drill_conninfo;
    // What decrypts an encrypted backup: lokbackup.drill_identity_file and
    // lokbackup.encrypt_passphrase_file (empty: none).
    std::string identity_file;
    std::string passphrase_file;
};

std::string drill_request_to_json(const DrillRequest &request);
// Throws Error naming the field that is missing or malformed.
DrillRequest drill_request_from_json(const std::string &json);

} // namespace lokbackup
