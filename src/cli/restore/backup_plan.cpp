#include "cli/restore/backup_plan.hpp"

#include "cli/restore/object_source.hpp"
#include "core/storage/open_storage.hpp"
#include "core/base/error.hpp"
#include "core/base/json_document.hpp"
#include "core/backup/manifest.hpp"
#include "core/storage/object_key.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/storage/stored_backups.hpp"
#include "core/base/text.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace lokbackup::cli
{

// The keys come from the environment, as for the AWS command-line tools: never from argv, where
// every user of the machine could read them.
S3Options s3_options_from(const Arguments &arguments)
{
    auto environment = [](const char *name) {
        const char *value = std::getenv(name);
        return std::string(value ? value : "");
    };
    S3Options s3;
    s3.endpoint = arguments.value("s3-endpoint").value_or(environment("AWS_ENDPOINT_URL"));
    s3.region =
        arguments.value("s3-region")
            .value_or(environment("AWS_REGION").empty() ? s3.region : environment("AWS_REGION"));
    s3.path_style = arguments.flag("s3-path-style");
    s3.access_key_id = environment("AWS_ACCESS_KEY_ID");
    s3.secret_access_key = environment("AWS_SECRET_ACCESS_KEY");
    s3.session_token = environment("AWS_SESSION_TOKEN");
    return s3;
}

std::unique_ptr<Storage> open_from_storage(const std::string &spec, const S3Options &s3)
{
    if (spec.rfind("s3://", 0) == 0)
        return open_storage(StorageConfig(spec, s3, print_storage_log));
    std::filesystem::path root = std::filesystem::absolute(spec);
    // Checked first: listing a directory that does not exist finds nothing, which would be reported
    // as no backup in it.
    if (!std::filesystem::is_directory(root))
        throw Error("--from " + spec + ": no such directory");
    return open_storage(StorageConfig(root.string()));
}

std::vector<StoredBackup> backups_in(Storage &storage)
{
    return read_stored_backups(
        storage, storage.list(""), [](const std::string &key, const std::string &reason) {
            std::cerr << "lokbackup: warning: skipping " << key << ": " << reason << "\n";
        });
}

namespace
{

bool is_backup_id(const std::string &text)
{
    return !text.empty() && text.size() <= 18 &&
           text.find_first_not_of("0123456789") == std::string::npos;
}

// lokbackup_copy_locations() (0.7.0): every completed copy of the backup, primary first. An older
// catalog has no such function, and its backups have their one place.
std::vector<BackupCopy> copies_from_catalog(Connection &catalog, std::int64_t backup_id)
{
    QueryResult present = catalog.query(
        "SELECT to_regprocedure($1) IS NOT NULL",
        {catalog.with_extension_schema("@extschema@.lokbackup_copy_locations(bigint)")});
    if (present.value(0, 0) != "t")
        return {};
    QueryResult rows = catalog.query(
        catalog.with_extension_schema("SELECT destination, storage, location, manifest_location "
                                      "FROM @extschema@.lokbackup_copy_locations($1::bigint)"),
        {std::to_string(backup_id)});
    std::vector<BackupCopy> copies;
    for (int row = 0; row < rows.rows(); ++row)
        copies.push_back({rows.value(row, "destination"), rows.value(row, "storage"),
                          rows.value(row, "location"), rows.value(row, "manifest_location")});
    return copies;
}

BackupPlan plan_from_catalog(Connection &catalog, const BackupSelector &selector)
{
    // The verification columns (0.3.0), the database properties (0.4.0) and whom the object is
    // encrypted to (0.5.0) are read through
    // to_jsonb(): a catalog that ALTER EXTENSION has not updated yet lacks them, and its backups
    // must still restore.
    QueryResult result = catalog.query(
        catalog.with_extension_schema(
            "SELECT p.backup_id, p.database, p.location, p.manifest_location, "
            "p.sha256, p.size, p.raw_size, p.format, p.compression, p.catalog_database, "
            "b.object_key, "
            "coalesce(to_jsonb(b) ->> 'verification_error', '') AS verification_error, "
            "coalesce(to_jsonb(b) ->> 'verified_at', '') AS verified_at, "
            "coalesce(to_jsonb(b) ->> 'database_properties', '') AS database_properties, "
            "coalesce(to_jsonb(b) -> 'encrypted_to', '[]') AS encrypted_to "
            "FROM @extschema@.lokbackup_restore_plan($1::text, $2::text) p "
            "JOIN @extschema@.lokbackup_backups b ON b.id = p.backup_id"),
        {selector.which, selector.database});
    if (result.rows() != 1)
        throw Error("the catalog has no backup for \"" + selector.which + "\"");
    BackupPlan plan;
    BackupDescription &backup = plan.backup;
    backup.id = std::stoll(result.value(0, "backup_id"));
    backup.database = result.value(0, "database");
    backup.object_key = result.value(0, "object_key");
    backup.sha256 = result.value(0, "sha256");
    backup.size = std::stoull(result.value(0, "size"));
    backup.raw_size = std::stoull(result.value(0, "raw_size"));
    backup.format = parse_dump_format(result.value(0, "format"));
    backup.compression = parse_compression(result.value(0, "compression"));
    plan.location = result.value(0, "location");
    plan.manifest_location = result.value(0, "manifest_location");
    plan.catalog_database = result.value(0, "catalog_database");
    plan.verification_error = result.value(0, "verification_error");
    plan.verified_at = result.value(0, "verified_at");
    std::string encrypted_to = result.value(0, "encrypted_to");
    if (encrypted_to != "null")
        backup.encrypted_to = Json::parse(encrypted_to).get<std::vector<std::string>>();
    std::string properties = result.value(0, "database_properties");
    if (!properties.empty() && properties != "null") {
        backup.database_properties = database_properties_from_text(
            "the catalog's database_properties of backup " + std::to_string(backup.id), properties);
        plan.properties_from_catalog = true;
    }
    plan.copies = copies_from_catalog(catalog, backup.id);
    return plan;
}

// 'latest' never names a backup that failed verification (lokbackup_internal.find_backup()); an id
// may. Such a backup still restores from its other copies, when it has any.
void check_not_failed_verification(BackupPlan &plan)
{
    if (std::optional<std::string> passed_over = pass_over_failed_primary(plan)) {
        std::cerr << "lokbackup: warning: " << *passed_over << "\n";
        return;
    }
    if (plan.verification_error.empty())
        return;
    std::string id = std::to_string(plan.backup.id);
    throw Error("backup " + id + " failed verification at " + plan.verified_at + ": " +
                plan.verification_error +
                "; nothing was restored. Once its object is intact again in storage, \"lokbackup "
                "verify " +
                id +
                "\" passes and clears this; or restore another backup (\"latest\" skips the "
                "ones that failed verification)");
}

// A base backup is a cluster's data directory, not a dump to replay into a database (the
// catalog's lokbackup_restore_plan() refuses it too; a manifest in storage is checked here).
void check_not_base_backup(const BackupPlan &plan)
{
    if (plan.backup.is_base_backup())
        throw Error("backup " + std::to_string(plan.backup.id) +
                    " is a base backup of the cluster, not a database dump; nothing was "
                    "restored. Restore it into an empty data directory with \"lokbackup "
                    "restore-pitr --pgdata DIR\" and --target-time, --target-lsn or --target "
                    "latest");
}

// --sha256, in lower case; a DBA may paste it in either case.
std::optional<std::string> sha256_option(const Arguments &arguments)
{
    std::optional<std::string> pinned = arguments.value("sha256");
    if (!pinned)
        return pinned;
    std::string lower = to_lower(*pinned);
    if (!is_sha256_hex(lower))
        throw UsageError("--sha256 \"" + *pinned +
                         "\" is not a SHA-256: give the 64 hex digits of the backup's checksum");
    return lower;
}

// A manifest in storage can be replaced by whoever can write there; a checksum that the DBA
// holds elsewhere (a notification, the catalog of another server) cannot.
void check_pinned_sha256(const BackupPlan &plan, const BackupSelector &selector)
{
    if (selector.pinned_sha256 && plan.backup.sha256 != *selector.pinned_sha256)
        throw Error("backup " + std::to_string(plan.backup.id) + " has SHA-256 " +
                    plan.backup.sha256 + " in its " +
                    (selector.from_storage ? "manifest" : "catalog row") + ", not the " +
                    *selector.pinned_sha256 +
                    " given with --sha256; nothing "
                    "was read or restored");
}

// Says which newer backups were passed over, so that a restore of an older backup than the DBA
// expects never goes unnoticed.
void warn_of_fallback(const LatestBackup &latest, const Storage &storage)
{
    std::string missing;
    for (const StoredBackup *backup : latest.missing)
        missing += (missing.empty() ? "" : ", ") + std::to_string(backup->manifest.id) +
                   " (finished " + backup->manifest.finished_at + ", object " +
                   backup->manifest.object_key + ")";
    std::cerr << "lokbackup: warning: the object of the newest backup" +
                     std::string(latest.missing.size() > 1 ? "s " : " ") + missing +
                     " of database \"" + latest.chosen->manifest.database + "\" is missing from " +
                     storage.describe() + "; using backup " +
                     std::to_string(latest.chosen->manifest.id) + " (finished " +
                     latest.chosen->manifest.finished_at + "), the newest whose object is there\n";
}

const StoredBackup &choose_from_storage(const std::vector<StoredBackup> &backups,
                                        const BackupSelector &selector, const Storage &storage)
{
    if (selector.which != "latest") {
        const StoredBackup *chosen =
            choose_by_id(backups, std::stoll(selector.which), selector.pinned_sha256);
        if (!chosen)
            throw Error("no backup " + selector.which + " in " + storage.describe());
        return *chosen;
    }
    LatestBackup latest = choose_latest(backups, *selector.database);
    if (!latest.chosen)
        throw Error("no backup of database \"" + *selector.database + "\" in " +
                    storage.describe() +
                    (latest.missing.empty() ? "" : " has its object: only manifests are left"));
    if (!latest.missing.empty())
        warn_of_fallback(latest, storage);
    return *latest.chosen;
}

BackupPlan plan_from_storage(const std::string &spec, const BackupSelector &selector,
                             const std::string &catalog_database)
{
    auto storage = open_from_storage(spec, selector.s3);
    std::vector<StoredBackup> backups = backups_in(*storage);
    return plan_of_stored(*storage, choose_from_storage(backups, selector, *storage),
                          catalog_database);
}

} // namespace

std::optional<std::string> pass_over_failed_primary(BackupPlan &plan)
{
    if (plan.verification_error.empty() || plan.copies.size() <= 1)
        return std::nullopt;
    plan.copies.erase(plan.copies.begin());
    plan.location = plan.copies.front().location;
    plan.manifest_location = plan.copies.front().manifest_location;
    return "the primary copy of backup " + std::to_string(plan.backup.id) +
           " failed verification at " + plan.verified_at + " (" + plan.verification_error +
           "); only its other copies are tried";
}

BackupPlan plan_of_stored(Storage &storage, const StoredBackup &stored,
                          const std::string &catalog_database)
{
    BackupPlan plan;
    plan.backup = stored.manifest;
    plan.location = storage.location(stored.manifest.object_key);
    plan.manifest_location = storage.location(stored.manifest_key);
    plan.catalog_database = catalog_database;
    return plan;
}

BackupSelector BackupSelector::from(const Arguments &arguments)
{
    arguments.expect_positionals(1, "one backup: \"latest\" or a backup id");
    BackupSelector selector{arguments.positionals()[0], arguments.value("database"),
                            arguments.value("from"), sha256_option(arguments),
                            s3_options_from(arguments)};
    if (selector.which != "latest" && !is_backup_id(selector.which))
        throw UsageError("\"" + selector.which +
                         "\" is not a backup: give \"latest\" or a backup id (a number)");
    if (selector.which == "latest" && selector.from_storage && !selector.database)
        throw UsageError("\"latest\" with --from needs --database: the directory may hold "
                         "backups of several databases");
    return selector;
}

const char *const storage_option_help = R"(Options to find the backup without the server's catalog:
  --from STORAGE              find the backup in the manifests in STORAGE, a directory or
                              s3://bucket/prefix (--database is needed with latest); S3 keys
                              come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
                              AWS_SESSION_TOKEN
  --s3-endpoint URL           S3 endpoint (default: AWS_ENDPOINT_URL, else AWS S3)
  --s3-region REGION          S3 region (default: AWS_REGION, else us-east-1)
  --s3-path-style             path-style S3 addressing (endpoint/bucket/key)
  --sha256 HEX                the SHA-256 that the backup must have, as its notification and
                              the lokbackup_status view show it: with --from, a manifest in
                              storage is trusted only as far as this check goes

)";

std::vector<OptionSpec> selector_option_specs()
{
    return {{"database", 0, true},  {"from", 0, true},           {"s3-endpoint", 0, true},
            {"s3-region", 0, true}, {"s3-path-style", 0, false}, {"sha256", 0, true}};
}

BackupPlan find_backup(const BackupSelector &selector, const std::string &catalog_database,
                       const std::function<Connection &()> &catalog, BackupUse use)
{
    BackupPlan plan = selector.from_storage
                          ? plan_from_storage(*selector.from_storage, selector, catalog_database)
                          : plan_from_catalog(catalog(), selector);
    check_pinned_sha256(plan, selector);
    if (use == BackupUse::restore) {
        check_not_base_backup(plan);
        check_not_failed_verification(plan);
    }
    return plan;
}

} // namespace lokbackup::cli
