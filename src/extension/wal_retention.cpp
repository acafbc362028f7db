#include "extension/wal_retention.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "pgstat.h"
#include "utils/guc.h"
}

#include "core/base/error.hpp"
#include "core/base/process.hpp"
#include "core/wal/wal_retention_request.hpp"
#include "extension/backup_child_pipe.hpp"
#include "extension/boundary.hpp"
#include "extension/catalog.hpp"
#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <poll.h>
#include <unistd.h>

namespace lokbackup::pg
{

// Whether a pass has anything to do: WAL is archived here, or base backups were taken.
static bool archive_in_use()
{
    const char *archive_mode = GetConfigOption("archive_mode", false, false);
    return (archive_mode != nullptr && strcmp(archive_mode, "off") != 0) || base_backups_exist();
}

// Runs the child to its end, or kills it once `timeout_ms` has passed; returns its output. Throws
// Error when it cannot be started or runs out of time.
static std::string run_child(const std::string &program, const std::string &request,
                             long timeout_ms)
{
    ProcessSpec spec;
    spec.argv = {program, "wal-retention"};
    spec.pipe_stdin = true;
    spec.pipe_stdout = true;
    spec.own_process_group = true;
    spec.die_with_parent = true;
    Process child = Process::spawn(spec);
    // The S3 keys travel on the child's stdin, never in its argv.
    write_all(child.stdin_fd(), request.data(), request.size());
    child.close_stdin();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string output;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd readable{child.stdout_fd(), POLLIN, 0};
        int ready = left.count() > 0 ? poll(&readable, 1, static_cast<int>(left.count())) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0) {
            child.kill_group(SIGKILL);
            child.wait();
            throw Error("the WAL retention process took longer than lokbackup.backup_timeout");
        }
        char chunk[4096];
        ssize_t got = read(child.stdout_fd(), chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        output.append(chunk, static_cast<std::size_t>(got));
    }
    ExitStatus status = child.wait();
    if (output.empty())
        throw Error("the WAL retention process " + status.describe() + " without a result");
    return output;
}

// The child's result, in palloc'd memory (no C++ object outlives core_call()).
struct RetentionOutcome {
    bool ok;
    uint64 removed;
    WalArchiveSizeRow kept;
    char *error;
};

static char *palloc_or_null(const std::string &text)
{
    return text.empty() ? nullptr : palloc_string(text);
}

// Removes, in `storage`, the archived WAL before `keep_from` (none: nothing is removed) and
// returns what the archive there holds; raises an error when that fails.
static RetentionOutcome retain_wal_in(const RowStorage &storage, const char *keep_from)
{
    pgstat_report_activity(STATE_RUNNING, "lokbackup: removing the WAL no base backup needs");
    char *program = psprintf("%s/lokbackup", server_bin_directory());
    long timeout_ms = backup_timeout_setting * 1000L;
    RetentionOutcome outcome = core_call([&] {
        WalRetentionRequest request{{storage.spec, s3_options(storage)}, std::nullopt};
        if (keep_from != nullptr)
            request.keep_from = keep_from;
        WalRetentionResult result = wal_retention_result_from_json(
            run_child(program, wal_retention_request_to_json(request), timeout_ms));
        return RetentionOutcome{result.ok,
                                result.removed,
                                {result.kept.objects, result.kept.bytes,
                                 palloc_or_null(result.kept.oldest_wal),
                                 palloc_or_null(result.kept.newest_wal)},
                                palloc_or_null(result.error)};
    });
    pgstat_report_activity(STATE_IDLE, nullptr);
    if (!outcome.ok)
        ereport(ERROR, (errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
                        errmsg("could not remove the archived WAL in %s: %s", storage.spec,
                               outcome.error ? outcome.error : "no reason given")));
    ereport(LOG, (errmsg("lokbackup: WAL retention in %s removed " UINT64_FORMAT
                         " archived files before %s; the archive holds " UINT64_FORMAT
                         " files, " UINT64_FORMAT " bytes",
                         storage.spec, outcome.removed,
                         keep_from ? keep_from : "(none: no completed base backup)",
                         outcome.kept.objects, outcome.kept.bytes)));
    return outcome;
}

// The primary's archive first, whose size the catalog records; then the second destination's,
// which holds the same WAL (each file is archived in both). Each keeps what the base backups in
// it need: a place that was the primary before holds older base backups than the primary now.
static void retain_wal(void *)
{
    RowStorage storage = storage_in_force();
    RowStorage copy = storage_copy_in_force();
    bool with_copy = copy.spec != nullptr && !same_place(copy, storage);
    begin_catalog_work("lokbackup: finding the WAL the base backups need");
    bool in_use = catalog_records_wal_ranges() && archive_in_use();
    char *keep_from = in_use ? oldest_kept_base_backup_start(storage.spec) : nullptr;
    char *copy_keep_from = in_use && with_copy ? oldest_kept_base_backup_start(copy.spec) : nullptr;
    end_catalog_work();
    if (!in_use)
        return;

    RetentionOutcome outcome = retain_wal_in(storage, keep_from);
    begin_catalog_work("lokbackup: recording the size of the WAL archive");
    record_wal_archive_size(outcome.kept);
    end_catalog_work();
    if (with_copy)
        retain_wal_in(copy, copy_keep_from);
}

void retain_wal_after_rotation()
{
    run_chore(retain_wal, nullptr, "WAL retention");
}

} // namespace lokbackup::pg
