#include "cli/programs.hpp"

#include "core/base/error.hpp"
#include "core/base/process.hpp"

#include <cerrno>
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

ClientVersion program_version(const std::string &program)
{
    ProcessSpec spec;
    spec.argv = {program, "--version"};
    spec.pipe_stdout = true;
    Process process = Process::spawn(spec);
    std::string output;
    char buffer[512];
    for (ssize_t got; (got = read(process.stdout_fd(), buffer, sizeof buffer)) != 0;) {
        if (got > 0 && output.size() < 4096)
            output.append(buffer, static_cast<std::size_t>(got));
        else if (got < 0 && errno != EINTR)
            break;
    }
    ExitStatus status = process.wait();
    if (!status.success())
        throw Error(program + " --version " + status.describe());
    return parse_client_version(output);
}

} // namespace lokbackup::cli
