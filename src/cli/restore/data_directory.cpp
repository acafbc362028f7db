#include "cli/restore/data_directory.hpp"

#include "cli/programs.hpp"
#include "cli/restore/object_source.hpp"
#include "core/base/error.hpp"

#include <filesystem>
#include <sys/stat.h>

namespace lokbackup::cli
{

namespace
{

namespace fs = std::filesystem;

// Everything inside `directory`; the directory itself too when `created`. Errors are ignored:
// this runs while another error is on its way to the user.
void remove_unpacked(const fs::path &directory, bool created) noexcept
{
    std::error_code ignored;
    if (created) {
        fs::remove_all(directory, ignored);
        return;
    }
    for (fs::directory_iterator entry(directory, ignored), end; !ignored && entry != end;
         entry.increment(ignored))
        fs::remove_all(entry->path(), ignored);
}

// pg_basebackup writes one tar for the whole cluster only when it has no tablespace; the
// tablespace_map of one would point the restored server at the live server's tablespaces.
void refuse_tablespaces(const fs::path &directory)
{
    std::error_code ignored;
    if (fs::exists(directory / "tablespace_map", ignored) &&
        fs::file_size(directory / "tablespace_map", ignored) > 0)
        throw Error("the base backup has tablespaces (its tablespace_map is not empty), which "
                    "restore-pitr does not restore; nothing was kept");
}

} // namespace

void check_new_data_directory(const std::string &directory)
{
    std::error_code error;
    fs::file_status status = fs::symlink_status(directory, error);
    if (!fs::exists(status))
        return;
    if (!fs::is_directory(status))
        throw Error("--pgdata " + directory +
                    " exists and is not a directory: give a new or empty directory");
    if (!fs::is_empty(directory, error) || error)
        throw Error("--pgdata " + directory +
                    " is not empty: a base backup is unpacked only into a new or empty "
                    "directory; nothing was changed");
}

void unpack_base_backup(const BackupPlan &plan, const std::string &directory,
                        const RestoreProgress &progress)
{
    fs::path path = fs::absolute(directory);
    bool created = !fs::exists(path);
    if (created && ::mkdir(path.c_str(), 0700) != 0)
        throw_system_error("cannot create " + path.string());
    // PostgreSQL refuses a data directory that group or others may write.
    if (!created && ::chmod(path.c_str(), 0700) != 0)
        throw_system_error("cannot set the mode of " + path.string());
    try {
        // GNU tar refuses members with ".." and strips a leading "/"; the files belong to whoever
        // runs the restore, who is to run the server.
        Replay tar;
        tar.process.argv = {find_program("tar"), "--extract", "--file=-",
                            "--directory=" + path.string(), "--no-same-owner"};
        run_restore(*open_location(plan.location), plan.expected(), tar, progress);
        refuse_tablespaces(path);
    } catch (const Error &error) {
        remove_unpacked(path, created);
        throw_like(error, error.what() + std::string("; what was unpacked into ") + path.string() +
                              " was removed");
    }
}

} // namespace lokbackup::cli
