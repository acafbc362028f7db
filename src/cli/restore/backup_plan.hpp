// The backup that restore and verify work on, and how it is found: through the server's catalog
// (lokbackup_restore_plan()) or, with --from, through the manifests in a storage directory.
#pragma once

#include "cli/connection.hpp"
#include "cli/options.hpp"
#include "core/pipeline/codec.hpp"
#include "core/backup/database_properties.hpp"
#include "core/backup/dump_format.hpp"
#include "core/pipeline/restore_pipeline.hpp"
#include "core/storage/storage.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace lokbackup::cli
{

struct BackupPlan {
    std::int64_t id = 0;
    std::string database;          // empty for the roles dump
    std::string contents;          // "database" or "roles"
    std::string location;          // where open_location() finds the object
    std::string manifest_location; // and its manifest
    std::string sha256;
    std::uint64_t size = 0;
    std::uint64_t raw_size = 0;
    DumpFormat format = DumpFormat::plain;
    Compression compression = Compression::zstd;
    std::string catalog_database; // the database that holds the lokbackup catalog
    // From the catalog: when a verify found the backup damaged, its error and time (empty
    // otherwise, and with --from).
    std::string verification_error;
    std::string verified_at;
    // From the catalog: the database's properties, recorded by the server at backup time (none
    // with --from, for the roles, and for a backup made before 0.4.0).
    std::optional<DatabaseProperties> recorded_properties;
    // From the manifest (--from): the version of the server that made the backup. Empty from the
    // catalog, whose own server made it: a server's major version only goes up.
    std::string server_version;

    bool is_roles() const { return contents == "roles"; }
    ExpectedObject expected() const { return {sha256, size, compression}; }
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

// --database, --from and the --s3-* options, for the commands that take a selector; and the
// part of their --help that describes --from and --s3-*.
std::vector<OptionSpec> selector_option_specs();
extern const char *const storage_option_help;

// What the backup is found for: a restore refuses a backup that failed verification, a verify
// reads it again.
enum class BackupUse { restore, verify };

// From the manifests in the --from directory, or else from the catalog, through the connection
// that `catalog` returns (called only then). `catalog_database` is the database that holds, or
// would hold, the catalog.
BackupPlan find_backup(const BackupSelector &selector, const std::string &catalog_database,
                       const std::function<Connection &()> &catalog,
                       BackupUse use = BackupUse::restore);

} // namespace lokbackup::cli
