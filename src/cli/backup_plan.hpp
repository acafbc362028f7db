// The backup that restore and verify work on, and how it is found: through the server's catalog
// (lokbackup_restore_plan()) or, with --from, through the manifests in a storage directory.
#pragma once

#include "cli/connection.hpp"
#include "cli/options.hpp"
#include "core/codec.hpp"
#include "core/dump_format.hpp"
#include "core/restore_pipeline.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace lokbackup::cli {

struct BackupPlan {
    std::int64_t id = 0;
    std::string database; // empty for the roles dump
    std::string contents; // "database" or "roles"
    std::string location; // where open_location() finds the object
    std::string sha256;
    std::uint64_t size = 0;
    std::uint64_t raw_size = 0;
    DumpFormat format = DumpFormat::plain;
    Compression compression = Compression::zstd;
    std::string catalog_database; // the database that holds the lokbackup catalog

    bool is_roles() const { return contents == "roles"; }
    ExpectedObject expected() const { return {sha256, size, compression}; }
};

// "latest" or a backup id, and the database that "latest" is about.
struct BackupSelector {
    std::string which;
    std::optional<std::string> database;

    // From the one positional argument and --database; throws UsageError for anything else.
    static BackupSelector from(const Arguments &arguments);
};

// --database and --from, for the commands that take a selector.
std::vector<OptionSpec> plan_option_specs();

// With --from DIR, from the manifests in that storage directory; otherwise from the catalog,
// through the connection that `catalog` returns (called only then).
BackupPlan find_backup(const Arguments &arguments, const ConnectionOptions &connection,
                       const std::function<Connection &()> &catalog);

} // namespace lokbackup::cli
