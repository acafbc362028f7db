// The SQL functions that reach a backup's storage, each given the storage its catalog row
// records (storage, s3_endpoint, s3_region, s3_path_style) and an object key:
// lokbackup_internal.storage_location(), storage_url() and storage_remove() (which removes once
// the transaction commits), helpers of lokbackup_restore_plan(), lokbackup_download_url() and
// lokbackup_internal.queue_removal(); lokbackup_internal.storage_in_force(), the storage a
// backup made now is written to, and storage_copy_in_force(), the second destination it is
// copied to. Each reaches a row's storage with the keys of its destination (s3_options()). The C
// symbols keep the names the functions had before 0.5.0.
#include "extension/postgres.hpp"

extern "C" {
#include "fmgr.h"
#include "funcapi.h"
#include "access/htup_details.h"
#include "utils/builtins.h"
}

#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"
#include "extension/storage_removal.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(lokbackup_storage_location);
PG_FUNCTION_INFO_V1(lokbackup_storage_remove);
PG_FUNCTION_INFO_V1(lokbackup_storage_url);
PG_FUNCTION_INFO_V1(lokbackup_storage_in_force);
PG_FUNCTION_INFO_V1(lokbackup_storage_copy_in_force);
}

using namespace lokbackup::pg;

static char *text_argument(FunctionCallInfo fcinfo, int argument)
{
    return PG_ARGISNULL(argument) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(argument));
}

// The row's storage (arguments 0 to 3) and the object key (argument 4). Only the extension's own
// functions call these, with a catalog row's values; a row without storage is a damaged catalog.
static RowStorage row_storage_arguments(FunctionCallInfo fcinfo, char **object_key)
{
    RowStorage storage{text_argument(fcinfo, 0), text_argument(fcinfo, 1), text_argument(fcinfo, 2),
                       !PG_ARGISNULL(3) && PG_GETARG_BOOL(3)};
    *object_key = text_argument(fcinfo, 4);
    if (storage.spec == nullptr || *object_key == nullptr)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("a backup's storage and object key must not be NULL")));
    return storage;
}

Datum lokbackup_storage_location(PG_FUNCTION_ARGS)
{
    char *object_key = nullptr;
    RowStorage storage = row_storage_arguments(fcinfo, &object_key);
    PG_RETURN_TEXT_P(cstring_to_text(storage_location(storage, object_key)));
}

Datum lokbackup_storage_remove(PG_FUNCTION_ARGS)
{
    char *object_key = nullptr;
    RowStorage storage = row_storage_arguments(fcinfo, &object_key);
    require_catalog_database("The removal of a backup's object");
    remove_after_commit(storage, object_key);
    PG_RETURN_VOID();
}

Datum lokbackup_storage_url(PG_FUNCTION_ARGS)
{
    char *object_key = nullptr;
    RowStorage storage = row_storage_arguments(fcinfo, &object_key);
    require_catalog_database("A download URL");
    if (PG_ARGISNULL(5))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("the validity of a download URL must not be NULL")));
    PG_RETURN_TEXT_P(
        cstring_to_text(storage_presigned_url(storage, object_key, PG_GETARG_INT64(5))));
}

// `storage` as a row (storage, s3_endpoint, s3_region, s3_path_style) of the function's result
// type.
static Datum row_storage_datum(FunctionCallInfo fcinfo, const RowStorage &storage)
{
    TupleDesc descriptor;
    if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "a storage function must return a row");
    Datum values[4] = {CStringGetTextDatum(storage.spec),
                       storage.s3_endpoint ? CStringGetTextDatum(storage.s3_endpoint) : (Datum)0,
                       storage.s3_region ? CStringGetTextDatum(storage.s3_region) : (Datum)0,
                       BoolGetDatum(storage.s3_path_style)};
    bool nulls[4] = {false, storage.s3_endpoint == nullptr, storage.s3_region == nullptr,
                     storage.s3_region == nullptr};
    return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(descriptor), values, nulls));
}

Datum lokbackup_storage_in_force(PG_FUNCTION_ARGS)
{
    PG_RETURN_DATUM(row_storage_datum(fcinfo, storage_in_force()));
}

// NULL when lokbackup.storage_copy is empty.
Datum lokbackup_storage_copy_in_force(PG_FUNCTION_ARGS)
{
    RowStorage copy = storage_copy_in_force();
    if (copy.spec == nullptr)
        PG_RETURN_NULL();
    PG_RETURN_DATUM(row_storage_datum(fcinfo, copy));
}
