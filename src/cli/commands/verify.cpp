#include "cli/restore/backup_plan.hpp"
#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/restore/copy_choice.hpp"
#include "cli/restore/decryption_keys.hpp"
#include "cli/restore/object_source.hpp"
#include "core/base/error.hpp"
#include "core/backup/manifest.hpp"
#include "core/storage/object_key.hpp"
#include "core/pipeline/restore_pipeline.hpp"
#include "core/storage/small_object.hpp"
#include "core/storage/stored_backups.hpp"
#include "core/base/json_document.hpp"
#include "core/base/text.hpp"

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>

namespace lokbackup::cli
{

namespace
{

const char *const help = R"(lokbackup verify: check that a backup is intact

Usage:
  lokbackup verify latest|ID [OPTION]...

Reads the whole backup object and checks its size and SHA-256 against the catalog, that it
decompresses, and that its manifest agrees with the catalog. An encrypted backup needs no key for
that: its checksum is that of the stored bytes; with --decrypt and its identity, verify checks that
it decrypts and decompresses too. The outcome goes into the catalog
(lokbackup_status: verification, verified_at, verification_error): a backup found missing,
damaged or disagreeing with its manifest is never restored as "latest" again, until a later
verify passes. A backup with a second destination (lokbackup.storage_copy) has each completed copy
checked and its outcome recorded (the view lokbackup_backup_copies shows it); the backup is damaged
when one of its copies is, and the message names which. A verify that cannot read storage (the network, a permission) records nothing;
neither does one with --from.

Options:
  latest|ID                   the newest backup of --database, or the backup with this id
  --database NAME             the database whose latest backup to verify
  --all                       every completed backup (with --from: every one in the storage);
                              the exit status is 3 when one is damaged, 1 when one could not
                              be read
  --json                      the outcome as JSON (with --all: counts, and one object per backup)
  --decrypt                   decrypt encrypted backups too, with:
  -i, --identity FILE         an age identity file (as age-keygen writes it; may be given more
                              than once); default: $LOKBACKUP_IDENTITY_FILE
  --passphrase-file FILE      the passphrase of a backup encrypted with one (its first line);
                              default: $LOKBACKUP_PASSPHRASE_FILE

)";

// The manifest is what a restore from storage alone relies on, so it must say what the catalog
// says.
void check_manifest(const BackupPlan &plan, const std::string &location)
{
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
    if (manifest.encrypted_to != plan.backup.encrypted_to)
        throw disagree("encrypted_to", "[" + joined(manifest.encrypted_to) + "]",
                       "[" + joined(plan.backup.encrypted_to) + "]");
}

// `error` is NULL for a verification that passed. Reading a large backup may take longer than the
// server keeps an idle session: the connection is opened again if it was closed meanwhile. The
// primary copy's outcome goes into the backup's row, a second destination's into its copy's row.
void record_verification(std::optional<Connection> &catalog, const ConnectionOptions &connection,
                         const BackupPlan &plan, const BackupCopy &copy,
                         const std::optional<std::string> &error)
{
    if (!catalog->is_open())
        catalog.emplace(connection, connection.catalog_database);
    std::string id = std::to_string(plan.backup.id);
    std::string ok = error ? "false" : "true";
    if (copy.destination == "primary")
        catalog->query(catalog->with_extension_schema(
                           "SELECT @extschema@.lokbackup_record_verification($1::bigint, "
                           "$2::boolean, $3::text)"),
                       {id, ok, error});
    else
        catalog->query(catalog->with_extension_schema(
                           "SELECT @extschema@.lokbackup_record_copy_verification($1::bigint, "
                           "$2::text, $3::boolean, $4::text)"),
                       {id, copy.storage, ok, error});
}

// How one verify went; `error` says what was wrong with which copy and whether the catalog was
// told (never with --from, nor for a copy that could not be read). A backup is damaged when one
// of its copies is, even when another is intact.
struct Verified {
    BackupPlan plan;
    enum class Result { intact, unreadable, damaged } result = Result::intact; // worst last
    std::string error;
    std::size_t copies = 1; // the places checked
};

// The backup that `selector` names.
BackupPlan selected_backup(const BackupSelector &selector, std::optional<Connection> &catalog,
                           const ConnectionOptions &connection)
{
    return find_backup(
        selector, connection.catalog_database,
        [&]() -> Connection & { return catalog.emplace(connection, connection.catalog_database); },
        BackupUse::verify);
}

// Checks one copy: its object and its manifest; returns how it went (the error names the copy
// when `one_of_several`) and records it when `catalog` is open.
std::pair<Verified::Result, std::string> verify_copy(const BackupPlan &plan, const BackupCopy &copy,
                                                     bool one_of_several,
                                                     std::optional<Connection> &catalog,
                                                     const ConnectionOptions &connection)
{
    std::string which = one_of_several ? describe_copy(copy) + ": " : "";
    try {
        verify_object(*open_location(copy.location), plan.expected());
        check_manifest(plan, copy.manifest_location);
    } catch (const BackupDamaged &damaged) {
        std::string error = which + damaged.what();
        if (!catalog)
            return {Verified::Result::damaged, error};
        record_verification(catalog, connection, plan, copy, error);
        return {Verified::Result::damaged,
                error + "\nrecorded in the catalog: backup " + std::to_string(plan.backup.id) +
                    (copy.destination == "primary" ? "" : ", " + describe_copy(copy) + ",") +
                    " failed verification"};
    } catch (const Error &error) {
        return {Verified::Result::unreadable,
                which + error.what() +
                    (catalog ? "\nnot recorded in the catalog: the backup could not be read, "
                               "which says nothing about what it holds"
                             : "")};
    }
    if (catalog)
        record_verification(catalog, connection, plan, copy, std::nullopt);
    return {Verified::Result::intact, ""};
}

// `decrypt_with`: the arguments that name the keys of an encrypted backup; NULL: its checksum
// and manifest are checked, not that it decrypts. Every completed copy is checked (the plan's
// location alone with --from or a catalog older than 0.7.0).
Verified verify_backup(BackupPlan found, std::optional<Connection> &catalog,
                       const ConnectionOptions &connection, const Arguments *decrypt_with)
{
    Verified verified;
    verified.plan = std::move(found);
    BackupPlan &plan = verified.plan;
    try {
        if (decrypt_with != nullptr)
            load_decryption_keys(plan, *decrypt_with);
    } catch (const Error &error) {
        verified.result = Verified::Result::unreadable;
        verified.error = error.what();
        return verified;
    }
    std::vector<BackupCopy> copies = plan.copies;
    if (copies.empty())
        copies.push_back({"primary", "", plan.location, plan.manifest_location});
    verified.copies = copies.size();
    for (const BackupCopy &copy : copies) {
        auto [result, error] = verify_copy(plan, copy, copies.size() > 1, catalog, connection);
        verified.result = std::max(verified.result, result);
        if (!error.empty())
            verified.error += (verified.error.empty() ? "" : "\n") + error;
    }
    return verified;
}

// What was checked of an encrypted backup.
std::string encryption_note(const BackupPlan &plan)
{
    if (!plan.backup.is_encrypted())
        return "";
    if (plan.decryption)
        return "; encrypted, decrypted and decompressed";
    return "; encrypted: checksum and manifest checked, not decrypted (--decrypt does)";
}

// How many places were checked, when there are more than one.
std::string copies_note(const Verified &verified)
{
    return verified.copies > 1 ? "; all " + std::to_string(verified.copies) + " copies intact" : "";
}

const char *result_name(Verified::Result result)
{
    switch (result) {
    case Verified::Result::intact:
        return "intact";
    case Verified::Result::damaged:
        return "damaged";
    case Verified::Result::unreadable:
        return "unreadable";
    }
    return "unknown";
}

Json verified_json(const Verified &verified)
{
    const BackupDescription &backup = verified.plan.backup;
    return {{"id", backup.id},
            {"database", backup.is_roles() ? Json(nullptr) : Json(backup.database)},
            {"result", result_name(verified.result)},
            {"sha256", backup.sha256},
            {"size", backup.size},
            {"encrypted_to", backup.encrypted_to},
            {"decrypted", verified.plan.decryption.has_value()},
            {"error", verified.error.empty() ? Json(nullptr) : Json(verified.error)},
            {"copies", verified.copies}};
}

// What --all verifies, oldest first: every completed backup in the catalog (each plan read when
// its turn comes), or every backup whose manifest is in the --from storage (listed once).
std::vector<std::function<BackupPlan()>> every_backup(const BackupSelector &selector,
                                                      std::optional<Connection> &catalog,
                                                      const ConnectionOptions &connection)
{
    std::vector<std::function<BackupPlan()>> plans;
    if (selector.from_storage) {
        std::shared_ptr<Storage> storage = open_from_storage(*selector.from_storage, selector.s3);
        std::vector<StoredBackup> stored = backups_in(*storage);
        std::sort(stored.begin(), stored.end(), [](const StoredBackup &a, const StoredBackup &b) {
            return a.manifest.id < b.manifest.id;
        });
        for (const StoredBackup &backup : stored)
            plans.push_back([storage, backup, &connection] {
                return plan_of_stored(*storage, backup, connection.catalog_database);
            });
        return plans;
    }
    Connection &connected = catalog.emplace(connection, connection.catalog_database);
    QueryResult result = connected.query(connected.with_extension_schema(
        "SELECT id FROM @extschema@.lokbackup_backups WHERE status = 'completed' ORDER BY id"));
    for (int row = 0; row < result.rows(); ++row)
        plans.push_back([&, id = result.value(row, 0)] {
            BackupSelector one = selector;
            one.which = id;
            return selected_backup(one, catalog, connection);
        });
    return plans;
}

int verify(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = selector_option_specs();
    options.push_back({"all", 0, false});
    options.push_back({"json", 0, false});
    options.push_back({"decrypt", 0, false});
    for (const auto &specs : {ConnectionOptions::specs(), decryption_option_specs()})
        options.insert(options.end(), specs.begin(), specs.end());
    Arguments arguments("verify", options, argument_list);
    bool all = arguments.flag("all");
    bool json = arguments.flag("json");
    const Arguments *decrypt_with = arguments.flag("decrypt") ? &arguments : nullptr;
    ConnectionOptions connection = ConnectionOptions::from(arguments);
    std::optional<Connection> catalog;

    if (!all) {
        Verified verified =
            verify_backup(selected_backup(BackupSelector::from(arguments), catalog, connection),
                          catalog, connection, decrypt_with);
        if (json)
            std::cout << json_text("verify summary", verified_json(verified), 2) << "\n";
        if (verified.result == Verified::Result::damaged)
            throw BackupDamaged(verified.error);
        if (verified.result == Verified::Result::unreadable)
            throw Error(verified.error);
        if (!json)
            std::cout << "backup " << verified.plan.backup.id << ": OK (sha256 "
                      << verified.plan.backup.sha256 << ", " << verified.plan.backup.size
                      << " bytes" << encryption_note(verified.plan) << copies_note(verified)
                      << ")\n";
        return exit_success;
    }

    arguments.expect_positionals(0, "no backup: --all verifies every one");
    if (arguments.value("database") || arguments.value("sha256"))
        throw UsageError("--all verifies every backup: --database and --sha256 choose one");
    BackupSelector selector{"", std::nullopt, arguments.value("from"), std::nullopt,
                            s3_options_from(arguments)};
    Json results = Json::array();
    int damaged = 0, unreadable = 0;
    for (const auto &plan : every_backup(selector, catalog, connection)) {
        Verified verified = verify_backup(plan(), catalog, connection, decrypt_with);
        std::int64_t id = verified.plan.backup.id;
        damaged += verified.result == Verified::Result::damaged;
        unreadable += verified.result == Verified::Result::unreadable;
        if (json)
            results.push_back(verified_json(verified));
        else if (verified.result == Verified::Result::intact)
            std::cout << "backup " << id << ": OK" << encryption_note(verified.plan)
                      << copies_note(verified) << "\n";
        else
            std::cout << "backup " << id << ": " << result_name(verified.result) << ": "
                      << verified.error << "\n";
    }
    int intact = static_cast<int>(results.size()) - damaged - unreadable;
    if (json)
        std::cout << json_text("verify summary",
                               Json{{"intact", intact},
                                    {"damaged", damaged},
                                    {"unreadable", unreadable},
                                    {"backups", results}},
                               2)
                  << "\n";
    else
        std::cout << damaged << " damaged, " << unreadable << " could not be read\n";
    if (damaged > 0)
        return exit_backup_damaged;
    return unreadable > 0 ? exit_failure : exit_success;
}

} // namespace

const Command verify_command = {
    "verify", "check that a backup is intact", help, verify, nullptr, true, true};

} // namespace lokbackup::cli
