// What the worker publishes in shared memory: lokbackup_progress() (the lokbackup_running view),
// the running backup; lokbackup_next_run(), when the next scheduled backup runs.
#include "extension/postgres.hpp"

extern "C" {
#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include "extension/shared_state.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(lokbackup_progress);
PG_FUNCTION_INFO_V1(lokbackup_next_run);
}

using namespace lokbackup::pg;

static Datum pretty_size(uint64 bytes)
{
    return DirectFunctionCall1(pg_size_pretty, Int64GetDatum(static_cast<int64>(bytes)));
}

Datum lokbackup_progress(PG_FUNCTION_ARGS)
{
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    InitMaterializedSRF(fcinfo, 0);

    Progress &shared = shared_state()->progress;
    SpinLockAcquire(&shared.mutex);
    Progress progress = shared;
    SpinLockRelease(&shared.mutex);
    if (progress.backup_id == 0)
        PG_RETURN_NULL();

    Datum values[11] = {Int64GetDatum(progress.backup_id),
                        CStringGetTextDatum(progress.database),
                        TimestampTzGetDatum(progress.started_at),
                        Int64GetDatum(static_cast<int64>(progress.raw_bytes)),
                        Int64GetDatum(static_cast<int64>(progress.stored_bytes)),
                        pretty_size(progress.raw_bytes),
                        pretty_size(progress.stored_bytes),
                        Int64GetDatum(static_cast<int64>(progress.uploaded_bytes)),
                        pretty_size(progress.uploaded_bytes),
                        TimestampTzGetDatum(progress.waiting_since),
                        CStringGetTextDatum(progress.storage_problem)};
    bool nulls[11] = {false};
    nulls[9] = progress.waiting_since == 0;
    nulls[10] = progress.storage_problem[0] == '\0';
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    PG_RETURN_NULL();
}

Datum lokbackup_next_run(PG_FUNCTION_ARGS)
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_SHARED);
    TimestampTz next = state->next_scheduled_run;
    LWLockRelease(state->lock);
    if (next == 0)
        PG_RETURN_NULL();
    PG_RETURN_TIMESTAMPTZ(next);
}
