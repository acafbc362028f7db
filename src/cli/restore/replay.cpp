#include "cli/restore/replay.hpp"

#include "cli/programs.hpp"
#include "core/base/error.hpp"
#include "core/pipeline/restricted_script.hpp"

namespace lokbackup::cli
{

// A database dump runs in one transaction that commits only
// at its end (a plain script carries its own BEGIN and final COMMIT; pg_restore is told to), and
// run_restore() withholds that end until the object is verified. A roles dump cannot run in one
// transaction: CREATE ROLE fails for every role that exists already, and the ALTER ROLE after it
// must still apply; restore() verifies the object before such a replay starts.
namespace
{

// The psql that replays a script: one that can be restricted, so that no backslash command of
// the object runs (core/pipeline/restricted_script.hpp).
std::string restricting_psql()
{
    std::string psql = find_program("psql");
    ClientVersion version = program_version(psql);
    if (!has_restrict(version))
        throw Error(psql + " is version " + version.text +
                    ", which cannot refuse the backslash commands of a backup object (\\restrict "
                    "came with PostgreSQL 15.14, 16.10, 17.6 and 18); nothing was restored: "
                    "update the PostgreSQL client programs to a current minor release");
    return psql;
}

} // namespace

// pg_restore executes the archive's SQL over its own connection; no part of an archive is a psql
// command, so the custom format needs no restriction.
Replay replay_command(const BackupPlan &plan, const ConnectionOptions &connection,
                      const std::string &target)
{
    Replay replay;
    ProcessSpec &spec = replay.process;
    replay.psql_script = plan.backup.is_roles() || plan.backup.format == DumpFormat::plain;
    if (plan.backup.is_roles())
        spec.argv = {restricting_psql(), "-X", "-q", "-o", "/dev/null"};
    else if (plan.backup.format == DumpFormat::plain)
        spec.argv = {restricting_psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"};
    else // into the database that the restore has just created (cli/restore/restore_flow.hpp)
        spec.argv = {find_program("pg_restore"), "--single-transaction", "--exit-on-error",
                     // An empty -d makes pg_restore connect, to the PGDATABASE below.
                     "-d", ""};
    // Notices would crowd the error out of the stderr tail.
    spec.environment = connection.environment(target, "-c client_min_messages=warning");
    return replay;
}

} // namespace lokbackup::cli
