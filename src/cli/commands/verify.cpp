#include "cli/restore/backup_plan.hpp"
#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/restore/object_source.hpp"
#include "core/base/error.hpp"
#include "core/backup/manifest.hpp"
#include "core/storage/object_key.hpp"
#include "core/pipeline/restore_pipeline.hpp"
#include "core/storage/small_object.hpp"

#include <iostream>

namespace lokbackup::cli
{

namespace
{

const char *const help = R"(lokbackup verify: check that a backup is intact

Usage:
  lokbackup verify latest|ID [OPTION]...

Reads the whole backup object and checks its size and SHA-256 against the catalog, that it
decompresses, and that its manifest agrees with the catalog. The outcome goes into the catalog
(lokbackup_status: verification, verified_at, verification_error): a backup found missing,
damaged or disagreeing with its manifest is never restored as "latest" again, until a later
verify passes. A verify that cannot read storage (the network, a permission) records nothing;
neither does one with --from.

Options:
  latest|ID                   the newest backup of --database, or the backup with this id
  --database NAME             the database whose latest backup to verify

)";

// The manifest is what a restore from storage alone relies on, so it must say what the catalog
// says.
void check_manifest(const BackupPlan &plan)
{
    const std::string &location = plan.manifest_location;
    auto reader = open_location(location);
    std::string text = read_small_object(*reader, location);
    BackupDescription manifest;
    try {
        manifest = manifest_from_json(text);
    } catch (const Error &error) {
        throw BackupDamaged("backup " + std::to_string(plan.backup.id) + ": the manifest " +
                            location + " is not a valid manifest: " + error.what());
    }
    auto disagree = [&](const std::string &field, const std::string &in_manifest,
                        const std::string &in_catalog) {
        return BackupDamaged("backup " + std::to_string(plan.backup.id) + ": the manifest " +
                             location + " disagrees with the catalog: its " + field + " is " +
                             in_manifest + ", the catalog says " + in_catalog);
    };
    if (manifest.id != plan.backup.id)
        throw disagree("id", std::to_string(manifest.id), std::to_string(plan.backup.id));
    if (manifest.sha256 != plan.backup.sha256)
        throw disagree("sha256", manifest.sha256, plan.backup.sha256);
    if (manifest.size != plan.backup.size)
        throw disagree("size", std::to_string(manifest.size), std::to_string(plan.backup.size));
}

// `error` is NULL for a verification that passed. Reading a large backup may take longer than the
// server keeps an idle session: the connection is opened again if it was closed meanwhile.
void record_verification(std::optional<Connection> &catalog, const ConnectionOptions &connection,
                         const BackupPlan &plan, const std::optional<std::string> &error)
{
    if (!catalog->is_open())
        catalog.emplace(connection, connection.catalog_database);
    catalog->query(catalog->with_extension_schema(
                       "SELECT @extschema@.lokbackup_record_verification($1::bigint, "
                       "$2::boolean, $3::text)"),
                   {std::to_string(plan.backup.id), error ? "false" : "true", error});
}

int verify(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = selector_option_specs();
    std::vector<OptionSpec> connection_specs = ConnectionOptions::specs();
    options.insert(options.end(), connection_specs.begin(), connection_specs.end());
    Arguments arguments("verify", options, argument_list);
    BackupSelector selector = BackupSelector::from(arguments);
    ConnectionOptions connection = ConnectionOptions::from(arguments);

    std::optional<Connection> catalog;
    BackupPlan plan = find_backup(
        selector, connection.catalog_database,
        [&]() -> Connection & { return catalog.emplace(connection, connection.catalog_database); },
        BackupUse::verify);
    try {
        verify_object(*open_location(plan.location), plan.expected());
        check_manifest(plan);
    } catch (const BackupDamaged &damaged) {
        if (!catalog)
            throw;
        record_verification(catalog, connection, plan, std::string(damaged.what()));
        throw BackupDamaged(std::string(damaged.what()) + "\nrecorded in the catalog: backup " +
                            std::to_string(plan.backup.id) + " failed verification");
    } catch (const Error &error) {
        if (!catalog)
            throw;
        throw Error(std::string(error.what()) +
                    "\nnot recorded in the catalog: the backup could not be read, which says "
                    "nothing about what it holds");
    }
    if (catalog)
        record_verification(catalog, connection, plan, std::nullopt);
    std::cout << "backup " << plan.backup.id << ": OK (sha256 " << plan.backup.sha256 << ", "
              << plan.backup.size << " bytes)\n";
    return 0;
}

} // namespace

const Command verify_command = {
    "verify", "check that a backup is intact", help, verify, nullptr, true, true};

} // namespace lokbackup::cli
