#include "core/backup/manifest.hpp"

#include "core/base/json_document.hpp"
#include "core/pipeline/sha256.hpp"

namespace lokbackup
{

namespace
{

// Raised when the layout changes, so that an older reader refuses what it cannot understand: 2 is
// the manifest of an encrypted object, which lokbackup before 0.5.0 would take for a corrupt one.
// Other manifests stay at 1, which every version reads.
constexpr int plain_manifest_version = 1;
constexpr int encrypted_manifest_version = 2;

const std::string document = "manifest";

} // namespace

std::string manifest_to_json(const BackupDescription &backup)
{
    int version = backup.is_encrypted() ? encrypted_manifest_version : plain_manifest_version;
    Json json = {{"format_version", version}, {"contents", backup.contents()}};
    write_backup_description(json, backup, BackupStage::completed);
    return json_text(document, json, 2) + "\n";
}

BackupDescription manifest_from_json(const std::string &json)
{
    JsonReader reader(document, json);
    int version = reader.integer("format_version");
    if (version < plain_manifest_version || version > encrypted_manifest_version)
        throw Error("manifest: format_version " + std::to_string(version) +
                    " is not supported (this version of lokbackup reads " +
                    std::to_string(plain_manifest_version) + " to " +
                    std::to_string(encrypted_manifest_version) + ")");
    BackupDescription backup = read_backup_description(reader, BackupStage::completed);
    // Written from the database by manifest_to_json(); a manifest where they disagree was edited.
    std::string contents = reader.string("contents");
    if (contents != backup.contents() || (backup.is_base_backup() && !backup.database.empty()))
        throw Error("manifest: contents \"" + contents.substr(0, 100) + "\" does not match " +
                    (backup.is_base_backup() ? "format tar with an empty database (a base backup)"
                     : backup.is_roles()     ? "an empty database (the roles dump)"
                                             : "database \"" + backup.database + "\""));
    if (!is_sha256_hex(backup.sha256))
        throw Error("manifest: sha256 \"" + backup.sha256.substr(0, 100) +
                    "\" is not a SHA-256 (64 lower-case hex digits)");
    return backup;
}

} // namespace lokbackup
