#include "extension/worker.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include "extension/backup_child_pipe.hpp"
#include "extension/catalog.hpp"
#include "extension/drill.hpp"
#include "extension/schedule.hpp"
#include "extension/settings.hpp"
#include "extension/request_slot.hpp"
#include "extension/shared_state.hpp"
#include "extension/notifier.hpp"
#include "extension/run.hpp"
#include "extension/running_backup.hpp"
#include "extension/storage_removal.hpp"
#include "extension/upload_sweep.hpp"
#include "extension/wal_failure_notice.hpp"

extern "C" PGDLLEXPORT void lokbackup_worker_main(Datum argument);

namespace lokbackup::pg
{

// How often the worker wakes up without being signalled: to notice CREATE EXTENSION or promotion.
static const long idle_wakeup_ms = 10 * 1000;

void register_worker()
{
    BackgroundWorker worker;
    memset(&worker, 0, sizeof(worker));
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 5;
    strlcpy(worker.bgw_library_name, "lokbackup", BGW_MAXLEN);
    strlcpy(worker.bgw_function_name, "lokbackup_worker_main", BGW_MAXLEN);
    strlcpy(worker.bgw_name, "lokbackup worker", BGW_MAXLEN);
    strlcpy(worker.bgw_type, "lokbackup worker", BGW_MAXLEN);
    RegisterBackgroundWorker(&worker);
}

// Announces the worker in shared memory. Whatever slot state a previous worker left is void: its
// backups were failed by recovery, so waiters are woken and the slot is free.
static void attach_worker()
{
    release_request_slot(MyLatch, "the lokbackup worker restarted before it took the request");
}

static void detach_worker(int code, Datum argument)
{
    kill_backup_children();
    release_request_slot(nullptr, "the lokbackup worker stopped before it took the request");
    SharedState *state = shared_state();
    SpinLockAcquire(&state->progress.mutex);
    state->progress.backup_id = 0;
    SpinLockRelease(&state->progress.mutex);
}

// Backups a crash or restart interrupted are failed, notified, and their partial objects removed,
// so that nothing stays pending or in_progress. (A worker that dies between failing a backup here
// and starting its notifier loses that one notice.)
static void recover_interrupted_backups(const char *reason, bool followed_until_now)
{
    begin_catalog_work("lokbackup: failing interrupted backups");
    List *unfinished = fail_unfinished_backups(reason, followed_until_now);
    ListCell *cell;
    foreach (cell, unfinished) {
        auto *backup = static_cast<UnfinishedBackup *>(lfirst(cell));
        end_backup_sessions(backup_session_name(backup->id));
        // What the interrupted writer left (a partial file, an open multipart upload) goes.
        if (backup->object_key != nullptr)
            queue_removal(backup->id, backup->object_key);
    }
    end_catalog_work();

    foreach (cell, unfinished) {
        auto *backup = static_cast<UnfinishedBackup *>(lfirst(cell));
        log_backup_failure(backup->id, backup->database, backup->format, backup->error);
        FinishedBackup failed{backup->id,
                              backup->database,
                              is_base_backup_format(backup->format),
                              backup->type,
                              false,
                              backup->error,
                              0,
                              0,
                              backup->started,
                              backup->started_at};
        notify_finished_backup(failed);
    }
}

// Set once the catalog exists and interrupted backups have been recovered; until then there is
// nothing to serve or to fail.
static bool catalog_recovered = false;

static bool catalog_ready()
{
    begin_catalog_work("lokbackup: looking for the catalog");
    bool installed = catalog_installed();
    end_catalog_work();
    return installed;
}

// Called on SIGTERM: fails what is left of the run and exits. The exit code is 1 so that the
// postmaster starts the worker again after pg_terminate_backend(); at shutdown it does not.
[[noreturn]] static void shut_down()
{
    end_backup_children();
    if (catalog_recovered)
        stop_drill("cancelled: the lokbackup worker was stopped (server shutdown or "
                   "pg_terminate_backend)");
    if (catalog_recovered)
        recover_interrupted_backups("backup cancelled: the lokbackup worker was stopped (server "
                                    "shutdown or pg_terminate_backend)",
                                    true);
    proc_exit(1);
}

static void handle_interrupts()
{
    CHECK_FOR_INTERRUPTS();
    if (ShutdownRequestPending)
        shut_down();
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        ProcessConfigFile(PGC_SIGHUP);
        if (catalog_recovered) {
            follow_schedule_changes();
            follow_drill_schedule_changes();
        }
    }
}

// Waits for the latch, the postmaster's death, or output of what the run follows, for at most
// `timeout_ms`; reads that output.
static void wait_for_work(long timeout_ms)
{
    constexpr int max_events = 2 + max_run_wait_events;
    WaitEventSet *set = create_wait_event_set(max_events);
    AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, nullptr);
    AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, nullptr, nullptr);
    add_run_wait_events(set);
    WaitEvent events[max_events];
    int count = WaitEventSetWait(set, timeout_ms, events, lengthof(events), PG_WAIT_EXTENSION);
    FreeWaitEventSet(set);
    for (int i = 0; i < count; i++)
        if (events[i].events & WL_LATCH_SET)
            ResetLatch(MyLatch);
    handle_run_events(events, count);
}

// One unit of work; returns how long the worker may wait for events before the next.
static long do_work()
{
    long sleep_ms = idle_wakeup_ms;
    bool starting = false;
    // On a standby nothing runs, and nothing is missed: the primary backs up.
    if (!catalog_recovered && !RecoveryInProgress()) {
        if (!catalog_ready())
            return report_firings_without_catalog(idle_wakeup_ms);
        recover_interrupted_backups("interrupted by server restart", false);
        catalog_recovered = true;
        starting = true;
        start_schedule();
        start_drills();
    }
    if (!catalog_recovered)
        return sleep_ms;
    // Storage is left to the run while one goes on. At start every queued removal is tried: what
    // failed before a restart may have been mended meanwhile (a file system mounted again,
    // permissions corrected).
    if (!run_in_progress()) {
        retry_queued_removals(starting);
        sweep_uploads_when_due();
    }
    // A reload that arrived while the storage was looked after is applied before a run is taken:
    // the run uses the settings in force when it was requested.
    handle_interrupts();
    sleep_ms = request_due_run(sleep_ms);
    // A drill and a backup run never run at once: a run waits for the drill to end, and a drill
    // starts only between runs.
    if (!drill_running())
        sleep_ms = advance_run(sleep_ms);
    if (!run_in_progress())
        sleep_ms = advance_drills(sleep_ms);
    return sleep_ms;
}

// The worker's one loop: handle a reload or shutdown, do one unit of work, wait.
static void worker_loop()
{
    MemoryContext loop_context =
        AllocSetContextCreate(TopMemoryContext, "lokbackup worker", ALLOCSET_DEFAULT_SIZES);
    for (;;) {
        MemoryContextSwitchTo(loop_context);
        MemoryContextReset(loop_context);
        handle_interrupts();
        reap_notifiers();
        notify_lasting_wal_failure();
        wait_for_work(do_work());
    }
}

} // namespace lokbackup::pg

using namespace lokbackup::pg;

void lokbackup_worker_main(Datum argument)
{
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(catalog_database_setting, nullptr, 0);
    pin_search_path();
    pgstat_report_appname("lokbackup worker");

    before_shmem_exit(detach_worker, 0);
    attach_worker();
    worker_loop();
}
