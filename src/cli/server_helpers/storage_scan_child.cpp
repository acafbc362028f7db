#include "cli/command.hpp"
#include "cli/server_helpers/child_request.hpp"
#include "cli/restore/object_source.hpp"
#include "cli/options.hpp"
#include "core/storage/open_storage.hpp"
#include "core/storage/stored_backups.hpp"
#include "core/storage/storage_scan.hpp"

#include <iostream>

namespace lokbackup::cli
{

namespace
{

const char *const help =
    R"(lokbackup storage-ids: find the highest backup id in storage, for the server's background worker

Usage:
  lokbackup storage-ids < REQUEST

Internal: the lokbackup background worker runs this before its first backup into a storage. It
reads one request (JSON) on stdin, lists the storage, and writes one line of JSON on stdout: the
highest backup id in the names of the objects there, or why the storage could not be listed. It
exits with 0 when the storage was listed.
)";

void emit(const StorageScanResult &result)
{
    std::cout << storage_scan_result_to_json(result) << "\n" << std::flush;
}

int scan_storage(const std::vector<std::string> &argument_list)
{
    StorageScanRequest request =
        storage_scan_request_from_json(read_child_request("storage-ids", argument_list));
    // Retried storage requests are logged on stderr, which is the server's log.
    auto storage = open_storage(StorageConfig(request.storage, request.s3, print_storage_log));
    std::vector<std::string> keys = storage->list("");
    StorageScanResult result;
    result.ok = true;
    result.highest_id = highest_backup_id(keys);
    result.keys = keys.size();
    emit(result);
    return 0;
}

void report_failure(const std::string &message)
{
    StorageScanResult failed;
    failed.error = message;
    emit(failed);
}

} // namespace

const Command storage_scan_child_command = {"storage-ids",
                                            "find the highest backup id in storage, for the "
                                            "server's worker (internal)",
                                            help,
                                            scan_storage,
                                            report_failure,
                                            false,
                                            false};

} // namespace lokbackup::cli
