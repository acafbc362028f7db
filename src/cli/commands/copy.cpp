// lokbackup copy: fills the second destination (lokbackup.storage_copy) with the completed backups
// that have no copy there yet, such as those made before it was set.
#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/restore/backup_plan.hpp"
#include "cli/restore/object_source.hpp"
#include "core/base/error.hpp"
#include "core/s3/credentials_file.hpp"
#include "core/storage/checked_copy.hpp"
#include "core/storage/object_key.hpp"
#include "core/storage/small_object.hpp"

#include <iostream>
#include <map>

namespace lokbackup::cli
{

namespace
{

const char *const help = R"(lokbackup copy: copy the backups that the second destination lacks

Usage:
  lokbackup copy [OPTION]...

Copies each completed backup that has no completed copy in the server's second destination
(lokbackup.storage_copy), oldest first: the stored bytes of its primary object as they are, checked
on the way against the size and SHA-256 that the catalog recorded, and its manifest beside them;
then the catalog records the copy (lokbackup_record_copy()), which restores and verify use from
then on. An object whose size or checksum differs is not copied (nothing of it stays in the
destination), and the others still are. Prints one line per backup. Run it as the server's
operating-system user when the destination is a directory, so that the server can remove the
copies of the backups it rotates. Exit status: 0 every backup copied, 3 a primary object is
damaged, 1 another failure.

Options:
  --to STORAGE                the destination: must be the server's lokbackup.storage_copy
                              (the default), as the server must reach every copy it records
  --since TIME                only the backups finished at TIME or later (a date or a
                              timestamp, such as 2026-11-25 or "2026-11-25 03:00+00")
  --s3-endpoint URL           how this program reaches an S3 destination (default: the
                              server's lokbackup.storage_copy_s3_endpoint)
  --s3-region REGION          S3 region (default: lokbackup.storage_copy_s3_region)
  --s3-path-style             path-style S3 addressing (default:
                              lokbackup.storage_copy_s3_path_style)
  --credentials-file FILE     S3 keys as KEY=VALUE lines (AWS_ACCESS_KEY_ID,
                              AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); the file must be its
                              owner's alone (0600); its keys take precedence over the AWS_*
                              variables, which are read otherwise

)";

// The server's settings of the second destination, and the S3 options it shares with the
// primary, by name.
std::map<std::string, std::string> server_settings(Connection &catalog)
{
    QueryResult rows = catalog.query(
        "SELECT name, setting FROM pg_catalog.pg_settings WHERE name = ANY ($1::text[])",
        {"{lokbackup.storage_copy,lokbackup.storage_copy_s3_endpoint,"
         "lokbackup.storage_copy_s3_region,lokbackup.storage_copy_s3_path_style,"
         "lokbackup.s3_part_size,lokbackup.s3_max_attempts,lokbackup.s3_retry_deadline,"
         "lokbackup.s3_stall_timeout,lokbackup.s3_storage_class,lokbackup.s3_sse,"
         "lokbackup.s3_sse_kms_key_id}"});
    std::map<std::string, std::string> settings;
    for (int row = 0; row < rows.rows(); ++row)
        settings[rows.value(row, 0)] = rows.value(row, 1);
    return settings;
}

std::string without_trailing_slash(std::string spec)
{
    while (spec.size() > 1 && spec.back() == '/')
        spec.pop_back();
    return spec;
}

// Where the copies go, as the server names it; refuses another place than the server's.
std::string destination_of(const Arguments &arguments,
                           const std::map<std::string, std::string> &settings)
{
    auto found = settings.find("lokbackup.storage_copy");
    if (found == settings.end())
        throw Error("the server has no setting lokbackup.storage_copy: the lokbackup library it "
                    "loaded is older than 0.7.0, which brought the second destination");
    std::string configured = found->second;
    if (configured.empty())
        throw Error("lokbackup.storage_copy is not set: set it to the second destination (a "
                    "directory or s3://bucket/prefix, not lokbackup.storage) and reload the "
                    "server, then run lokbackup copy again");
    std::optional<std::string> to = arguments.value("to");
    if (to && without_trailing_slash(*to) != without_trailing_slash(configured))
        throw UsageError("--to " + *to + " is not the server's lokbackup.storage_copy (" +
                         configured +
                         "): the server must be able to reach every copy it records; leave "
                         "--to out, or set lokbackup.storage_copy to it first");
    return configured;
}

// How this program writes to the destination: the server's options unless the command line
// says otherwise, and the keys from --credentials-file or the AWS_* variables.
S3Options destination_s3(const Arguments &arguments,
                         const std::map<std::string, std::string> &settings)
{
    auto setting = [&](const std::string &name) {
        auto found = settings.find("lokbackup." + name);
        return found == settings.end() ? std::string() : found->second;
    };
    auto number = [&](const std::string &name, int otherwise) {
        std::string value = setting(name);
        return value.empty() ? otherwise : std::stoi(value);
    };
    S3Options s3 = s3_options_from(arguments);
    s3.endpoint = arguments.value("s3-endpoint").value_or(setting("storage_copy_s3_endpoint"));
    s3.region = arguments.value("s3-region").value_or(setting("storage_copy_s3_region"));
    s3.path_style =
        arguments.flag("s3-path-style") || setting("storage_copy_s3_path_style") == "on";
    s3.part_size = static_cast<std::uint64_t>(number("s3_part_size", 32)) * 1024 * 1024;
    s3.max_attempts = number("s3_max_attempts", s3.max_attempts);
    s3.retry_deadline_seconds = number("s3_retry_deadline", s3.retry_deadline_seconds);
    s3.stall_timeout_seconds = number("s3_stall_timeout", s3.stall_timeout_seconds);
    s3.storage_class = setting("s3_storage_class");
    s3.server_side_encryption = setting("s3_sse");
    s3.sse_kms_key_id = setting("s3_sse_kms_key_id");
    if (std::optional<std::string> credentials = arguments.value("credentials-file"))
        read_s3_credentials_file(*credentials, s3);
    // Said here: the S3 driver's own message names the server's settings, which this program
    // never reads (a superuser's secret).
    if (setting("storage_copy").rfind("s3://", 0) == 0 &&
        (s3.access_key_id.empty() || s3.secret_access_key.empty()))
        throw Error("lokbackup copy writes to " + setting("storage_copy") +
                    " with keys of its own: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in "
                    "its environment, or give --credentials-file");
    return s3;
}

// --since as the server reads a timestamptz, checked before anything is copied.
std::optional<std::string> since_option(const Arguments &arguments, Connection &catalog)
{
    std::optional<std::string> since = arguments.value("since");
    if (!since)
        return since;
    try {
        return catalog.query("SELECT $1::timestamptz::text", {since}).value(0, 0);
    } catch (const ServerError &) {
        throw UsageError("--since \"" + *since +
                         "\" is not a time: give a date or a timestamp, such as 2026-11-25 or "
                         "\"2026-11-25 03:00+00\"");
    }
}

// The completed backups without a completed copy in `storage`, oldest first.
QueryResult backups_to_copy(Connection &catalog, const std::string &storage,
                            const std::optional<std::string> &since)
{
    return catalog.query(
        catalog.with_extension_schema(
            "SELECT b.id, b.object_key, b.sha256, b.size FROM @extschema@.lokbackup_backups b "
            "WHERE b.status = 'completed' "
            "AND ($2::timestamptz IS NULL OR b.finished_at >= $2::timestamptz) "
            "AND NOT EXISTS (SELECT 1 FROM @extschema@.lokbackup_copies c "
            "WHERE c.backup_id = b.id AND c.storage = $1::text AND c.status = 'completed') "
            "ORDER BY b.id"),
        {storage, since});
}

// Copies one backup and records the copy; throws what failed, with nothing left in `destination`.
void copy_backup(Connection &catalog, const QueryResult &rows, int row, Storage &destination,
                 const std::map<std::string, std::string> &settings)
{
    CopiedObject expected{rows.value(row, "object_key"), rows.value(row, "sha256"),
                          std::stoull(rows.value(row, "size"))};
    // The primary's, as a restore reads it (lokbackup_copy_locations() puts it first).
    QueryResult primary = catalog.query(
        catalog.with_extension_schema("SELECT location, manifest_location "
                                      "FROM @extschema@.lokbackup_copy_locations($1::bigint) "
                                      "WHERE destination = 'primary'"),
        {rows.value(row, "id")});
    std::string manifest =
        read_small_object(*open_location(primary.value(0, "manifest_location")), "the manifest");
    try {
        copy_checked(*open_location(primary.value(0, "location")), manifest, expected, destination);
    } catch (const BackupDamaged &damaged) {
        throw BackupDamaged("its primary object is damaged: " + std::string(damaged.what()) +
                            "; nothing was copied");
    }
    try {
        catalog.query(
            catalog.with_extension_schema(
                "SELECT @extschema@.lokbackup_record_copy($1::bigint, $2::text, $3::text, "
                "$4::text, $5::boolean, $6::bigint, $7::text)"),
            {rows.value(row, "id"), settings.at("lokbackup.storage_copy"),
             settings.at("lokbackup.storage_copy_s3_endpoint"),
             settings.at("lokbackup.storage_copy_s3_region"),
             settings.at("lokbackup.storage_copy_s3_path_style") == "on" ? "true" : "false",
             rows.value(row, "size"), rows.value(row, "sha256")});
    } catch (const Error &error) {
        // Unrecorded, the copy would be one that no rotation ever removes.
        destination.remove(manifest_key(expected.object_key));
        destination.remove(expected.object_key);
        throw Error("the catalog did not record the copy, which was removed again: " +
                    std::string(error.what()));
    }
}

int copy(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {
        {"to", 0, true},        {"since", 0, true},          {"s3-endpoint", 0, true},
        {"s3-region", 0, true}, {"s3-path-style", 0, false}, {"credentials-file", 0, true}};
    for (const OptionSpec &spec : ConnectionOptions::specs())
        options.push_back(spec);
    Arguments arguments("copy", options, argument_list);
    arguments.expect_positionals(0, "no argument: it copies every backup the destination lacks");
    ConnectionOptions connection = ConnectionOptions::from(arguments);
    Connection catalog(connection, connection.catalog_database);

    std::map<std::string, std::string> settings = server_settings(catalog);
    std::string storage = destination_of(arguments, settings);
    std::optional<std::string> since = since_option(arguments, catalog);
    std::unique_ptr<Storage> destination =
        open_from_storage(storage, destination_s3(arguments, settings));

    QueryResult rows = backups_to_copy(catalog, storage, since);
    int copied = 0, damaged = 0, failed = 0;
    for (int row = 0; row < rows.rows(); ++row) {
        std::string id = rows.value(row, "id");
        try {
            copy_backup(catalog, rows, row, *destination, settings);
            ++copied;
            std::cout << "backup " << id << ": copied to " << destination->describe() << "\n";
        } catch (const BackupDamaged &error) {
            ++damaged;
            std::cout << "backup " << id << ": damaged: " << error.what() << "\n";
        } catch (const Error &error) {
            ++failed;
            std::cout << "backup " << id << ": failed: " << error.what() << "\n";
        }
    }
    std::cout << copied << " copied, " << damaged << " damaged, " << failed << " failed\n";
    if (damaged > 0)
        return exit_backup_damaged;
    return failed > 0 ? exit_failure : exit_success;
}

} // namespace

const Command copy_command = {
    "copy", "copy the backups that the second destination lacks", help, copy, nullptr, true, false};

} // namespace lokbackup::cli
