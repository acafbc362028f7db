// lokbackup wal-fetch: PostgreSQL's restore_command in a point-in-time recovery.
#include "cli/command.hpp"
#include "cli/restore/backup_plan.hpp"
#include "cli/restore/decryption_keys.hpp"
#include "core/base/error.hpp"
#include "core/s3/credentials_file.hpp"
#include "core/wal/wal_fetch.hpp"

#include <iostream>

namespace lokbackup::cli
{

namespace
{

// PostgreSQL ends recovery (and promotes, with the data so far) when restore_command exits with
// a status from 1 to 125, which means "not in the archive"; above 125 (as for a signal) recovery
// stops with a FATAL error instead (xlogarchive.c, wait_result_is_any_signal()). A file that is in
// the archive but cannot be handed over must stop recovery: ending it there would lose every
// transaction after the damage, silently.
constexpr int exit_recovery_must_stop = 200;
constexpr int exit_not_archived = 1;

const char *const help =
    R"(lokbackup wal-fetch: hand one archived WAL file to PostgreSQL, checksum verified

Usage:
  lokbackup wal-fetch FILE PATH --from STORAGE [OPTION]...

The restore_command of a point-in-time recovery, as lokbackup restore-pitr writes it:
  restore_command = '/usr/lib/postgresql/15/bin/lokbackup wal-fetch %f %p --from STORAGE'
Finds the archived object of the WAL file FILE under STORAGE's ~wal/, decrypts and decompresses
it, and writes it to PATH (through a temporary file, fsynced, then renamed) only when its SHA-256
is the one the archive recorded in the object's name.

Exit status: 0 the file is at PATH; 1 the archive has no such file (PostgreSQL asks for files
that need not exist, such as the next timeline's history, and ends recovery at the first segment
that is missing); 200 the file is in the archive but could not be handed over (a checksum
mismatch, an object that does not decrypt or decompress, two different copies, storage that
cannot be read, a wrong command line): a status above 125 makes PostgreSQL stop recovery with a
FATAL error rather than end it there, and the message on stderr goes to the server's log.

Options:
  FILE                        the WAL file's name (%f)
  PATH                        where PostgreSQL wants it (%p)
  --from STORAGE              the storage the server archives to: a directory or
                              s3://bucket/prefix
  --s3-endpoint URL           S3 endpoint (default: AWS_ENDPOINT_URL, else AWS S3)
  --s3-region REGION          S3 region (default: AWS_REGION, else us-east-1)
  --s3-path-style             path-style S3 addressing (endpoint/bucket/key)
  --credentials-file FILE     S3 keys as KEY=VALUE lines (AWS_ACCESS_KEY_ID,
                              AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), for a server whose
                              environment has none; the file must be its owner's alone (0600);
                              its keys take precedence over the AWS_* variables
  -i, --identity FILE         for an encrypted archive: an age identity file (may be given more
                              than once); default: $LOKBACKUP_IDENTITY_FILE
  --passphrase-file FILE      for an archive encrypted with a passphrase; default:
                              $LOKBACKUP_PASSPHRASE_FILE

)";

int fetch(const Arguments &arguments)
{
    arguments.expect_positionals(2, "the WAL file's name and the path to write it to (%f %p)");
    WalFileName file = wal_file_name(arguments.positionals()[0]);
    const std::string &destination = arguments.positionals()[1];
    std::optional<std::string> from = arguments.value("from");
    if (!from)
        throw UsageError("--from is required: the storage the server archives its WAL to");
    S3Options s3 = s3_options_from(arguments);
    if (std::optional<std::string> credentials = arguments.value("credentials-file"))
        read_s3_credentials_file(*credentials, s3);
    std::unique_ptr<Storage> storage = open_from_storage(*from, s3);

    std::optional<ArchivedWalObject> object = find_archived_wal(*storage, file);
    if (!object) {
        std::cerr << "lokbackup wal-fetch: " << file.name << " is not in the archive ("
                  << storage->describe() << ")\n";
        return exit_not_archived;
    }
    std::optional<AgeDecryptionKeys> keys;
    if (object->encrypted)
        keys = decryption_keys(arguments);
    fetch_archived_wal(*storage, *object, destination, keys ? &*keys : nullptr);
    return exit_success;
}

int wal_fetch(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {{"from", 0, true},
                                       {"s3-endpoint", 0, true},
                                       {"s3-region", 0, true},
                                       {"s3-path-style", 0, false},
                                       {"credentials-file", 0, true}};
    for (const OptionSpec &spec : decryption_option_specs())
        options.push_back(spec);
    // Every failure is caught here, a wrong command line too: main() would exit with 1 to 3,
    // which PostgreSQL takes for the end of the archive.
    try {
        return fetch(Arguments("wal-fetch", options, argument_list));
    } catch (const std::exception &error) {
        std::cerr << "lokbackup wal-fetch: error: " << error.what() << "\nlokbackup wal-fetch: "
                  << "exit status " << exit_recovery_must_stop
                  << ", so that PostgreSQL stops recovery rather than end it at this file\n";
        return exit_recovery_must_stop;
    }
}

} // namespace

const Command wal_fetch_command = {
    "wal-fetch", "hand an archived WAL file to PostgreSQL (restore_command)",
    help,        wal_fetch,
    nullptr,     false,
    false};

} // namespace lokbackup::cli
