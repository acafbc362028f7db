// The commands of the lokbackup program, as main() dispatches them.
#pragma once

#include <string>
#include <vector>

namespace lokbackup::cli
{

// The exit status, as the README's "Exit status" lists it: 0 when the command did what it was
// asked (verify: the backup is intact).
constexpr int exit_success = 0;
constexpr int exit_failure = 1;        // it could not: the message says why
constexpr int exit_usage = 2;          // the command line is wrong
constexpr int exit_backup_damaged = 3; // the backup is not what was backed up (verify, restore)

struct Command {
    const char *name;
    const char *summary; // one line, for `lokbackup --help`
    const char *help;    // for `lokbackup NAME --help`
    // The arguments after the command's name; returns the exit code.
    int (*run)(const std::vector<std::string> &arguments);
    // Told the message of the error that ended the command, after main() printed it (null: no
    // one else needs to know).
    void (*report_failure)(const std::string &message);
    // Whether it takes the connection options (ConnectionOptions), whose help main() adds.
    bool connects;
    // Whether it takes a backup selector (backup_plan.hpp), whose --from help main() adds.
    bool selects_backup;
};

extern const Command backup_child_command;
extern const Command storage_scan_child_command;
extern const Command wal_retention_child_command;
extern const Command drill_child_command;
extern const Command wal_archive_child_command;
extern const Command restore_command;
extern const Command list_command;
extern const Command verify_command;
extern const Command notify_command;
extern const Command serve_command;
extern const Command restore_pitr_command;
extern const Command wal_fetch_command;
extern const Command copy_command;

} // namespace lokbackup::cli
