#include "core/backup/manifest.hpp"

#include "core/base/json_document.hpp"
#include "core/pipeline/sha256.hpp"

namespace lokbackup
{

namespace
{

// Raised when the layout changes, so that an older reader refuses what it cannot understand.
constexpr int manifest_format_version = 1;

const std::string document = "manifest";

} // namespace

std::string manifest_to_json(const Manifest &manifest)
{
    Json json = {
        {"format_version", manifest_format_version},
        {"id", manifest.id},
        {"database", manifest.database},
        {"contents", manifest.contents},
        {"type", manifest.type},
        {"object_key", manifest.object_key},
        {"sha256", manifest.sha256},
        {"size", manifest.size},
        {"raw_size", manifest.raw_size},
        {"format", dump_format_name(manifest.format)},
        {"compression", compression_name(manifest.compression)},
        {"compression_level", manifest.compression_level},
        {"started_at", manifest.started_at},
        {"finished_at", manifest.finished_at},
        {"server_version", manifest.server_version},
    };
    if (manifest.database_properties)
        json["database_properties"] = database_properties_to_json(*manifest.database_properties);
    return json_text(document, json, 2) + "\n";
}

Manifest manifest_from_json(const std::string &json)
{
    JsonReader reader(document, json);
    int version = reader.integer("format_version");
    if (version != manifest_format_version)
        throw Error("manifest: format_version " + std::to_string(version) +
                    " is not supported (this version of lokbackup reads " +
                    std::to_string(manifest_format_version) + ")");
    Manifest manifest;
    manifest.id = reader.int64("id");
    manifest.database = reader.string("database");
    manifest.contents = reader.string("contents");
    manifest.type = reader.string("type");
    manifest.object_key = reader.string("object_key");
    manifest.sha256 = reader.string("sha256");
    if (!is_sha256_hex(manifest.sha256))
        throw Error("manifest: sha256 \"" + manifest.sha256.substr(0, 100) +
                    "\" is not a SHA-256 (64 lower-case hex digits)");
    manifest.size = reader.uint64("size");
    manifest.raw_size = reader.uint64("raw_size");
    manifest.format = reader.enumeration("format", parse_dump_format);
    manifest.compression = reader.enumeration("compression", parse_compression);
    manifest.compression_level = reader.integer("compression_level");
    manifest.started_at = reader.string("started_at");
    manifest.finished_at = reader.string("finished_at");
    manifest.server_version = reader.string("server_version");
    if (const Json *properties = reader.optional_field("database_properties"))
        manifest.database_properties =
            database_properties_from_json(document + ": database_properties", *properties);
    return manifest;
}

} // namespace lokbackup
