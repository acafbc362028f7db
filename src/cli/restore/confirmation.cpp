#include "cli/restore/confirmation.hpp"

#include "core/base/error.hpp"

#include <chrono>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace lokbackup::cli
{

namespace
{

constexpr int countdown_seconds = 10;

} // namespace

void confirm_overwrite(const std::string &database, const std::string &what_happens)
{
    if (!isatty(STDIN_FILENO))
        throw Error("database \"" + database +
                    "\" exists; pass --yes to overwrite it non-interactively");

    std::cerr << what_happens << "\n"
              << "Type the name of the database to continue: " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer))
        throw Error("no answer was typed; nothing was restored");
    if (answer != database)
        throw Error("\"" + answer + "\" is not \"" + database + "\"; nothing was restored");

    for (int left = countdown_seconds; left > 0; --left) {
        std::cerr << "restoring into database \"" << database << "\" in " << left
                  << (left == 1 ? " second" : " seconds") << " (Ctrl-C aborts)\n";
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

} // namespace lokbackup::cli
