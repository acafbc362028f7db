#include "cli/replay.hpp"

#include "cli/programs.hpp"

namespace lokbackup::cli
{

// A database dump runs in one transaction that commits only
// at its end (a plain script carries its own BEGIN and final COMMIT; pg_restore is told to), and
// run_restore() withholds that end until the object is verified. A roles dump cannot run in one
// transaction: CREATE ROLE fails for every role that exists already, and the ALTER ROLE after it
// must still apply; restore() verifies the object before such a replay starts.
ProcessSpec replay_command(const BackupPlan &plan, const ConnectionOptions &connection,
                           const std::string &target)
{
    ProcessSpec spec;
    if (plan.is_roles())
        spec.argv = {find_program("psql"), "-X", "-q", "-o", "/dev/null"};
    else if (plan.format == DumpFormat::plain)
        spec.argv = {find_program("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"};
    else // --clean, as the plain dump has it built in: both replace what the target holds
        spec.argv = {find_program("pg_restore"), "--single-transaction", "--exit-on-error",
                     "--clean", "--if-exists",
                     // An empty -d makes pg_restore connect, to the PGDATABASE below.
                     "-d", ""};
    // Notices (such as those of DROP ... IF EXISTS) would crowd the error out of the stderr tail.
    spec.environment = connection.environment(target, "-c client_min_messages=warning");
    return spec;
}

} // namespace lokbackup::cli
