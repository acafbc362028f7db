// The SQL functions that reach storage: lokbackup_storage_location() and
// lokbackup_storage_remove() (which removes once the transaction commits) and
// lokbackup_storage_url(), internal helpers of lokbackup_restore_plan(), lokbackup_delete() and
// lokbackup_download_url().
extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "utils/builtins.h"
}

#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"
#include "extension/storage_removal.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(lokbackup_storage_location);
PG_FUNCTION_INFO_V1(lokbackup_storage_remove);
PG_FUNCTION_INFO_V1(lokbackup_storage_url);
}

using namespace lokbackup::pg;

Datum lokbackup_storage_location(PG_FUNCTION_ARGS)
{
    char *object_key = text_to_cstring(PG_GETARG_TEXT_PP(0));
    PG_RETURN_TEXT_P(cstring_to_text(storage_location(storage_spec(), object_key)));
}

Datum lokbackup_storage_remove(PG_FUNCTION_ARGS)
{
    remove_after_commit(text_to_cstring(PG_GETARG_TEXT_PP(0)));
    PG_RETURN_VOID();
}

Datum lokbackup_storage_url(PG_FUNCTION_ARGS)
{
    char *object_key = text_to_cstring(PG_GETARG_TEXT_PP(0));
    PG_RETURN_TEXT_P(
        cstring_to_text(storage_presigned_url(storage_spec(), object_key, PG_GETARG_INT64(1))));
}
