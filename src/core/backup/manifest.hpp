// The JSON manifest written beside every backup object, so that a backup can be found, checked
// and restored from storage alone, without the server's catalog.
#pragma once

#include "core/pipeline/codec.hpp"
#include "core/backup/database_properties.hpp"
#include "core/backup/dump_format.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lokbackup
{

struct Manifest {
    std::int64_t id = 0;
    std::string database; // empty for the roles dump
    std::string contents; // "database" or "roles"
    std::string type;
    std::string object_key;
    std::string sha256; // of the stored (compressed) object
    std::uint64_t size = 0;
    std::uint64_t raw_size = 0;
    DumpFormat format = DumpFormat::plain;
    Compression compression = Compression::zstd;
    int compression_level = 0;
    std::string started_at;  // ISO 8601 UTC, e.g. 2026-11-25T03:00:00Z
    std::string finished_at; // ISO 8601 UTC
    std::string server_version;
    // Of the database at the time of the dump; missing in the roles dump and in the manifests of
    // lokbackup before 0.3.0.
    std::optional<DatabaseProperties> database_properties;
};

std::string manifest_to_json(const Manifest &manifest);
// Throws Error naming the missing or malformed field.
Manifest manifest_from_json(const std::string &json);

} // namespace lokbackup
