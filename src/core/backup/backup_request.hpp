// The conversation between the background worker and the backup child (`lokbackup backup-child`):
// the worker writes one BackupRequest as JSON to the child's stdin (secrets travel here, never in
// argv) and reads BackupEvents from its stdout, one JSON object per line.
#pragma once

#include "core/backup/backup_description.hpp"
#include "core/backup/database_properties.hpp"
#include "core/base/json_document.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "core/storage/storage.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lokbackup
{

// The second destination of a backup (lokbackup.storage_copy): the same stored bytes and manifest
// go there under the same object key.
struct StorageCopyRequest {
    std::string storage; // storage spec, as for open_storage(); not the primary's
    S3Options s3;        // the primary's, with the copy's own endpoint, region and keys
    // The backup is completed only when the copy is too; otherwise it may fail on its own.
    bool required = true;
};

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
    // The cluster's WAL segment size, for a base backup's start_wal_file (0: not sent).
    std::uint64_t wal_segment_size = 0;
    std::optional<StorageCopyRequest> copy; // none: the primary storage alone
};

std::string backup_request_to_json(const BackupRequest &request);

// A second destination as a field of a child's request (the backup child's, the WAL archive
// child's), its S3 settings and keys an object of their own; `document` names it in errors.
Json storage_copy_to_json(const StorageCopyRequest &copy);
StorageCopyRequest storage_copy_from_json(const std::string &document, const Json &json);

// The encryption settings as fields of a child's request (the backup child's, the WAL archive
// child's): lokbackup.encrypt_to and encrypt_passphrase_file, never a key.
void write_backup_encryption(Json &json, const BackupEncryption &encryption);
BackupEncryption read_backup_encryption(const JsonReader &reader);

// The application_name of every server session of backup `id` (pg_dump's or pg_dumpall's, and
// the one that holds pg_dump's snapshot): the worker finds them by it, to end them when it ends
// the backup, since a killed pg_dump leaves its session waiting for a lock on an old snapshot.
std::string backup_application_name(std::int64_t id);
BackupRequest backup_request_from_json(const std::string &json);

// What became of a backup's copy in its second destination.
struct CopyOutcome {
    bool stored = false;
    std::string error; // why not, when not stored; names the destination
};

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
    // Completed only: the WAL a base backup needs (none for dumps), which the worker records.
    std::optional<WalRange> wal_range;
    // Completed only, of a backup with a second destination: whether the copy is there too.
    std::optional<CopyOutcome> copy;
    std::string error; // failed only
};

// One line of JSON, without the trailing newline.
std::string backup_event_to_json(const BackupEvent &event);
BackupEvent backup_event_from_json(const std::string &line);

} // namespace lokbackup
