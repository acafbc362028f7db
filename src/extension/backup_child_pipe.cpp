#include "extension/backup_child_pipe.hpp"

extern "C" {
#include "access/xlog.h"
#include "utils/timestamp.h"
#include "miscadmin.h"
#include "postmaster/postmaster.h"
#include "utils/varlena.h"
}

#include "core/backup/backup_request.hpp"
#include "core/base/log_lines.hpp"
#include "core/base/process.hpp"
#include "core/base/text.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <optional>
#include <unistd.h>

namespace lokbackup::pg
{

// The running children by slot. A global, not a frame's local: an ereport never skips its
// destructors. Only core_call() lambdas and noexcept calls touch it.
static std::optional<Process> children[max_backup_children];

// The stderr of each child, and of the pg_dump under it, read by the worker so that every line
// reaches the server log through ereport (with log_line_prefix), not straight from the pipe.
struct ChildStderr {
    int fd = -1; // non-blocking; -1 once closed
    std::optional<LogLines> lines;
    std::vector<std::string> ready; // lines read, not yet handed to the worker
};
static ChildStderr child_stderr[max_backup_children];

// Per backup: lines of up to 1000 bytes, 100 lines; enough for pg_dump's explanation of a failure.
constexpr std::size_t stderr_line_bytes = 1000;
constexpr std::size_t stderr_lines = 100;

static void close_child_stderr(int slot) noexcept
{
    ChildStderr &stderr_of = child_stderr[slot];
    if (stderr_of.fd >= 0)
        close(stderr_of.fd);
    stderr_of.fd = -1;
}

char *server_bin_directory()
{
    char *directory = pstrdup(my_exec_path);
    get_parent_directory(directory);
    return directory;
}

char *first_socket_directory()
{
    char *copy = pstrdup(Unix_socket_directories);
    List *directories = NIL;
    if (!SplitDirectoriesString(copy, ',', &directories) || directories == NIL)
        ereport(ERROR, (errcode(ERRCODE_CONFIG_FILE_ERROR),
                        errmsg("lokbackup needs a Unix socket: unix_socket_directories is empty"),
                        errhint("pg_dump connects over the server's own Unix socket; set "
                                "unix_socket_directories.")));
    return static_cast<char *>(linitial(directories));
}

static std::string request_json(const ChildRequest &request)
{
    const StartedBackup &row = *request.backup;
    BackupRequest json;
    BackupDescription &backup = json.backup;
    backup.id = request.id;
    backup.database = row.database ? row.database : "";
    backup.type = parse_backup_type(row.type);
    backup.object_key = row.object_key;
    backup.format = parse_dump_format(row.format);
    backup.compression = parse_compression(row.compression);
    backup.compression_level = row.compression_level;
    backup.started_at = row.started_at;
    backup.server_version = PG_VERSION;
    // Whom the row says the object is encrypted to; the child refuses keys that differ, should
    // the settings have changed since the run's rows were made.
    if (row.encrypted_to != nullptr)
        backup.encrypted_to = split_list(row.encrypted_to, ',');
    json.encryption = encryption_settings();
    json.connect_database = request.connect_database;
    json.storage = row.storage.spec;   // the row's: the backup is written where its row says
    json.s3 = s3_options(row.storage); // the keys travel on the child's stdin, never in argv
    if (request.copy != nullptr)
        json.copy = StorageCopyRequest{request.copy->spec, s3_options(*request.copy),
                                       request.copy_required};
    json.pg_bin_dir = request.pg_bin_dir;
    json.socket_dir = request.socket_dir;
    json.port = request.port;
    json.user = request.user;
    json.wal_segment_size = static_cast<std::uint64_t>(wal_segment_size);
    return backup_request_to_json(json);
}

int start_backup_child(int slot, const char *program, const ChildRequest &request)
{
    return core_call([&] {
        std::optional<Process> &child = children[slot];
        ProcessSpec spec;
        spec.argv = {program, "backup-child"};
        spec.pipe_stdin = true;
        spec.pipe_stdout = true;
        spec.pipe_stderr = true;
        spec.own_process_group = true;
        spec.die_with_parent = true;
        child.emplace(Process::spawn(spec));
        close_child_stderr(slot);
        child_stderr[slot].fd = child->take_stderr();
        child_stderr[slot].lines.emplace(stderr_line_bytes, stderr_lines);
        fcntl(child_stderr[slot].fd, F_SETFL, fcntl(child_stderr[slot].fd, F_GETFL) | O_NONBLOCK);
        std::string json = request_json(request);
        write_all(child->stdin_fd(), json.data(), json.size());
        child->close_stdin();
        return child->stdout_fd();
    });
}

int backup_child_stderr_fd(int slot)
{
    return child_stderr[slot].fd;
}

List *read_backup_child_stderr(int slot, bool to_end)
{
    ChildStderr &stderr_of = child_stderr[slot];
    auto keep = [&](std::vector<std::string> lines) {
        for (std::string &line : lines)
            stderr_of.ready.push_back(std::move(line));
    };
    core_call([&] {
        bool at_end = false;
        char chunk[4096];
        while (stderr_of.fd >= 0) {
            ssize_t got = read(stderr_of.fd, chunk, sizeof chunk);
            if (got < 0 && errno == EINTR)
                continue;
            // EAGAIN: nothing more for now. After the child ended, only a process it left behind
            // can still hold the pipe: what that writes is not waited for.
            if (got < 0) {
                at_end = to_end || errno != EAGAIN;
                break;
            }
            if (got == 0) {
                at_end = true;
                break;
            }
            keep(stderr_of.lines->feed(chunk, static_cast<std::size_t>(got)));
            if (!to_end)
                break;
        }
        if (at_end && stderr_of.lines) {
            close_child_stderr(slot);
            keep(stderr_of.lines->finish());
            stderr_of.lines.reset();
        }
    });
    List *lines = NIL;
    for (const std::string &line : stderr_of.ready)
        lines = lappend(lines, pstrdup(line.c_str()));
    stderr_of.ready.clear();
    return lines;
}

ChildEvent parse_child_event(const char *line)
{
    return core_call([&] {
        BackupEvent parsed = backup_event_from_json(line);
        ChildEvent event{};
        event.raw_bytes = parsed.raw_bytes;
        event.stored_bytes = parsed.stored_bytes;
        switch (parsed.kind) {
        case BackupEvent::Kind::progress:
            event.kind = ChildEventKind::progress;
            event.uploaded_bytes = parsed.uploaded_bytes;
            if (parsed.waiting_since_ms > 0)
                event.waiting_since = time_t_to_timestamptz(parsed.waiting_since_ms / 1000) +
                                      parsed.waiting_since_ms % 1000 * 1000;
            if (!parsed.storage_problem.empty())
                event.storage_problem = palloc_string(parsed.storage_problem);
            break;
        case BackupEvent::Kind::completed:
            event.kind = ChildEventKind::completed;
            event.sha256 = palloc_string(parsed.sha256);
            if (parsed.database_properties)
                event.database_properties =
                    palloc_string(database_properties_to_json(*parsed.database_properties).dump());
            if (parsed.inventory)
                event.inventory = palloc_string(dump_inventory_to_json(*parsed.inventory).dump());
            if (parsed.wal_range) {
                const WalRange &range = *parsed.wal_range;
                event.wal_range = WalRangeColumns{
                    static_cast<int32>(range.timeline), palloc_string(range.start_lsn),
                    palloc_string(range.stop_lsn), palloc_string(range.start_wal_file)};
            }
            if (parsed.copy) {
                event.copy_reported = true;
                event.copy_stored = parsed.copy->stored;
                if (!parsed.copy->stored)
                    event.copy_error = palloc_string(parsed.copy->error);
            }
            break;
        case BackupEvent::Kind::failed:
            event.kind = ChildEventKind::failed;
            event.error = palloc_string(parsed.error);
            break;
        }
        return event;
    });
}

char *backup_session_name(int64 id)
{
    return core_call([&] { return palloc_string(backup_application_name(id)); });
}

void kill_backup_child(int slot)
{
    if (children[slot])
        children[slot]->kill_group(SIGKILL);
}

char *wait_backup_child(int slot)
{
    return core_call([&]() -> char * {
        std::optional<Process> &child = children[slot];
        if (!child)
            return nullptr;
        ExitStatus status = child->wait();
        child.reset();
        return status.success() ? nullptr : palloc_string(status.describe());
    });
}

void kill_backup_children()
{
    for (int slot = 0; slot < max_backup_children; slot++)
        kill_backup_child(slot);
}

void end_backup_children()
{
    kill_backup_children();
    for (int slot = 0; slot < max_backup_children; slot++) {
        wait_backup_child(slot);
        close_child_stderr(slot);
    }
}

} // namespace lokbackup::pg
