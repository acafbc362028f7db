// lokbackup_internal.wal_archive_state(): what the archiver published in shared memory
// (wal_archive_status.hpp), for lokbackup_wal_status().
#include "extension/postgres.hpp"

extern "C" {
#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include "extension/shared_state.hpp"
#include "extension/wal_archive_status.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(lokbackup_wal_archive_state);
}

using namespace lokbackup::pg;

static Datum text_or_null(const char *text, bool *null)
{
    *null = text[0] == '\0';
    return *null ? 0 : CStringGetTextDatum(text);
}

static Datum time_or_null(TimestampTz time, bool *null)
{
    *null = time == 0;
    return TimestampTzGetDatum(time);
}

Datum lokbackup_wal_archive_state(PG_FUNCTION_ARGS)
{
    TupleDesc descriptor;
    if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("lokbackup_internal.wal_archive_state() must return a record")));
    shared_state(); // raises the error that says lokbackup is not preloaded
    WalArchiveStatus status = read_wal_archive_status();
    Datum values[10];
    bool nulls[10] = {false};
    values[0] = Int64GetDatum(static_cast<int64>(status.archived_count));
    values[1] = Int64GetDatum(static_cast<int64>(status.archived_bytes));
    values[2] = Int64GetDatum(static_cast<int64>(status.stored_bytes));
    values[3] = text_or_null(status.last_archived, &nulls[3]);
    values[4] = time_or_null(status.last_archived_at, &nulls[4]);
    values[5] = text_or_null(status.last_failed, &nulls[5]);
    values[6] = time_or_null(status.last_failed_at, &nulls[6]);
    values[7] = text_or_null(status.last_error, &nulls[7]);
    values[8] = time_or_null(status.failing_since, &nulls[8]);
    values[9] = Int32GetDatum(status.child_pid);
    HeapTuple tuple = heap_form_tuple(BlessTupleDesc(descriptor), values, nulls);
    PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}
