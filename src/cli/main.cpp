// The lokbackup program: restore, list and verify backups; and the backup child that the
// server's background worker runs. main() is the one place where errors end up.
#include "cli/restore/backup_plan.hpp"
#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/options.hpp"

#include <algorithm>
#include <exception>
#include <iostream>

namespace
{

using namespace lokbackup::cli;

// Kept equal to default_version in lokbackup.control.
const char *const version = LOKBACKUP_VERSION;

const Command *const commands[] = {&restore_command,
                                   &restore_pitr_command,
                                   &wal_fetch_command,
                                   &list_command,
                                   &verify_command,
                                   &copy_command,
                                   &serve_command,
                                   &backup_child_command,
                                   &storage_scan_child_command,
                                   &drill_child_command,
                                   &notify_command,
                                   &wal_archive_child_command,
                                   &wal_retention_child_command};

void print_overview()
{
    std::cout << "lokbackup: verified backups of PostgreSQL (dumps, base backups, archived WAL), "
                 "made by the server itself\n\n"
                 "Usage:\n  lokbackup COMMAND [OPTION]...\n\nCommands:\n";
    std::size_t width = 0;
    for (const Command *command : commands)
        width = std::max(width, std::string(command->name).size() + 2);
    for (const Command *command : commands)
        std::cout << "  " << command->name
                  << std::string(width - std::string(command->name).size(), ' ') << command->summary
                  << "\n";
    std::cout << "\nlokbackup COMMAND --help (-?) describes a command; lokbackup --version (-V) "
                 "prints the version.\nExit status: 0 done, 1 failed, 2 wrong usage, 3 the backup "
                 "is damaged.\n";
}

std::string command_names()
{
    std::string names;
    for (const Command *command : commands)
        names += (names.empty() ? "" : ", ") + std::string(command->name);
    return names;
}

const Command &find_command(const std::string &name)
{
    for (const Command *command : commands)
        if (name == command->name)
            return *command;
    throw UsageError("unknown command \"" + name + "\" (the commands are " + command_names() + ")");
}

void print_help(const Command &command)
{
    std::cout << command.help;
    if (command.selects_backup)
        std::cout << storage_option_help;
    if (command.connects)
        std::cout << ConnectionOptions::help;
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<std::string> arguments(argv + 1, argv + argc);
    const Command *command = nullptr;
    try {
        if (arguments.empty())
            throw UsageError("no command given (the commands are " + command_names() + ")");
        if (arguments[0] == "--help" || arguments[0] == "-?") {
            print_overview();
            return 0;
        }
        if (arguments[0] == "--version" || arguments[0] == "-V") {
            std::cout << "lokbackup " << version << "\n";
            return 0;
        }
        command = &find_command(arguments[0]);
        arguments.erase(arguments.begin());
        return command->run(arguments);
    } catch (const HelpRequested &) {
        print_help(*command);
        return 0;
    } catch (const UsageError &error) {
        std::cerr << "lokbackup: error: " << error.what() << "\n"
                  << "Try \"lokbackup " << (command ? std::string(command->name) + " " : "")
                  << "--help\".\n";
        return exit_usage;
    } catch (const std::exception &error) {
        // Error above all, but also what the standard library throws (bad_alloc and the like).
        std::cerr << "lokbackup: error: " << error.what() << "\n";
        if (command && command->report_failure)
            command->report_failure(error.what());
        return dynamic_cast<const lokbackup::BackupDamaged *>(&error) ? exit_backup_damaged
                                                                      : exit_failure;
    }
}
