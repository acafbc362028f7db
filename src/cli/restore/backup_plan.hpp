// The backup that restore and verify work on, and how it is found: through the server's catalog
// (lokbackup_restore_plan()) or, with --from, through the manifests in a storage directory.
#pragma once

#include "cli/connection.hpp"
#include "cli/options.hpp"
#include "core/backup/backup_description.hpp"
#include "core/pipeline/restore_pipeline.hpp"
#include "core/storage/storage.hpp"
#include "core/storage/stored_backups.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lokbackup::cli
{

// One place that holds the backup's object and its manifest, as lokbackup_copy_locations() lists
// them (catalog 0.7.0 on).
struct BackupCopy {
    std::string destination;       // "primary" or "copy"
    std::string storage;           // the directory or s3://bucket/prefix that holds it
    std::string location;          // where open_location() finds the object
    std::string manifest_location; // and its manifest
};

struct BackupPlan {
    // From the catalog: what restore, verify and a download need (id, database, object_key,
    // sha256, size, raw_size, format, compression); its server_version stays empty, as the
    // catalog's own server made the backup and a server's major version only goes up. With --from:
    // the manifest, all of it.
    BackupDescription backup;
    // Whether backup.database_properties are the catalog's, recorded by the server at backup
    // time, which a restore trusts; a manifest's copy is only as trustworthy as the storage.
    bool properties_from_catalog = false;
    std::string location;          // where open_location() finds the object
    std::string manifest_location; // and its manifest
    // The completed copies in the order a restore tries them, primary first (the first one's
    // location is `location`); empty with --from and with a catalog older than 0.7.0, where
    // `location` is the only place.
    std::vector<BackupCopy> copies;
    std::string catalog_database; // the database that holds the lokbackup catalog
    // From the catalog: when a verify found the backup damaged, its error and time (empty
    // otherwise, and with --from).
    std::string verification_error;
    std::string verified_at;

    // What decrypts an encrypted backup (load_decryption_keys()); none: a verify compares its
    // checksum only.
    std::optional<AgeDecryptionKeys> decryption;

    ExpectedObject expected() const
    {
        return {backup.sha256, backup.size, backup.compression, backup.is_encrypted(),
                decryption ? &*decryption : nullptr};
    }
};

// Which backup, and where to look for it.
struct BackupSelector {
    std::string which;                        // "latest" or a backup id
    std::optional<std::string> database;      // whose latest backup
    std::optional<std::string> from_storage;  // --from: manifests instead of the catalog
    std::optional<std::string> pinned_sha256; // --sha256: the checksum the backup must have
    S3Options s3; // for --from s3://...: --s3-* options, keys from AWS_* variables

    // From the one positional argument, --database and --from; throws UsageError when they do
    // not name a backup.
    static BackupSelector from(const Arguments &arguments);
};

// The S3 options of --from s3://...: --s3-endpoint, --s3-region, --s3-path-style, and the keys
// from the AWS_* environment variables.
S3Options s3_options_from(const Arguments &arguments);
// The storage that --from names (a directory, which must exist, or s3://bucket/prefix).
std::unique_ptr<Storage> open_from_storage(const std::string &spec, const S3Options &s3);

// The plan of a backup found in `storage` by its manifest (backups_in()), as --from makes it.
BackupPlan plan_of_stored(Storage &storage, const StoredBackup &stored,
                          const std::string &catalog_database);

// The backups whose manifests are in `storage` (core/storage/stored_backups.hpp); a manifest that
// cannot be read is skipped with a warning on stderr.
std::vector<StoredBackup> backups_in(Storage &storage);

// --database, --from and the --s3-* options, for the commands that take a selector; and the
// part of their --help that describes --from and --s3-*.
std::vector<OptionSpec> selector_option_specs();
extern const char *const storage_option_help;

// A backup whose primary copy failed verification (the catalog's verification is the primary's;
// a copy's own is in lokbackup_copies) is read from its other copies, when it has any: drops the
// primary from plan.copies and returns the line that says so; otherwise changes nothing.
std::optional<std::string> pass_over_failed_primary(BackupPlan &plan);

// What the backup is found for: a restore refuses a backup that failed verification; a verify
// reads it again, and a download hands over its bytes as storage has them.
enum class BackupUse { restore, verify, download };

// From the manifests in the --from directory, or else from the catalog, through the connection
// that `catalog` returns (called only then). `catalog_database` is the database that holds, or
// would hold, the catalog.
BackupPlan find_backup(const BackupSelector &selector, const std::string &catalog_database,
                       const std::function<Connection &()> &catalog,
                       BackupUse use = BackupUse::restore);

} // namespace lokbackup::cli
