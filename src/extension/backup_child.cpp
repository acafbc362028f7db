#include "extension/backup_child.hpp"

extern "C" {
#include "miscadmin.h"
}

#include "core/backup_request.hpp"
#include "core/process.hpp"
#include "extension/boundary.hpp"
#include "extension/storage_bridge.hpp"

#include <csignal>
#include <optional>

namespace lokbackup::pg
{

// The running children by slot. A global, not a frame's local: an ereport never skips its
// destructors. Only core_call() lambdas and noexcept calls touch it.
static std::optional<Process> children[max_backup_children];

char *server_bin_directory()
{
    char *directory = pstrdup(my_exec_path);
    get_parent_directory(directory);
    return directory;
}

static std::string request_json(const ChildRequest &request)
{
    const StartedBackup &backup = *request.backup;
    BackupRequest json;
    json.id = request.id;
    json.database = backup.database ? backup.database : "";
    json.connect_database = request.connect_database;
    json.type = backup.type;
    json.object_key = backup.object_key;
    json.storage = request.storage;
    json.s3 = s3_options(); // the keys travel on the child's stdin, never in its argv
    json.format = parse_dump_format(backup.format);
    json.compression = parse_compression(backup.compression);
    json.compression_level = backup.compression_level;
    json.pg_bin_dir = request.pg_bin_dir;
    json.socket_dir = request.socket_dir;
    json.port = request.port;
    json.user = request.user;
    json.started_at = backup.started_at;
    json.server_version = PG_VERSION;
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
        spec.own_process_group = true;
        spec.die_with_parent = true;
        child.emplace(Process::spawn(spec));
        std::string json = request_json(request);
        write_all(child->stdin_fd(), json.data(), json.size());
        child->close_stdin();
        return child->stdout_fd();
    });
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
            break;
        case BackupEvent::Kind::completed:
            event.kind = ChildEventKind::completed;
            event.sha256 = palloc_string(parsed.sha256);
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
    for (int slot = 0; slot < max_backup_children; slot++)
        wait_backup_child(slot);
}

} // namespace lokbackup::pg
