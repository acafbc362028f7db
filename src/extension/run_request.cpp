// lokbackup_run(type, wait, kind): hands a request to the worker through the request slot and waits
// for the worker's answer (and, with wait => true, for the end of the run).
#include "extension/postgres.hpp"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include "core/schedule/backup_type.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"
#include "extension/request_slot.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(lokbackup_run);
}

namespace lokbackup::pg
{

// The types a caller may ask for: core's vocabulary (core/schedule/backup_type.hpp).
static const char *checked_type(FunctionCallInfo fcinfo)
{
    const Vocabulary<BackupType> &types = backup_type_vocabulary();
    char *allowed = core_call([&] { return palloc_string(types.allowed()); });
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("type must not be NULL"),
                        errhint("Allowed types are %s.", allowed)));
    char *type = text_to_cstring(PG_GETARG_TEXT_PP(0));
    for (const Term<BackupType> &term : types.terms())
        if (strcmp(type, term.name) == 0)
            return term.name;
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid backup type \"%s\"", type),
             errhint("Allowed types are %s.", allowed)));
    return nullptr;
}

// kind: what the run backs up. A catalog older than 0.6.0 calls with two arguments: the dumps.
static RunKind checked_kind(FunctionCallInfo fcinfo)
{
    if (PG_NARGS() < 3)
        return RunKind::logical;
    const char *allowed = "logical (every configured database and the roles) and physical (a "
                          "base backup of the cluster)";
    if (PG_ARGISNULL(2))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("kind must not be NULL"),
                        errhint("Allowed kinds are %s.", allowed)));
    char *kind = text_to_cstring(PG_GETARG_TEXT_PP(2));
    if (strcmp(kind, "logical") == 0)
        return RunKind::logical;
    if (strcmp(kind, "physical") == 0)
        return RunKind::physical;
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid backup kind \"%s\"", kind),
             errhint("Allowed kinds are %s.", allowed)));
    return RunKind::logical;
}

static void refuse_busy(const RequestSlot &slot)
{
    StringInfoData ids;
    initStringInfo(&ids);
    for (int i = 0; i < slot.backup_count; i++)
        appendStringInfo(&ids, "%s" INT64_FORMAT, i ? ", " : "", slot.backup_ids[i]);
    bool pending = slot.state == SlotState::requested;
    ereport(
        ERROR,
        (errcode(ERRCODE_OBJECT_IN_USE),
         errmsg("a backup is already %s", pending ? "pending" : "running"),
         pending ? errdetail("A %s backup was requested by %s at %s.", slot.type, slot.requested_by,
                             timestamptz_to_str(slot.requested_at))
                 : errdetail("Run " INT64_FORMAT " (%s, requested by %s at %s) is running "
                             "backups %s.",
                             slot.run_id, slot.type, slot.requested_by,
                             timestamptz_to_str(slot.requested_at), ids.data),
         errhint("Wait until it has finished; the view lokbackup_running shows its progress.")));
}

// The worker restarts within seconds after it stopped (bgw_restart_time), and waits for the catalog
// database to exist: a request made in such a window waits for it rather than failing at once.
static const long worker_attach_timeout_ms = 15 * 1000;

static void refuse_no_worker()
{
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("the lokbackup background worker is not running"),
                    errhint("Look in the server log for why it stopped; it restarts within "
                            "seconds once lokbackup.database can be connected to.")));
}

// Places the request; returns its sequence number.
static uint64 place(const char *type, RunKind kind)
{
    // The outer user is the role set with SET ROLE; this function runs as its owner.
    char *requested_by = GetUserNameFromId(GetOuterUserId(), false);
    if (!wait_for_worker(worker_attach_timeout_ms))
        refuse_no_worker();
    RequestSlot *busy = static_cast<RequestSlot *>(palloc(sizeof(RequestSlot)));
    uint64 seq = place_request(type, kind, requested_by, busy);
    if (seq == 0 && !worker_attached())
        refuse_no_worker();
    if (seq == 0)
        refuse_busy(*busy);
    return seq;
}

// With wait => true a failed backup fails the call, so that a script sees it in its exit status
// (psql -v ON_ERROR_STOP=1) rather than in ids it would have to look up.
static void refuse_failed_backups(const RequestSlot &end, int backup_count)
{
    ereport(ERROR,
            (errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
             end.failed_count == 1 ? errmsg("backup %s failed", end.failed_backups)
                                   : errmsg("%d of the %d backups failed: %s", end.failed_count,
                                            backup_count, end.failed_backups),
             end.failed_count == 1 ? errdetail("%s", end.first_error)
                                   : errdetail("The first failed with: %s", end.first_error),
             errhint("SELECT * FROM lokbackup_list(status => 'failed') shows each failed backup "
                     "and its error.")));
}

static Datum run(FunctionCallInfo fcinfo)
{
    const char *type = checked_type(fcinfo);
    if (PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("wait must not be NULL"),
                        errhint("Pass true to return when the backups have finished, false to "
                                "return at once.")));
    bool wait = PG_GETARG_BOOL(1);
    RunKind kind = checked_kind(fcinfo);
    require_catalog_database("lokbackup_run()");
    if (RecoveryInProgress())
        ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                        errmsg("cannot run a backup on a standby"),
                        errhint("Run lokbackup_run() on the primary.")));

    uint64 seq = place(type, kind);
    RequestSlot *slot = wait_for_request(seq, false);
    if (slot->answered_seq != seq || slot->refusal[0] != '\0')
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the lokbackup worker refused the backup: %s",
                               slot->answered_seq == seq ? slot->refusal : "see the server log")));
    if (wait) {
        RequestSlot *end = wait_for_request(seq, true);
        if (end->interrupted_seq >= seq)
            ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                            errmsg("the lokbackup worker stopped before the backups had finished"),
                            errhint("lokbackup_list() shows how each of them ended.")));
        if (end->failed_count > 0)
            refuse_failed_backups(*end, slot->backup_count);
    }

    Datum *ids = static_cast<Datum *>(palloc(sizeof(Datum) * slot->backup_count));
    for (int i = 0; i < slot->backup_count; i++)
        ids[i] = Int64GetDatum(slot->backup_ids[i]);
    PG_RETURN_ARRAYTYPE_P(construct_array(ids, slot->backup_count, INT8OID, sizeof(int64),
                                          FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

} // namespace lokbackup::pg

Datum lokbackup_run(PG_FUNCTION_ARGS)
{
    return lokbackup::pg::run(fcinfo);
}
