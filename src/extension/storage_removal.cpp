#include "extension/storage_removal.hpp"

extern "C" {
#include "access/xact.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"
}

#include "core/backup_objects.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"

namespace lokbackup::pg
{

static List *removals = NIL; // object keys, in TopMemoryContext
static bool callback_registered = false;

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
             errhint("Remove it from storage by hand.")));
    return false;
}

static void on_transaction_end(XactEvent event, void *argument)
{
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT)
        return;
    List *pending = removals;
    removals = NIL;
    ListCell *cell;
    if (event == XACT_EVENT_COMMIT)
        foreach (cell, pending)
            remove_now(static_cast<const char *>(lfirst(cell)));
    list_free_deep(pending);
}

void remove_after_commit(const char *object_key)
{
    if (!callback_registered) {
        RegisterXactCallback(on_transaction_end, nullptr);
        callback_registered = true;
    }
    MemoryContext previous = MemoryContextSwitchTo(TopMemoryContext);
    removals = lappend(removals, pstrdup(object_key));
    MemoryContextSwitchTo(previous);
}

} // namespace lokbackup::pg
