// lokbackup as PostgreSQL's archive module (archive_library = 'lokbackup'): the archiver calls
// archive_file() for each WAL file, which hands it to the WAL archive child
// (wal_archive_child.hpp) and waits for its answer as the archive module API allows: on the
// latch and the child's pipe, for lokbackup.wal_upload_timeout at most, and briefly once the
// server shuts down. Any failure returns false, never an ERROR: PostgreSQL's archiver retries the
// file, and nothing is skipped.
#include "extension/postgres.hpp"

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/procsignal.h"
#include "utils/timestamp.h"
}

#include "extension/settings.hpp"
#include "extension/shared_state.hpp"
#include "extension/wal_archive_child.hpp"
#include "extension/wal_archive_status.hpp"

#include <csignal>

namespace lokbackup::pg
{

// Once the server shuts down, a file still waiting for storage after this long is given up, and
// no other is started: the archiver's last cycle must not hold up the shutdown (pg_ctl waits 60
// seconds). The files left are archived after the next start.
constexpr long shutdown_grace_ms = 10 * 1000;

// The postmaster asks the archiver for its last cycle with SIGUSR2 (pgarch.c's ready_to_stop,
// which modules cannot read): noted here, then passed on to the archiver's own handler.
static volatile sig_atomic_t stop_requested = false;
static struct sigaction archiver_stop_handler;
static TimestampTz stop_noticed_at = 0;

static void note_stop_request(int signal, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    stop_requested = true;
    errno = saved_errno;
    if (archiver_stop_handler.sa_flags & SA_SIGINFO)
        archiver_stop_handler.sa_sigaction(signal, info, context);
    else if (archiver_stop_handler.sa_handler != SIG_IGN &&
             archiver_stop_handler.sa_handler != SIG_DFL)
        archiver_stop_handler.sa_handler(signal);
}

static void follow_stop_request()
{
    struct sigaction ours;
    sigaction(SIGUSR2, nullptr, &archiver_stop_handler);
    ours = archiver_stop_handler;
    ours.sa_flags |= SA_SIGINFO;
    ours.sa_sigaction = note_stop_request;
    sigaction(SIGUSR2, &ours, nullptr);
}

static bool shutting_down()
{
    if (!stop_requested && !ShutdownRequestPending)
        return false;
    if (stop_noticed_at == 0)
        stop_noticed_at = GetCurrentTimestamp();
    return true;
}

// How long the file that started at `started` may still wait for its answer, in ms (<= 0: no
// longer).
static long time_left(TimestampTz started)
{
    TimestampTz deadline =
        TimestampTzPlusMilliseconds(started, static_cast<int64>(wal_upload_timeout_setting) * 1000);
    if (shutting_down())
        deadline = Min(deadline, TimestampTzPlusMilliseconds(stop_noticed_at, shutdown_grace_ms));
    return TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
}

// Waits for the child's answer about `file`; returns why there is none (NULL: `*line` is the
// answer). Interrupts are left to the archiver, which handles them between files, but for the
// barriers that other processes wait for. A latch set meanwhile is set again on return, so that
// the archiver sees what it was set for (new files, its stop).
static const char *wait_for_answer(int fd, TimestampTz started, char **line)
{
    const char *failure = nullptr;
    bool latch_was_set = false;
    for (;;) {
        ChildAnswer answer = read_wal_archive_answer(line);
        if (answer == ChildAnswer::answered)
            break;
        if (answer == ChildAnswer::ended) {
            failure = "the WAL archive child ended without answering (the server log says why)";
            break;
        }
        long left = time_left(started);
        if (left <= 0) {
            failure = shutting_down()
                          ? "the server is shutting down and storage has not answered"
                          : psprintf("storage did not answer within lokbackup.wal_upload_timeout "
                                     "(%d s)",
                                     wal_upload_timeout_setting);
            break;
        }
        int events = WaitLatchOrSocket(
            MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_POSTMASTER_DEATH, fd, left,
            PG_WAIT_EXTENSION);
        if (events & WL_POSTMASTER_DEATH) {
            failure = "the postmaster died";
            break;
        }
        if (events & WL_LATCH_SET) {
            ResetLatch(MyLatch);
            latch_was_set = true;
        }
        if (ProcSignalBarrierPending)
            ProcessProcSignalBarrier();
    }
    if (latch_was_set)
        SetLatch(MyLatch);
    return failure;
}

// Archives one file; returns why it is not archived (NULL: it is). Raises an error for what
// fails on this side of the pipe.
static const char *archive_through_child(const char *file, const char *path)
{
    if (shutting_down() && time_left(GetCurrentTimestamp()) <= 0)
        return "the server is shutting down; the file is archived after the next start";
    const char *absolute = is_absolute_path(path) ? path : psprintf("%s/%s", DataDir, path);
    start_wal_archive_child(wal_archive_settings());
    TimestampTz started = GetCurrentTimestamp();
    int fd = send_wal_archive_request(absolute, file);
    char *line = nullptr;
    const char *failure = wait_for_answer(fd, started, &line);
    if (failure != nullptr) {
        // Its state is unknown (stalled in storage, or gone): the next file gets a new one.
        stop_wal_archive_child();
        return failure;
    }
    WalArchiveResult result = parse_wal_archive_answer(line, file);
    if (!result.archived)
        return result.error;
    record_wal_archived(file, result.raw_bytes, result.stored_bytes);
    if (result.copy_error != nullptr)
        ereport(WARNING,
                (errmsg("lokbackup archived WAL file \"%s\", but %s", file, result.copy_error),
                 errhint("lokbackup.storage_copy_required is off: the file counts as archived, "
                         "and the second destination lacks it. A recovery from that destination "
                         "alone stops before it.")));
    ereport(DEBUG1, (errmsg("lokbackup archived WAL file \"%s\" (%s)", file,
                            result.stored_bytes > 0 ? "stored" : "stored before")));
    return nullptr;
}

// The message of the error being handled, copied into the current memory context.
static const char *caught_error_message()
{
    ErrorData *error = CopyErrorData();
    FlushErrorState();
    return error->message;
}

static bool archive_file(const char *file, const char *path)
{
    MemoryContext caller = CurrentMemoryContext;
    MemoryContext work =
        AllocSetContextCreate(caller, "lokbackup archive module", ALLOCSET_DEFAULT_SIZES);
    MemoryContextSwitchTo(work);
    const char *volatile failure = nullptr;
    PG_TRY();
    {
        failure = archive_through_child(file, path);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(work);
        failure = caught_error_message();
        stop_wal_archive_child();
    }
    PG_END_TRY();
    bool archived = failure == nullptr;
    if (!archived) {
        record_wal_archive_failure(file, failure);
        ereport(WARNING, (errmsg("lokbackup could not archive WAL file \"%s\": %s", file, failure),
                          errhint("PostgreSQL retries the file; pg_wal keeps it until then. "
                                  "lokbackup_wal_status shows the failure.")));
    }
    MemoryContextSwitchTo(caller);
    MemoryContextDelete(work);
    return archived;
}

// Whether the settings allow archiving: what a reload cannot mend is not retried per file.
static bool check_configured()
{
    MemoryContext caller = CurrentMemoryContext;
    MemoryContext work =
        AllocSetContextCreate(caller, "lokbackup archive check", ALLOCSET_DEFAULT_SIZES);
    MemoryContextSwitchTo(work);
    const char *volatile problem = nullptr;
    if (!shared_state_ready())
        problem = "lokbackup is not in shared_preload_libraries";
    else {
        PG_TRY();
        {
            wal_archive_settings();
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(work);
            problem = caught_error_message();
        }
        PG_END_TRY();
    }
    MemoryContextSwitchTo(caller);
    if (problem != nullptr)
        explain_archive_not_configured(problem);
    MemoryContextDelete(work);
    return problem == nullptr;
}

static void shut_down_archiving()
{
    stop_wal_archive_child();
}

} // namespace lokbackup::pg

using namespace lokbackup::pg;

#if PG_VERSION_NUM >= 160000

static bool check_configured_cb(ArchiveModuleState *)
{
    return check_configured();
}

static bool archive_file_cb(ArchiveModuleState *, const char *file, const char *path)
{
    return archive_file(file, path);
}

static void shutdown_cb(ArchiveModuleState *)
{
    shut_down_archiving();
}

static const ArchiveModuleCallbacks callbacks = {nullptr, check_configured_cb, archive_file_cb,
                                                 shutdown_cb};

const ArchiveModuleCallbacks *_PG_archive_module_init(void)
{
    follow_stop_request();
    return &callbacks;
}

#else

extern "C" PGDLLEXPORT void _PG_archive_module_init(ArchiveModuleCallbacks *callbacks);

void _PG_archive_module_init(ArchiveModuleCallbacks *callbacks)
{
    follow_stop_request();
    callbacks->check_configured_cb = check_configured;
    callbacks->archive_file_cb = archive_file;
    callbacks->shutdown_cb = shut_down_archiving;
}

#endif
