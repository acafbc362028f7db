// The backup child's end of its pipes, `lokbackup backup-child`: reads the request the worker
// wrote to its stdin, runs the backup pipeline, and writes its events to stdout (the worker's end
// is extension/backup_child_pipe.cpp).
#include "cli/command.hpp"
#include "cli/server_helpers/child_request.hpp"
#include "cli/server_helpers/dump_snapshot.hpp"
#include "cli/restore/object_source.hpp"
#include "cli/options.hpp"
#include "core/pipeline/backup_pipeline.hpp"
#include "core/backup/backup_request.hpp"

#include <iostream>
#include <optional>

namespace lokbackup::cli
{

namespace
{

const char *const help =
    R"(lokbackup backup-child: run one backup for the server's background worker

Usage:
  lokbackup backup-child < REQUEST

Internal: the lokbackup background worker runs this. It reads one backup request (JSON) on
stdin, runs the backup, and writes events, one JSON object a line, on stdout: progress events,
then "completed" or "failed". It exits with 0 when the backup completed.
)";

void emit(const BackupEvent &event)
{
    // One line per flush: the worker reads lines as they come.
    std::cout << backup_event_to_json(event) << "\n" << std::flush;
}

int backup_child(const std::vector<std::string> &argument_list)
{
    BackupRequest request =
        backup_request_from_json(read_child_request("backup-child", argument_list));
    // A database is dumped from a snapshot held open here until the dump is done (the roles dump
    // reads no database; a base backup is the server's own consistent copy).
    std::optional<HeldSnapshot> held;
    if (!request.backup.is_roles() && !request.backup.is_base_backup())
        held.emplace(request);

    // Retried storage requests are logged on stderr, which is the server's log.
    BackupResult result = run_backup(
        request,
        [](const BackupProgress &progress) {
            BackupEvent event;
            event.raw_bytes = progress.raw_bytes;
            event.stored_bytes = progress.stored_bytes;
            event.uploaded_bytes = progress.uploaded_bytes;
            event.waiting_since_ms = progress.waiting_since_ms;
            event.storage_problem = progress.storage_problem;
            emit(event);
        },
        print_storage_log, held ? std::optional<DumpSnapshot>(held->snapshot()) : std::nullopt);

    BackupEvent completed;
    completed.kind = BackupEvent::Kind::completed;
    completed.raw_bytes = result.raw_size;
    completed.stored_bytes = result.size;
    completed.sha256 = result.sha256;
    completed.database_properties = result.database_properties;
    completed.inventory = result.inventory;
    completed.wal_range = result.wal_range;
    completed.copy = result.copy;
    emit(completed);
    return 0;
}

void report_failure(const std::string &message)
{
    BackupEvent failed;
    failed.kind = BackupEvent::Kind::failed;
    failed.error = message;
    emit(failed);
}

} // namespace

const Command backup_child_command = {"backup-child",
                                      "run one backup for the server's background worker "
                                      "(internal)",
                                      help,
                                      backup_child,
                                      report_failure,
                                      false,
                                      false};

} // namespace lokbackup::cli
