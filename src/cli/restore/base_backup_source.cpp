#include "cli/restore/base_backup_source.hpp"

#include "core/base/json_document.hpp"
#include "core/wal/base_backup_choice.hpp"

#include <filesystem>

namespace lokbackup::cli
{

namespace
{

BaseBackupSource from_storage(const RecoveryTarget &target, const std::string &from,
                              const S3Options &s3, const std::string &catalog_database)
{
    std::unique_ptr<Storage> storage = open_from_storage(from, s3);
    std::vector<StoredBackup> stored = backups_in(*storage);
    std::vector<BaseBackupCandidate> candidates;
    std::vector<const StoredBackup *> of_candidate;
    for (const StoredBackup &backup : stored)
        if (backup.manifest.is_base_backup() && backup.manifest.wal_range &&
            backup.object_present) {
            candidates.push_back(
                {backup.manifest.id, backup.manifest.finished_at, *backup.manifest.wal_range});
            of_candidate.push_back(&backup);
        }
    const BaseBackupCandidate &chosen = choose_base_backup(candidates, target, storage->describe());
    const StoredBackup &backup = *of_candidate[&chosen - candidates.data()];
    bool s3_storage = from.rfind("s3://", 0) == 0;
    return {plan_of_stored(*storage, backup, catalog_database), chosen.wal_range,
            s3_storage ? from : std::filesystem::absolute(from).string(), s3};
}

// The rows' columns of 0.6.0 are read through to_jsonb(): a catalog that ALTER EXTENSION has not
// updated yet has no base backup, which the message then says. The plan is made here, not by
// lokbackup_restore_plan(), which plans the replay of a dump and refuses base backups.
const char *const base_backups_query =
    "SELECT b.id, to_char(b.finished_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS finished_at, "
    "j ->> 'timeline' AS timeline, j ->> 'start_lsn' AS start_lsn, j ->> 'stop_lsn' AS stop_lsn, "
    "j ->> 'start_wal_file' AS start_wal_file, b.object_key, b.sha256, b.size, b.raw_size, "
    "b.compression, coalesce(nullif(j -> 'encrypted_to', 'null'), '[]') AS encrypted_to, "
    "lokbackup_internal.storage_location(b.storage, b.s3_endpoint, b.s3_region, "
    "b.s3_path_style, b.object_key) AS location, "
    "lokbackup_internal.storage_location(b.storage, b.s3_endpoint, b.s3_region, "
    "b.s3_path_style, b.object_key || '.manifest.json') AS manifest_location, "
    "b.storage, coalesce(b.s3_endpoint, '') AS s3_endpoint, "
    "coalesce(b.s3_region, '') AS s3_region, coalesce(b.s3_path_style, false) AS s3_path_style "
    "FROM @extschema@.lokbackup_backups b, to_jsonb(b) j "
    "WHERE b.status = 'completed' AND b.contents = 'cluster' AND j ->> 'stop_lsn' IS NOT NULL "
    "AND b.finished_at IS NOT NULL AND coalesce(j ->> 'verification_error', '') = ''";

BackupPlan plan_of_row(const QueryResult &rows, int row, const BaseBackupCandidate &candidate,
                       const std::string &catalog_database)
{
    BackupPlan plan;
    BackupDescription &backup = plan.backup;
    backup.id = candidate.id;
    backup.format = DumpFormat::tar;
    backup.finished_at = candidate.finished_at;
    backup.wal_range = candidate.wal_range;
    backup.object_key = rows.value(row, "object_key");
    backup.sha256 = rows.value(row, "sha256");
    backup.size = std::stoull(rows.value(row, "size"));
    backup.raw_size = std::stoull(rows.value(row, "raw_size"));
    backup.compression = parse_compression(rows.value(row, "compression"));
    backup.encrypted_to =
        Json::parse(rows.value(row, "encrypted_to")).get<std::vector<std::string>>();
    plan.location = rows.value(row, "location");
    plan.manifest_location = rows.value(row, "manifest_location");
    plan.catalog_database = catalog_database;
    return plan;
}

BaseBackupSource from_catalog(const RecoveryTarget &target, const S3Options &s3,
                              const std::string &catalog_database,
                              const std::function<Connection &()> &catalog)
{
    Connection &connection = catalog();
    QueryResult rows = connection.query(connection.with_extension_schema(base_backups_query));
    std::vector<BaseBackupCandidate> candidates;
    for (int row = 0; row < rows.rows(); ++row)
        candidates.push_back(
            {std::stoll(rows.value(row, "id")), rows.value(row, "finished_at"),
             WalRange{std::stoll(rows.value(row, "timeline")), rows.value(row, "start_lsn"),
                      rows.value(row, "stop_lsn"), rows.value(row, "start_wal_file")}});
    const BaseBackupCandidate &chosen = choose_base_backup(
        candidates, target, "the catalog (database \"" + catalog_database + "\")");
    int row = static_cast<int>(&chosen - candidates.data());

    BaseBackupSource source{plan_of_row(rows, row, chosen, catalog_database), chosen.wal_range,
                            rows.value(row, "storage"), s3};
    source.archive_s3.endpoint = rows.value(row, "s3_endpoint");
    if (!rows.value(row, "s3_region").empty())
        source.archive_s3.region = rows.value(row, "s3_region");
    source.archive_s3.path_style = rows.value(row, "s3_path_style") == "t";
    return source;
}

} // namespace

BaseBackupSource find_base_backup(const RecoveryTarget &target,
                                  const std::optional<std::string> &from, const S3Options &s3,
                                  const std::string &catalog_database,
                                  const std::function<Connection &()> &catalog)
{
    return from ? from_storage(target, *from, s3, catalog_database)
                : from_catalog(target, s3, catalog_database, catalog);
}

} // namespace lokbackup::cli
