#include "extension/storage_removal.hpp"

extern "C" {
#include "access/xact.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include "core/backup_objects.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"

namespace lokbackup::pg
{

// A removal waits for the end of the (sub)transaction that asked for it.
struct PendingRemoval {
    SubTransactionId subtransaction;
    char *object_key;
};

static List *removals = NIL; // of PendingRemoval, in TopMemoryContext
static bool callbacks_registered = false;

// Object keys whose removal failed (storage unreachable), for retry_failed_removals(); bounded,
// since only the worker retries and a backend's list ends with the backend.
static List *failed_removals = NIL; // in TopMemoryContext
static const int max_failed_removals = 1000;

bool remove_now(const char *object_key)
{
    char *storage = storage_spec();
    char problem[1024] = "";
    // Not core_call(): a failure here is logged, not raised (see the header).
    try {
        remove_backup_objects(*open_storage(storage_config(storage)), object_key);
    } catch (const std::exception &e) {
        strlcpy(problem, e.what(), sizeof(problem));
    }
    if (problem[0] == '\0')
        return true;
    ereport(WARNING,
            (errmsg("lokbackup: could not remove backup object %s: %s", object_key, problem),
             errhint("The worker tries again every minute while it runs.")));
    if (list_length(failed_removals) < max_failed_removals) {
        MemoryContext previous = MemoryContextSwitchTo(TopMemoryContext);
        failed_removals = lappend(failed_removals, pstrdup(object_key));
        MemoryContextSwitchTo(previous);
    }
    return false;
}

void retry_failed_removals()
{
    // Each try may take as long as the S3 retries allow: not more than once a minute, so that the
    // worker stays free to take requests while storage is down.
    static TimestampTz last_try = 0;
    TimestampTz now = GetCurrentTimestamp();
    if (failed_removals == NIL || !TimestampDifferenceExceeds(last_try, now, 60 * 1000))
        return;
    last_try = now;
    List *retrying = failed_removals;
    failed_removals = NIL;
    ListCell *cell;
    foreach (cell, retrying) {
        auto *object_key = static_cast<char *>(lfirst(cell));
        if (remove_now(object_key))
            ereport(LOG,
                    (errmsg("lokbackup: removed backup object %s on a later try", object_key)));
    }
    list_free_deep(retrying);
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
        if (event == XACT_EVENT_COMMIT)
            remove_now(removal->object_key);
        pfree(removal->object_key);
    }
    list_free_deep(pending);
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
            pfree(removal->object_key);
            pfree(removal);
        }
    }
}

void remove_after_commit(const char *object_key)
{
    if (!callbacks_registered) {
        RegisterXactCallback(on_transaction_end, nullptr);
        RegisterSubXactCallback(on_subtransaction_end, nullptr);
        callbacks_registered = true;
    }
    MemoryContext previous = MemoryContextSwitchTo(TopMemoryContext);
    auto *removal = static_cast<PendingRemoval *>(palloc(sizeof(PendingRemoval)));
    removal->subtransaction = GetCurrentSubTransactionId();
    removal->object_key = pstrdup(object_key);
    removals = lappend(removals, removal);
    MemoryContextSwitchTo(previous);
}

} // namespace lokbackup::pg
