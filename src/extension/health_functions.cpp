// What lokbackup_health() needs from the server's side: when the schedule last fired, and which
// databases lokbackup.databases names, parsed as the worker parses them.
#include "extension/postgres.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include "extension/schedule_bridge.hpp"
#include "extension/settings.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(lokbackup_last_firing);
PG_FUNCTION_INFO_V1(lokbackup_named_databases);
}

using namespace lokbackup::pg;

Datum lokbackup_last_firing(PG_FUNCTION_ARGS)
{
    TimestampTz last = last_firing(schedule_setting, PG_GETARG_TIMESTAMPTZ(0));
    if (last == 0)
        PG_RETURN_NULL();
    PG_RETURN_TIMESTAMPTZ(last);
}

// NULL when lokbackup.databases is empty, which stands for every connectable database.
Datum lokbackup_named_databases(PG_FUNCTION_ARGS)
{
    List *names = named_databases_setting();
    if (names == NIL)
        PG_RETURN_NULL();
    Datum *elements = static_cast<Datum *>(palloc(sizeof(Datum) * list_length(names)));
    int count = 0;
    ListCell *cell;
    foreach (cell, names)
        elements[count++] = CStringGetTextDatum(static_cast<const char *>(lfirst(cell)));
    PG_RETURN_ARRAYTYPE_P(construct_array(elements, count, TEXTOID, -1, false, TYPALIGN_INT));
}
