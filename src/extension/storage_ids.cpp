#include "extension/storage_ids.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/timestamp.h"
}

#include "core/storage/open_storage.hpp"
#include "core/base/process.hpp"
#include "core/storage/storage_scan.hpp"
#include "extension/backup_child_pipe.hpp"
#include "extension/boundary.hpp"
#include "extension/catalog.hpp"
#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"

#include <csignal>
#include <optional>
#include <unistd.h>

namespace lokbackup::pg
{

// The scan child. A global, not a frame's local: an ereport never skips its destructor.
static std::optional<Process> scanner;

// Its one line of output is a few dozen bytes; anything much longer is not it.
static const int scanner_output_limit = 65536;

static int start_scanner(const RowStorage &target)
{
    char *program = psprintf("%s/lokbackup", server_bin_directory());
    return core_call([&] {
        ProcessSpec process;
        process.argv = {program, "storage-ids"};
        process.pipe_stdin = true;
        process.pipe_stdout = true;
        process.own_process_group = true;
        process.die_with_parent = true;
        scanner.emplace(Process::spawn(process));
        // The S3 keys travel on the child's stdin, never in its argv.
        std::string json = storage_scan_request_to_json({target.spec, s3_options(target)});
        write_all(scanner->stdin_fd(), json.data(), json.size());
        scanner->close_stdin();
        return scanner->stdout_fd();
    });
}

// Reaps the child; returns how it ended (NULL: it exited with code 0, or cannot be waited for).
static char *end_scanner() noexcept
{
    if (!scanner)
        return nullptr;
    char *exit = nullptr;
    try {
        ExitStatus status = scanner->wait();
        if (!status.success())
            exit = palloc_string(status.describe());
    } catch (...) {
        // waitpid() fails only for a child that is not ours any more: nothing is left to reap.
    }
    scanner.reset();
    return exit;
}

static void kill_scanner() noexcept
{
    if (scanner)
        scanner->kill_group(SIGKILL);
    end_scanner();
}

// The listing in progress: the storage it lists (described for messages), what the child wrote
// so far, when it must have finished, and why it failed (NULL: it did not).
struct Listing {
    char *storage;
    int fd; // -1 once the child closed its output, or the listing failed
    StringInfoData output;
    TimestampTz deadline;
    char *failure;
};
static Listing listing;

bool start_storage_listing()
{
    // The storage the run's rows will record (create_backups() takes the same settings).
    RowStorage target = storage_in_force();
    prepare_backup_storage(target);
    char *storage =
        core_call([&] { return palloc_string(open_storage(storage_config(target))->describe()); });
    begin_catalog_work("lokbackup: looking up the backup ids in storage");
    bool updated = catalog_has_storage_ids();
    bool listed = updated && storage_highest_id(storage) >= 0;
    end_catalog_work();
    if (!updated)
        ereport(WARNING,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("lokbackup: the catalog is older than 0.3.0, so backup ids are not "
                        "checked against those in storage"),
                 errhint("Run ALTER EXTENSION lokbackup UPDATE in database \"%s\".",
                         catalog_database_setting)));
    if (listed || !updated)
        return false;

    pgstat_report_activity(STATE_RUNNING,
                           psprintf("lokbackup: listing %s for the backup ids in use", storage));
    listing = Listing{storage, -1, {}, 0, nullptr};
    initStringInfo(&listing.output);
    listing.deadline =
        TimestampTzPlusMilliseconds(GetCurrentTimestamp(), backup_timeout_setting * 1000L);
    listing.fd = start_scanner(target);
    return true;
}

int storage_listing_fd()
{
    return listing.fd;
}

long storage_listing_remaining_ms()
{
    return Max(0L, TimestampDifferenceMilliseconds(GetCurrentTimestamp(), listing.deadline));
}

// Reads once from the child; returns whether its output is complete.
static bool read_scanner_output()
{
    char chunk[4096];
    ssize_t got = read(listing.fd, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR)
        return false;
    if (got < 0)
        ereport(ERROR, (errcode_for_file_access(),
                        errmsg("could not read the output of the storage scan process: %m")));
    if (got == 0)
        return true;
    if (listing.output.len + got > scanner_output_limit)
        ereport(ERROR, (errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
                        errmsg("the storage scan process wrote more than %d bytes",
                               scanner_output_limit)));
    appendBinaryStringInfo(&listing.output, chunk, static_cast<int>(got));
    return false;
}

bool read_storage_listing()
{
    MemoryContext context = CurrentMemoryContext;
    bool complete = false;
    PG_TRY();
    {
        complete = read_scanner_output();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        kill_scanner();
        listing.failure = error->message;
        complete = true;
    }
    PG_END_TRY();
    if (complete)
        listing.fd = -1;
    return complete;
}

struct ScanOutcome {
    bool ok;
    int64 highest_id;
    uint64 keys;
    char *error; // when not ok
};

static ScanOutcome parse_scan_result(const char *output)
{
    return core_call([&] {
        StorageScanResult result = storage_scan_result_from_json(output);
        return ScanOutcome{result.ok, result.highest_id, result.keys,
                           result.ok ? nullptr : palloc_string(result.error)};
    });
}

// How the listing went. A failure in the worker's part (the program missing, the deadline) is
// one as well.
static ScanOutcome listing_outcome()
{
    if (listing.fd >= 0) {
        kill_scanner();
        listing.failure = psprintf("listing %s for the backup ids in use took longer than "
                                   "lokbackup.backup_timeout (%d s)",
                                   listing.storage, backup_timeout_setting);
    }
    if (listing.failure != nullptr)
        return ScanOutcome{false, 0, 0, listing.failure};
    char *exit = end_scanner();
    if (listing.output.data[0] == '\0')
        return ScanOutcome{
            false, 0, 0,
            psprintf("the storage scan process %s without a result", exit ? exit : "exited")};
    return parse_scan_result(listing.output.data);
}

char *finish_storage_listing()
{
    ScanOutcome outcome = listing_outcome();
    listing.fd = -1;
    pgstat_report_activity(STATE_IDLE, nullptr);
    const char *storage = listing.storage;
    if (!outcome.ok)
        return psprintf("cannot list %s to find the backup ids already used there: %s; no backup "
                        "was made, since it could get the id of a backup that an earlier install "
                        "of the extension left there (the listing is tried again before the next "
                        "run)",
                        storage, outcome.error);
    begin_catalog_work("lokbackup: moving backup ids past those in storage");
    record_storage_highest_id(storage, outcome.highest_id);
    end_catalog_work();
    ereport(LOG, (errmsg("lokbackup: listed %s (" UINT64_FORMAT " objects): the highest backup id "
                         "there is " INT64_FORMAT ", new backups get higher ids",
                         storage, outcome.keys, outcome.highest_id)));
    return nullptr;
}

} // namespace lokbackup::pg
