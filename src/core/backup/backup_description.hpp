// What one backup is, in one type for every reader: the worker's request to the backup child, the
// manifest beside the object, and the plan of a restore or a verify. Its JSON is written and read
// by one table of fields, so the three documents cannot disagree on a name.
#pragma once

#include "core/backup/database_properties.hpp"
#include "core/backup/dump_format.hpp"
#include "core/backup/dump_inventory.hpp"
#include "core/base/json_document.hpp"
#include "core/pipeline/codec.hpp"
#include "core/schedule/backup_type.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

// The WAL a base backup needs: recovery starts at start_lsn and is consistent once it has
// replayed up to stop_lsn, on `timeline`. Retention keeps every archived segment from
// start_wal_file on.
struct WalRange {
    std::int64_t timeline = 0;
    std::string start_lsn; // as PostgreSQL writes LSNs: "0/2000028"
    std::string stop_lsn;
    std::string start_wal_file; // the segment that holds start_lsn, "000000010000000000000002"
};

// {"timeline": 1, "start_lsn": "0/2000028", ...}; the reader throws Error naming `document`.
Json wal_range_to_json(const WalRange &range);
WalRange wal_range_from_json(const Json &json, const std::string &document);

struct BackupDescription {
    // Known when the backup starts.
    std::int64_t id = 0;
    std::string database; // empty: the roles dump (pg_dumpall --globals-only) or a base backup
    BackupType type = BackupType::manual;
    std::string object_key;
    DumpFormat format = DumpFormat::plain; // tar: a base backup of the cluster (pg_basebackup)
    Compression compression = Compression::zstd;
    int compression_level = 0; // 0: the codec's default
    std::string started_at;    // ISO 8601 UTC, e.g. 2026-11-25T03:00:00Z
    std::string server_version;
    // Whom the object is encrypted to, in age's format after compression: the fingerprint of
    // each recipient (age_recipient_fingerprint()), or "passphrase". Empty: not encrypted.
    std::vector<std::string> encrypted_to;

    // Known once it completed.
    std::string finished_at; // ISO 8601 UTC
    std::string sha256;      // of the stored (compressed) object
    std::uint64_t size = 0;  // stored bytes
    std::uint64_t raw_size = 0;
    // Of the database at the time of the dump; none for the roles dump and in the manifests of
    // lokbackup before 0.3.0.
    std::optional<DatabaseProperties> database_properties;
    // What the dump holds, read in its snapshot (restore drills check a restore against it); none
    // for the roles dump and in the manifests of lokbackup before 0.5.0.
    std::optional<DumpInventory> inventory;
    // Of a base backup; none for dumps.
    std::optional<WalRange> wal_range;

    bool is_base_backup() const { return format == DumpFormat::tar; }
    bool is_roles() const { return database.empty() && !is_base_backup(); }
    bool is_encrypted() const { return !encrypted_to.empty(); }
    // "roles", "database" or "cluster", the catalog's and the manifest's word for what the backup
    // holds.
    std::string_view contents() const
    {
        return is_base_backup() ? "cluster" : is_roles() ? "roles" : "database";
    }
};

// Which fields a document carries: a request describes a backup that has not run yet.
enum class BackupStage { started, completed };

// Adds the fields of `stage` (and, for a completed backup, its database properties, inventory and
// WAL range when it has them) to `json`.
void write_backup_description(Json &json, const BackupDescription &backup, BackupStage stage);
// Throws Error naming the document and the field that is missing or malformed.
BackupDescription read_backup_description(const JsonReader &reader, BackupStage stage);

} // namespace lokbackup
