// The conversation between the background worker and the backup child (`lokbackup backup-child`):
// the worker writes one BackupRequest as JSON to the child's stdin (secrets travel here, never in
// argv) and reads BackupEvents from its stdout, one JSON object per line.
#pragma once

#include "core/backup/backup_description.hpp"
#include "core/backup/database_properties.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "core/storage/storage.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lokbackup
{

// The backup to make, and what only the child needs to make it. Its JSON is the description's
// started fields and these, side by side in one object.
struct BackupRequest {
    BackupDescription backup;
    std::string connect_database; // where pg_dumpall connects for the roles dump
    std::string storage;          // storage spec, as for open_storage()
    S3Options s3;                 // for an s3:// storage spec; holds the S3 secrets
    BackupEncryption encryption;  // backup.encrypted_to's keys
    std::string pg_bin_dir;       // where pg_dump and pg_dumpall are
    std::string socket_dir;       // the server's Unix socket directory
    int port = 5432;
    std::string user;
};

std::string backup_request_to_json(const BackupRequest &request);

// The application_name of every server session of backup `id` (pg_dump's or pg_dumpall's, and
// the one that holds pg_dump's snapshot): the worker finds them by it, to end them when it ends
// the backup, since a killed pg_dump leaves its session waiting for a lock on an old snapshot.
std::string backup_application_name(std::int64_t id);
BackupRequest backup_request_from_json(const std::string &json);

struct BackupEvent {
    enum class Kind { progress, completed, failed };
    Kind kind = Kind::progress;
    std::uint64_t raw_bytes = 0;    // bytes pg_dump produced so far / in all
    std::uint64_t stored_bytes = 0; // bytes written to storage so far / in all
    // Progress only: see BackupProgress.
    std::uint64_t uploaded_bytes = 0;
    std::int64_t waiting_since_ms = 0;
    std::string storage_problem;
    std::string sha256; // completed only
    // Completed only: the properties of the database dumped (none for the roles), which the
    // worker records in the catalog, where a restore trusts them more than the manifest's copy.
    std::optional<DatabaseProperties> database_properties;
    // Completed only: what the dump holds (dump_inventory.hpp; none for the roles), which the
    // worker records in the catalog for restore drills.
    std::optional<DumpInventory> inventory;
    std::string error; // failed only
};

// One line of JSON, without the trailing newline.
std::string backup_event_to_json(const BackupEvent &event);
BackupEvent backup_event_from_json(const std::string &line);

} // namespace lokbackup
