#include "extension/storage_removal.hpp"

extern "C" {
#include "access/xact.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"
}

#include "core/storage/open_storage.hpp"
#include "core/storage/backup_objects.hpp"
#include "core/storage/removal_retry.hpp"
#include "extension/boundary.hpp"
#include "extension/catalog.hpp"
#include "extension/storage_bridge.hpp"
#include "extension/worker_wakeup.hpp"

namespace lokbackup::pg
{

// Removes the object and its manifest now (and what an interrupted upload left: an open S3
// multipart upload is aborted). Returns NULL, or what went wrong.
static char *remove_now(const RowStorage &storage, const char *object_key)
{
    char problem[1024] = "";
    // Not core_call(): a failure here is reported to the caller, not raised (see the header).
    try {
        remove_backup_objects(*open_storage(storage_config(storage)), object_key);
    } catch (const std::exception &e) {
        strlcpy(problem, e.what(), sizeof(problem));
    }
    return problem[0] == '\0' ? nullptr : pstrdup(problem);
}

static void warn_removal_failed(const char *object_key, const char *problem)
{
    ereport(WARNING,
            (errmsg("lokbackup: could not remove backup object %s: %s", object_key, problem),
             errhint("The removal waits in lokbackup_removals; the lokbackup worker tries it again "
                     "until it succeeds.")));
}

// A removal waits for the end of the (sub)transaction that asked for it.
struct PendingRemoval {
    SubTransactionId subtransaction;
    RowStorage storage;
    char *object_key;
};

static List *removals = NIL; // of PendingRemoval, in TopMemoryContext
static bool callbacks_registered = false;

static void free_removal(PendingRemoval *removal)
{
    pfree(const_cast<char *>(removal->storage.spec));
    if (removal->storage.s3_endpoint)
        pfree(const_cast<char *>(removal->storage.s3_endpoint));
    if (removal->storage.s3_region)
        pfree(const_cast<char *>(removal->storage.s3_region));
    pfree(removal->object_key);
    pfree(removal);
}

static void on_transaction_end(XactEvent event, void *argument)
{
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT)
        return;
    List *pending = removals;
    removals = NIL;
    ListCell *cell;
    foreach (cell, pending) {
        auto *removal = static_cast<PendingRemoval *>(lfirst(cell));
        if (event == XACT_EVENT_COMMIT) {
            char *problem = remove_now(removal->storage, removal->object_key);
            if (problem != nullptr)
                warn_removal_failed(removal->object_key, problem);
        }
        free_removal(removal);
    }
    if (event == XACT_EVENT_COMMIT && pending != NIL)
        wake_worker();
    list_free(pending);
}

// A rolled-back subtransaction (ROLLBACK TO SAVEPOINT, a PL/pgSQL exception block) takes its
// removals with it; a committed one hands them to its parent.
static void on_subtransaction_end(SubXactEvent event, SubTransactionId subtransaction,
                                  SubTransactionId parent, void *argument)
{
    if (event != SUBXACT_EVENT_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB)
        return;
    ListCell *cell;
    foreach (cell, removals) {
        auto *removal = static_cast<PendingRemoval *>(lfirst(cell));
        if (removal->subtransaction != subtransaction)
            continue;
        if (event == SUBXACT_EVENT_COMMIT_SUB) {
            removal->subtransaction = parent;
        } else {
            removals = foreach_delete_current(removals, cell);
            free_removal(removal);
        }
    }
}

void remove_after_commit(const RowStorage &storage, const char *object_key)
{
    if (!callbacks_registered) {
        RegisterXactCallback(on_transaction_end, nullptr);
        RegisterSubXactCallback(on_subtransaction_end, nullptr);
        callbacks_registered = true;
    }
    MemoryContext previous = MemoryContextSwitchTo(TopMemoryContext);
    auto *removal = static_cast<PendingRemoval *>(palloc(sizeof(PendingRemoval)));
    removal->subtransaction = GetCurrentSubTransactionId();
    removal->storage = RowStorage{
        pstrdup(storage.spec), storage.s3_endpoint ? pstrdup(storage.s3_endpoint) : nullptr,
        storage.s3_region ? pstrdup(storage.s3_region) : nullptr, storage.s3_path_style};
    removal->object_key = pstrdup(object_key);
    removals = lappend(removals, removal);
    MemoryContextSwitchTo(previous);
}

// More than this many removals in one pass wait for the next: the worker has requests to serve.
static const int removals_per_pass = 100;

// Tries one queued removal and records its outcome; returns whether it succeeded.
static bool retry_removal(const QueuedRemoval &removal)
{
    char *problem = remove_now(removal.storage, removal.object_key);
    int64 delay = 0;
    if (problem != nullptr)
        delay = core_call([&] { return removal_retry_delay(removal.attempts + 1).count(); });
    begin_catalog_work("lokbackup: recording a removal");
    if (problem == nullptr)
        forget_removal(removal.id);
    else
        postpone_removal(removal.id, problem, delay);
    end_catalog_work();
    if (problem == nullptr) {
        // Most removals succeed at their first attempt, after commit; only a retry's is news.
        if (removal.attempts > 0)
            ereport(
                LOG,
                (errmsg(
                    "lokbackup: removed backup object %s on a later try, after %d failed attempts",
                    removal.object_key, removal.attempts)));
        return true;
    }
    ereport(WARNING, (errmsg("lokbackup: could not remove backup object %s (attempt %d): %s",
                             removal.object_key, removal.attempts + 1, problem),
                      errhint("The lokbackup worker tries again in " INT64_FORMAT
                              " seconds; lokbackup_removals shows what waits.",
                              delay)));
    return false;
}

static void retry_due_removals(void *argument)
{
    bool all = *static_cast<bool *>(argument);
    begin_catalog_work("lokbackup: looking for removals to retry");
    int count = 0;
    QueuedRemoval *due = due_removals(all, removals_per_pass, &count);
    end_catalog_work();
    for (int i = 0; i < count; i++)
        if (!retry_removal(due[i]))
            break;
}

void retry_queued_removals(bool all)
{
    run_chore(retry_due_removals, &all, "retrying removals");
}

} // namespace lokbackup::pg
