// lokbackup restore-pitr: a base backup unpacked into a new data directory, set up to recover
// from the WAL archive to a point.
#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/restore/backup_plan.hpp"
#include "cli/restore/base_backup_source.hpp"
#include "cli/restore/data_directory.hpp"
#include "cli/restore/decryption_keys.hpp"
#include "cli/restore/progress_display.hpp"
#include "core/base/error.hpp"
#include "core/base/human_units.hpp"
#include "core/s3/credentials_file.hpp"
#include "core/wal/recovery_settings.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace lokbackup::cli
{

namespace
{

namespace fs = std::filesystem;

const char *const help = R"(lokbackup restore-pitr: restore the cluster to a point in time

Usage:
  lokbackup restore-pitr --pgdata DIR (--target-time TIME | --target-lsn LSN | --target latest)
                         [OPTION]...

Chooses the newest completed base backup that ends before the target (from the catalog, or
with --from from the manifests in storage), unpacks it into DIR (a new or empty directory, made
0700) after checking its size and SHA-256, and sets DIR up to recover from the WAL archive:
restore_command runs "lokbackup wal-fetch", which checks each WAL file's SHA-256 before the
server sees it; recovery_target_time or recovery_target_lsn (none for latest),
recovery_target_timeline = 'latest' and recovery_target_action in postgresql.auto.conf, and
recovery.signal. Then start the server on DIR (pg_ctl -D DIR start, on a free port): it replays
the archived WAL up to the target. Nothing is started by this command.

Options:
  --pgdata DIR                the data directory to create (it must not exist, or be empty)
  --target-time TIME          recover up to this time, with its zone: "2026-12-03 21:40:00+01",
                              "2026-12-03T20:40:00.25Z"; transactions that committed at or
                              before it are kept
  --target-lsn LSN            recover up to this WAL position (16/B374D848)
  --target latest             recover every archived transaction
  --target-action ACTION      at the target: promote (the default: the server opens for
                              writes on a new timeline), pause (read-only, to inspect; then
                              pg_wal_replay_resume() promotes) or shutdown
  --from STORAGE              find the base backup in the manifests in STORAGE (a directory or
                              s3://bucket/prefix) instead of the catalog; the WAL is read from
                              there too
  --s3-endpoint URL, --s3-region REGION, --s3-path-style
                              for --from s3://...; S3 keys come from AWS_ACCESS_KEY_ID,
                              AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and are written for
                              wal-fetch into DIR/lokbackup-wal-fetch.env (0600), removed by
                              recovery_end_command when recovery ends
  -i, --identity FILE         for an encrypted backup and archive: an age identity file (may be
                              given more than once); wal-fetch is told its path
  --passphrase-file FILE      for a backup and archive encrypted with a passphrase

)";

const char *const credentials_file_name = "lokbackup-wal-fetch.env";

RecoveryTarget target_from(const Arguments &arguments)
{
    std::optional<std::string> time = arguments.value("target-time");
    std::optional<std::string> lsn = arguments.value("target-lsn");
    std::optional<std::string> latest = arguments.value("target");
    if (time.has_value() + lsn.has_value() + latest.has_value() != 1)
        throw UsageError("give exactly one target: --target-time TIME, --target-lsn LSN or "
                         "--target latest");
    try {
        if (time)
            return recovery_target_time(*time);
        if (lsn)
            return recovery_target_lsn(*lsn);
    } catch (const InvalidValue &invalid) {
        throw UsageError(invalid.what());
    }
    if (*latest != "latest")
        throw UsageError("--target \"" + *latest +
                         "\": the only named target is latest (else --target-time or "
                         "--target-lsn)");
    return recovery_target_latest();
}

std::string absolute(const std::string &path)
{
    return fs::absolute(path).lexically_normal().string();
}

// The words of wal-fetch's command line after %f %p: where the archive is, how to read it.
std::vector<std::string> wal_fetch_options(const BaseBackupSource &source,
                                           const Arguments &arguments,
                                           const std::string &credentials_file)
{
    std::vector<std::string> words = {"--from", source.archive};
    if (source.archive.rfind("s3://", 0) == 0) {
        if (!source.archive_s3.endpoint.empty())
            words.insert(words.end(), {"--s3-endpoint", source.archive_s3.endpoint});
        words.insert(words.end(), {"--s3-region", source.archive_s3.region});
        if (source.archive_s3.path_style)
            words.push_back("--s3-path-style");
    }
    if (!credentials_file.empty())
        words.insert(words.end(), {"--credentials-file", credentials_file});
    DecryptionKeyFiles keys = decryption_key_files(arguments);
    for (const std::string &identity : keys.identity_files)
        words.insert(words.end(), {"--identity", absolute(identity)});
    if (!keys.passphrase_file.empty())
        words.insert(words.end(), {"--passphrase-file", absolute(keys.passphrase_file)});
    return words;
}

void append_file(const fs::path &path, const std::string &text)
{
    std::ofstream file(path, std::ios::app);
    file << text;
    file.close();
    if (!file)
        throw Error("cannot write " + path.string());
}

// Sets the unpacked directory up to recover; returns the restore_command.
std::string write_recovery_settings(const fs::path &directory, const BaseBackupSource &source,
                                    const RecoveryTarget &target, const std::string &action,
                                    const Arguments &arguments)
{
    std::string credentials_file;
    std::string recovery_end_command;
    if (source.archive.rfind("s3://", 0) == 0 && !source.archive_s3.access_key_id.empty()) {
        credentials_file = (directory / credentials_file_name).string();
        write_s3_credentials_file(credentials_file, source.archive_s3);
        recovery_end_command = archive_command_line({"rm", "-f", credentials_file}, 0, {});
    }
    std::error_code ignored;
    fs::path program = fs::read_symlink("/proc/self/exe", ignored);
    std::vector<std::string> words = {program.string(), "wal-fetch"};
    for (const std::string &word : wal_fetch_options(source, arguments, credentials_file))
        words.push_back(word);
    std::string restore_command = archive_command_line(words, 2, {"%f", "%p"});
    append_file(directory / "postgresql.auto.conf",
                recovery_settings(restore_command, target, action, recovery_end_command));
    append_file(directory / "recovery.signal", "");
    // A base backup holds neither, but a copy of a stopped server's directory might.
    fs::remove(directory / "postmaster.pid", ignored);
    fs::remove(directory / "postmaster.opts", ignored);
    return restore_command;
}

int restore_pitr(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {
        {"pgdata", 'D', true},    {"target-time", 0, true},   {"target-lsn", 0, true},
        {"target", 0, true},      {"target-action", 0, true}, {"from", 0, true},
        {"s3-endpoint", 0, true}, {"s3-region", 0, true},     {"s3-path-style", 0, false}};
    for (const auto &specs : {ConnectionOptions::specs(), decryption_option_specs()})
        options.insert(options.end(), specs.begin(), specs.end());
    Arguments arguments("restore-pitr", options, argument_list);
    arguments.expect_positionals(0, "no argument: the options say what to restore where");
    std::optional<std::string> pgdata = arguments.value("pgdata");
    if (!pgdata || pgdata->empty())
        throw UsageError("--pgdata is required: the new data directory to restore into");
    RecoveryTarget target = target_from(arguments);
    std::string action;
    try {
        action = recovery_target_action(arguments.value("target-action").value_or("promote"));
    } catch (const InvalidValue &invalid) {
        throw UsageError(invalid.what());
    }
    fs::path directory = absolute(*pgdata);
    check_new_data_directory(directory.string());

    ConnectionOptions connection = ConnectionOptions::from(arguments);
    BaseBackupSource source;
    {
        std::optional<Connection> catalog;
        source =
            find_base_backup(target, arguments.value("from"), s3_options_from(arguments),
                             connection.catalog_database, [&]() -> Connection & {
                                 return catalog.emplace(connection, connection.catalog_database);
                             });
    }
    load_decryption_keys(source.plan, arguments);
    const BackupDescription &backup = source.plan.backup;
    std::cout << "base backup " << backup.id << " (finished " << backup.finished_at << ", timeline "
              << source.wal_range.timeline << ", WAL from " << source.wal_range.start_lsn << " to "
              << source.wal_range.stop_lsn << ", " << pretty_size(backup.size)
              << ") for a recovery to " << target.describe() << "\n";
    {
        ProgressDisplay progress(backup.size);
        unpack_base_backup(source.plan, directory.string(),
                           [&](std::uint64_t done) { progress.update("unpacking", done); });
    }
    std::string restore_command;
    try {
        restore_command = write_recovery_settings(directory, source, target, action, arguments);
    } catch (const Error &error) {
        throw Error(error.what() + std::string("; the unpacked base backup is in ") +
                    directory.string() + ", without complete recovery settings: remove it");
    }
    std::cout << "unpacked into " << directory.string() << "; checksum verified\n"
              << "recovery settings appended to " << (directory / "postgresql.auto.conf").string()
              << ":\n  restore_command = " << conf_quoted(restore_command) << "\n"
              << (target.kind == RecoveryTarget::Kind::latest
                      ? "  (no target: every archived WAL file is replayed)\n"
                      : "  target: " + target.describe() + ", then " + action + "\n")
              << "\nNext:\n"
              << "  pg_ctl -D " << shell_quoted(directory.string())
              << " -o '-p 5433' -l recovery.log start\n"
              << "    (another port than a server running on this machine: a clash stops the "
                 "start;\n     check the settings it brought from the backed-up server too: "
                 "archive_mode, ports, paths)\n"
              << "  the server log says \"recovery stopping before ...\" or \"archive recovery "
                 "complete\";\n  a FATAL \"could not restore file\" with lokbackup wal-fetch's "
                 "message means the archive is damaged:\n  recovery stopped there rather than "
                 "lose what follows\n"
              << "  SELECT pg_is_in_recovery(); once false (promote), the server takes writes "
                 "on a new timeline\n";
    return exit_success;
}

} // namespace

const Command restore_pitr_command = {
    "restore-pitr", "restore the cluster to a point in time (base backup + WAL)",
    help,           restore_pitr,
    nullptr,        true,
    false};

} // namespace lokbackup::cli
