#include "extension/worker_wakeup.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "fmgr.h"
#include "storage/latch.h"
}

#include "extension/shared_state.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(lokbackup_wake_worker);
}

namespace lokbackup::pg
{

void wake_worker()
{
    if (!shared_state_ready())
        return;
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_SHARED);
    if (state->worker_latch != nullptr)
        SetLatch(state->worker_latch);
    LWLockRelease(state->lock);
}

static bool wake_at_commit = false;

static void on_transaction_end(XactEvent event, void *argument)
{
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT)
        return;
    bool wake = wake_at_commit && event == XACT_EVENT_COMMIT;
    wake_at_commit = false;
    if (wake)
        wake_worker();
}

void wake_worker_at_commit()
{
    static bool callback_registered = false;
    if (!callback_registered) {
        RegisterXactCallback(on_transaction_end, nullptr);
        callback_registered = true;
    }
    wake_at_commit = true;
}

} // namespace lokbackup::pg

Datum lokbackup_wake_worker(PG_FUNCTION_ARGS)
{
    lokbackup::pg::wake_worker_at_commit();
    PG_RETURN_VOID();
}
