#include "extension/wal_archive_child.hpp"

extern "C" {
#include "miscadmin.h"
}

#include "core/base/process.hpp"
#include "core/storage/open_storage.hpp"
#include "core/wal/wal_archive_protocol.hpp"
#include "extension/backup_child_pipe.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"
#include "extension/wal_archive_status.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <optional>
#include <string>
#include <unistd.h>

namespace lokbackup::pg
{

// Globals, not a frame's locals: an ereport never skips their destructors. Only core_call()
// lambdas and noexcept calls touch them.
static std::optional<Process> child;
static std::string child_settings; // what the running child was started with
static std::string unread;         // of the child's stdout, not yet a whole line

// An answer is a line of a few hundred bytes; a child that writes more without a newline is not
// answering.
constexpr std::size_t longest_answer = 64 * 1024;

char *wal_archive_settings()
{
    RowStorage storage = storage_in_force();
    prepare_backup_storage(storage);
    RowStorage copy = storage_copy_in_force();
    if (copy.spec != nullptr && same_place(copy, storage))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("lokbackup.storage_copy (%s) is the place WAL is archived to "
                               "(lokbackup.storage)",
                               copy.spec),
                        errhint("Set it to another directory or bucket, or to '' for no copy, "
                                "and reload the configuration.")));
    const char *compression = compression_setting_name();
    return core_call([&] {
        WalArchiveSettings settings;
        settings.storage = storage.spec;
        check_storage_spec(settings.storage);
        settings.s3 = s3_options(storage);
        settings.compression = parse_compression(compression);
        settings.compression_level = compression_level_setting;
        effective_level(settings.compression, settings.compression_level);
        settings.encryption = encryption_settings();
        encryption_fingerprints(settings.encryption);
        if (copy.spec != nullptr)
            settings.copy =
                StorageCopyRequest{copy.spec, s3_options(copy), storage_copy_required_setting};
        return palloc_string(wal_archive_settings_to_json(settings));
    });
}

void start_wal_archive_child(const char *settings)
{
    // One that ended between two files (killed, out of memory) is replaced before it is asked.
    bool running = core_call([&] { return child && !child->try_wait(); });
    if (running && child_settings == settings)
        return;
    stop_wal_archive_child();
    char *program = psprintf("%s/lokbackup", server_bin_directory());
    int pid = core_call([&] {
        ProcessSpec spec;
        spec.argv = {program, "wal-archive-child"};
        spec.pipe_stdin = true;
        spec.pipe_stdout = true;
        spec.own_process_group = true;
        spec.die_with_parent = true;
        child.emplace(Process::spawn(spec));
        fcntl(child->stdout_fd(), F_SETFL, fcntl(child->stdout_fd(), F_GETFL) | O_NONBLOCK);
        child_settings = settings;
        unread.clear();
        std::string line = child_settings + "\n";
        write_all(child->stdin_fd(), line.data(), line.size(), "the WAL archive child");
        return static_cast<int>(child->pid());
    });
    record_wal_archive_child(pid);
}

int send_wal_archive_request(const char *path, const char *file)
{
    return core_call([&] {
        if (!child)
            throw Error("no WAL archive child runs");
        std::string line = wal_archive_request_to_json({path, file}) + "\n";
        write_all(child->stdin_fd(), line.data(), line.size(), "the WAL archive child");
        return child->stdout_fd();
    });
}

ChildAnswer read_wal_archive_answer(char **line)
{
    return core_call([&] {
        if (!child)
            return ChildAnswer::ended;
        char chunk[4096];
        for (;;) {
            std::size_t newline = unread.find('\n');
            if (newline != std::string::npos) {
                *line = palloc_string(unread.substr(0, newline));
                unread.erase(0, newline + 1);
                return ChildAnswer::answered;
            }
            if (unread.size() > longest_answer)
                throw Error("the WAL archive child wrote more than " +
                            std::to_string(longest_answer) + " bytes without ending its answer");
            ssize_t got = read(child->stdout_fd(), chunk, sizeof chunk);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return ChildAnswer::not_yet;
            if (got < 0)
                throw_system_error("could not read the answer of the WAL archive child");
            if (got == 0)
                return ChildAnswer::ended;
            unread.append(chunk, static_cast<std::size_t>(got));
        }
    });
}

WalArchiveResult parse_wal_archive_answer(const char *line, const char *file)
{
    return core_call([&] {
        WalArchiveAnswer answer = wal_archive_answer_from_json(line);
        // A child that failed before it read the request answers without its name.
        if (!answer.name.empty() && answer.name != file)
            throw Error("the WAL archive child answered about \"" + answer.name +
                        "\" while it was asked to archive \"" + file + "\"");
        WalArchiveResult result{};
        result.archived = answer.ok();
        result.raw_bytes = answer.raw_bytes;
        result.stored_bytes = answer.stored_bytes;
        if (!answer.ok())
            result.error = palloc_string(answer.error);
        if (!answer.copy_error.empty())
            result.copy_error = palloc_string(answer.copy_error);
        return result;
    });
}

void stop_wal_archive_child() noexcept
{
    if (!child)
        return;
    // A child between two files loses nothing; one in the middle of a file leaves an incomplete
    // upload, which is never a complete object (storage.hpp), and the worker's sweep removes.
    child->kill_group(SIGKILL);
    try {
        child->wait();
    } catch (...) {
    }
    child.reset();
    child_settings.clear();
    unread.clear();
    record_wal_archive_child(0);
}

} // namespace lokbackup::pg
