#include "extension/shared_state.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
}

namespace lokbackup::pg
{

static SharedState *state = nullptr;
static const char *const tranche_name = "lokbackup";

void request_shared_memory()
{
    RequestAddinShmemSpace(MAXALIGN(sizeof(SharedState)));
    RequestNamedLWLockTranche(tranche_name, 1);
}

void initialize_shared_memory()
{
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    state = static_cast<SharedState *>(ShmemInitStruct("lokbackup", sizeof(SharedState), &found));
    if (!found) {
        memset(state, 0, sizeof(SharedState));
        state->lock = &(GetNamedLWLockTranche(tranche_name))->lock;
        ConditionVariableInit(&state->slot_changed);
        SpinLockInit(&state->progress.mutex);
        SpinLockInit(&state->wal_archive.mutex);
    }
    LWLockRelease(AddinShmemInitLock);
}

bool shared_state_ready()
{
    return state != nullptr;
}

SharedState *shared_state()
{
    if (state == nullptr)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("lokbackup is not loaded through shared_preload_libraries"),
                        errhint("Add lokbackup to shared_preload_libraries in postgresql.conf and "
                                "restart the server.")));
    return state;
}

} // namespace lokbackup::pg
