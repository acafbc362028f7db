// `lokbackup wal-retention`: the worker's child that removes the archived WAL that no kept base
// backup needs, and measures what the archive holds then (core/wal/wal_retention_request.hpp).
#include "cli/command.hpp"
#include "cli/server_helpers/child_request.hpp"
#include "cli/restore/object_source.hpp"
#include "core/storage/open_storage.hpp"
#include "core/wal/wal_archive_key.hpp"
#include "core/wal/wal_retention_request.hpp"

#include <iostream>

namespace lokbackup::cli
{

namespace
{

const char *const help =
    R"(lokbackup wal-retention: remove the archived WAL that no kept base backup needs, for the server's background worker

Usage:
  lokbackup wal-retention < REQUEST

Internal: the lokbackup background worker runs this after rotation. It reads one request (JSON)
on stdin, lists ~wal/ in the storage, removes the segments older than the first segment of the
oldest kept base backup (none when there is no such backup; timeline history files always stay),
and writes one line of JSON on stdout: how many objects it removed and what the archive holds then,
or why it failed. It exits with 0 when it succeeded.
)";

void emit(const WalRetentionResult &result)
{
    std::cout << wal_retention_result_to_json(result) << "\n" << std::flush;
}

int retain_wal(const std::vector<std::string> &argument_list)
{
    WalRetentionRequest request =
        wal_retention_request_from_json(read_child_request("wal-retention", argument_list));
    // Retried storage requests are logged on stderr, which is the server's log.
    auto storage =
        open_storage(StorageConfig(request.storage.storage, request.storage.s3, print_storage_log));
    WalRetentionPlan plan =
        plan_wal_retention(storage->list_objects(wal_archive_root), request.keep_from);
    WalRetentionResult result;
    for (const std::string &key : plan.expired) {
        storage->remove(key);
        result.removed++;
    }
    result.ok = true;
    result.kept = plan.kept;
    emit(result);
    return 0;
}

void report_failure(const std::string &message)
{
    WalRetentionResult failed;
    failed.error = message;
    emit(failed);
}

} // namespace

const Command wal_retention_child_command = {"wal-retention",
                                             "remove the archived WAL that no kept base backup "
                                             "needs, for the server's worker (internal)",
                                             help,
                                             retain_wal,
                                             report_failure,
                                             false,
                                             false};

} // namespace lokbackup::cli
