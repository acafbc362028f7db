#include "cli/programs.hpp"

#include "core/error.hpp"

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <unistd.h>

namespace lokbackup::cli
{

namespace
{

namespace fs = std::filesystem;

bool is_executable(const fs::path &path)
{
    std::error_code ignored;
    return fs::is_regular_file(path, ignored) && access(path.c_str(), X_OK) == 0;
}

} // namespace

std::string find_program(const std::string &name)
{
    std::error_code unknown;
    fs::path own_directory = fs::read_symlink("/proc/self/exe", unknown).parent_path();
    if (!unknown && is_executable(own_directory / name))
        return (own_directory / name).string();

    const char *search_path = std::getenv("PATH");
    std::istringstream directories(search_path ? search_path : "");
    for (std::string directory; std::getline(directories, directory, ':');) {
        fs::path candidate = fs::path(directory.empty() ? "." : directory) / name;
        if (is_executable(candidate))
            return candidate.string();
    }
    throw Error("cannot find " + name + " next to lokbackup (in " + own_directory.string() +
                ") or on PATH; install the PostgreSQL client programs of the server's version");
}

} // namespace lokbackup::cli
