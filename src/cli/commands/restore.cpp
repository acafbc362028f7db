#include "cli/restore/backup_plan.hpp"
#include "cli/command.hpp"
#include "cli/restore/confirmation.hpp"
#include "cli/restore/copy_choice.hpp"
#include "cli/restore/decryption_keys.hpp"
#include "cli/connection.hpp"
#include "cli/restore/progress_display.hpp"
#include "cli/restore/replay.hpp"
#include "cli/restore/restore_flow.hpp"
#include "core/base/human_units.hpp"
#include "core/base/json_document.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>

namespace lokbackup::cli
{

namespace
{

volatile std::sig_atomic_t interrupting_signal = 0;

void note_signal(int signal)
{
    interrupting_signal = signal;
}

// From the confirmation on, SIGINT and SIGTERM stop the restore at its next progress report
// instead of killing the program, so that the database it created is dropped again and the target
// stays as it was (a killed program would leave its side database behind).
class InterruptsStopTheRestore
{
  public:
    InterruptsStopTheRestore()
    {
        struct sigaction action {
        };
        action.sa_handler = note_signal;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previous_int_);
        sigaction(SIGTERM, &action, &previous_term_);
    }
    ~InterruptsStopTheRestore()
    {
        sigaction(SIGINT, &previous_int_, nullptr);
        sigaction(SIGTERM, &previous_term_, nullptr);
    }
    InterruptsStopTheRestore(const InterruptsStopTheRestore &) = delete;
    InterruptsStopTheRestore &operator=(const InterruptsStopTheRestore &) = delete;

    static void check()
    {
        if (interrupting_signal != 0)
            throw Error(std::string("interrupted by ") +
                        (interrupting_signal == SIGINT ? "SIGINT" : "SIGTERM"));
    }

  private:
    struct sigaction previous_int_ {
    };
    struct sigaction previous_term_ {
    };
};

const char *const help = R"(lokbackup restore: restore a backup into a database, checksum verified

Usage:
  lokbackup restore latest|ID -d TARGET [OPTION]...

First the whole object is read and its size and SHA-256 checked against the backup's record (the
catalog, the manifest with --from, or --sha256): an object that differs, such as one swapped in
storage, is refused before any of its statements runs and before anything is created. Then a
database backup is replayed into a database that the restore creates from template0 with the
encoding, locale, owner, privileges, comment, connection limit and settings that the backup
recorded, in a single transaction that commits only after the whole object was read again and its
size and SHA-256 matched again: a damaged backup restores nothing. An existing TARGET is replaced
only once that has succeeded: the backup is restored into TARGET_restoring_ID first, then TARGET's
sessions are terminated and TARGET is renamed TARGET_before_restore_ID, and the restored database
takes its name. If anything fails, TARGET is as it was and the database created for the restore is
dropped.

A backup with a second destination (lokbackup.storage_copy) has two copies: when the first read
finds the primary object missing, damaged or unreadable, the restore says so and uses the copy
(with --no-verify-first, only when the primary object does not open). Exit status 3 when every
copy is damaged.

Options:
  latest|ID                   the newest backup of --database, or the backup with this id
  --database NAME             the database whose latest backup to restore
  -d, --dbname TARGET         the database to restore into (default for a roles backup: the
                              catalog database)
  --create                    create TARGET when it does not exist
  --yes                       replace an existing TARGET without asking
  --drop-previous             drop the replaced TARGET instead of keeping it as
                              TARGET_before_restore_ID
  --allow-catalog-database    allow TARGET to be the database that holds the lokbackup catalog
  --no-verify-first           skip the first read: replay while the object is read once, which
                              is faster; the commit still waits for its checksum, but the
                              statements of a swapped object run, as the restoring role, before
                              that fails (for storage that no one else can write to; a roles
                              backup is always verified first)
  --json                      print the summary as one JSON object (backup, target, bytes,
                              seconds, the replaced database, warnings, the copy restored from)
  -i, --identity FILE         for an encrypted backup: an age identity file (as age-keygen
                              writes it; may be given more than once); default:
                              $LOKBACKUP_IDENTITY_FILE
  --passphrase-file FILE      for a backup encrypted with a passphrase: the file whose first
                              line it is; default: $LOKBACKUP_PASSPHRASE_FILE

)";

// For scripts: what the text summary says, as one JSON object on stdout (warnings go to stderr
// as well).
void print_summary_json(const BackupPlan &plan, const std::string &target, double seconds,
                        const RestoreOutcome &outcome)
{
    Json summary = {
        {"backup_id", plan.backup.id},
        {"database", plan.backup.is_roles() ? Json(nullptr) : Json(plan.backup.database)},
        {"target", target},
        {"sha256", plan.backup.sha256},
        {"bytes_read", plan.backup.size},
        {"bytes_restored", plan.backup.raw_size},
        {"seconds", seconds},
        {"replaced_database_kept_as",
         outcome.previous.empty() ? Json(nullptr) : Json(outcome.previous)},
        {"warnings", outcome.warnings},
        {"destination", outcome.copy.destination},
        {"storage", outcome.copy.storage.empty() ? Json(nullptr) : Json(outcome.copy.storage)}};
    std::cout << json_text("restore summary", summary, 2) << "\n";
}

int restore(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {{"dbname", 'd', true},
                                       {"create", 0, false},
                                       {"yes", 0, false},
                                       {"drop-previous", 0, false},
                                       {"allow-catalog-database", 0, false},
                                       {"no-verify-first", 0, false},
                                       {"json", 0, false}};
    for (const auto &specs :
         {selector_option_specs(), ConnectionOptions::specs(), decryption_option_specs()})
        options.insert(options.end(), specs.begin(), specs.end());
    Arguments arguments("restore", options, argument_list);
    BackupSelector selector = BackupSelector::from(arguments);
    ConnectionOptions connection = ConnectionOptions::from(arguments);

    // Connected only without --from, and closed before the restore: the target may be the
    // catalog database, which the swap renames.
    BackupPlan plan;
    {
        std::optional<Connection> catalog;
        plan = find_backup(selector, connection.catalog_database, [&]() -> Connection & {
            return catalog.emplace(connection, connection.catalog_database);
        });
    }
    load_decryption_keys(plan, arguments);

    std::optional<std::string> target = arguments.value("dbname");
    if (!target && !plan.backup.is_roles())
        throw UsageError("--dbname is required: name the database to restore into");
    RestoreRequest request{
        plan, target.value_or(plan.catalog_database), arguments.flag("drop-previous"),
        arguments.flag("allow-catalog-database"), !arguments.flag("no-verify-first")};
    RestoreFlow flow(
        request,
        [&](const std::string &database) {
            return std::make_unique<Connection>(connection, database);
        },
        [&](const std::string &database) { return replay_command(plan, connection, database); });
    if (!flow.target_exists() && !arguments.flag("create"))
        throw Error("database \"" + request.target +
                    "\" does not exist; pass --create to create it");
    if (flow.target_exists() && !arguments.flag("yes"))
        confirm_overwrite(request.target, flow.what_happens());

    RestoreOutcome outcome;
    auto started = std::chrono::steady_clock::now();
    {
        InterruptsStopTheRestore interrupts;
        ProgressDisplay progress(plan.backup.size);
        outcome = flow.run([&](RestoreStep step, std::uint64_t done) {
            InterruptsStopTheRestore::check();
            progress.update(restore_step_name(step), done);
        });
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (const std::string &warning : outcome.warnings)
        std::cerr << "lokbackup: warning: " << warning << "\n";
    if (outcome.copies > 1)
        std::cerr << "lokbackup: restored from " << describe_copy(outcome.copy) << "\n";
    if (arguments.flag("json")) {
        print_summary_json(plan, request.target, seconds, outcome);
        return 0;
    }
    std::cout
        << "restored " << describe_backup(plan) << " into database \"" << request.target << "\" in "
        << pretty_duration(seconds) << " (" << pretty_size(plan.backup.size) << " read, "
        << pretty_size(static_cast<std::uint64_t>(plan.backup.size / std::max(seconds, 0.001)))
        << "/s); checksum verified"
        << (flow.verifies_first() ? " before the replay and again at its commit" : " at the commit")
        << "\n";
    if (!outcome.previous.empty())
        std::cout << "the database it replaced is kept as \"" << outcome.previous << "\"\n";
    return 0;
}

} // namespace

const Command restore_command = {
    "restore", "restore a backup into a database, checksum verified", help, restore, nullptr, true,
    true};

} // namespace lokbackup::cli
