#include "extension/catalog.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include "extension/settings.hpp"
#include "extension/storage_bridge.hpp"
#include "extension/storage_removal.hpp"

#include <utility>

namespace lokbackup::pg
{

// The memory context that was current before catalog work began: results that must outlive it
// are copied there.
static MemoryContext caller_context = nullptr;

// The extension's schema, quoted, as table() found it in this SPI connection (NULL: not yet). It
// lives in SPI's memory, so it is forgotten with the connection: the extension may be dropped and
// created in another schema between two transactions.
static const char *extension_schema = nullptr;

// Whether the catalog records each row's storage (it has been updated to 0.3.0); -1: not looked
// up yet in this SPI connection.
static int records_storage = -1;

void connect_catalog()
{
    caller_context = CurrentMemoryContext;
    SPI_connect();
    extension_schema = nullptr;
    records_storage = -1;
}

void disconnect_catalog()
{
    SPI_finish();
    MemoryContextSwitchTo(caller_context);
}

void begin_catalog_work(const char *activity)
{
    MemoryContext context = CurrentMemoryContext;
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    MemoryContextSwitchTo(context);
    connect_catalog();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, activity);
}

void end_catalog_work()
{
    PopActiveSnapshot();
    disconnect_catalog();
    CommitTransactionCommand();
    MemoryContextSwitchTo(caller_context);
    pgstat_report_stat(false);
    pgstat_report_activity(STATE_IDLE, nullptr);
}

void run_chore(void (*chore)(void *argument), void *argument, const char *what)
{
    MemoryContext context = CurrentMemoryContext;
    PG_TRY();
    {
        chore(argument);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        AbortCurrentTransaction();
        pgstat_report_activity(STATE_IDLE, nullptr);
        ereport(WARNING, (errmsg("lokbackup: %s failed: %s", what, error->message)));
    }
    PG_END_TRY();
}

void pin_search_path()
{
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_SESSION);
}

bool catalog_installed()
{
    return OidIsValid(get_extension_oid("lokbackup", true));
}

// The catalog's relations live in the extension's schema, whichever the DBA chose; every
// statement names them with it, since the search_path holds pg_catalog alone (pin_search_path()).
static const char *table(const char *name)
{
    if (extension_schema == nullptr) {
        if (SPI_execute(
                "SELECT extnamespace::pg_catalog.regnamespace::text FROM pg_catalog.pg_extension"
                " WHERE extname = 'lokbackup'",
                true, 1) != SPI_OK_SELECT ||
            SPI_processed != 1)
            elog(ERROR, "lokbackup: the extension's schema was not found");
        // regnamespace output is already quoted where needed.
        extension_schema = text_column(0, 1);
    }
    return psprintf("%s.%s", extension_schema, quote_identifier(name));
}

void execute(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls, int expected)
{
    int result = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
    if (result != expected)
        elog(ERROR, "lokbackup: catalog statement failed (SPI result %d): %s", result, sql);
}

char *text_column(int row, int column)
{
    return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column);
}

static int64 int64_column(int row, int column)
{
    bool isnull = false;
    Datum value = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, &isnull);
    return isnull ? 0 : DatumGetInt64(value);
}

// SPI results live in SPI's memory context, which SPI_finish() frees: copy what must outlive it.
static char *copy_out(const char *text)
{
    return text == nullptr ? nullptr : MemoryContextStrdup(caller_context, text);
}

// Whether lokbackup_backups has `column`: until ALTER EXTENSION UPDATE, the worker backs up with
// an older catalog, without the columns that it lacks.
static bool backups_have_column(const char *column)
{
    Oid types[] = {TEXTOID, TEXTOID};
    Datum values[] = {CStringGetTextDatum(table("lokbackup_backups")), CStringGetTextDatum(column)};
    execute("SELECT FROM pg_catalog.pg_attribute WHERE attrelid = $1::pg_catalog.regclass "
            "AND attname = $2 AND NOT attisdropped",
            2, types, values, nullptr, SPI_OK_SELECT);
    return SPI_processed == 1;
}

bool catalog_records_wal_ranges()
{
    return backups_have_column("start_wal_file");
}

void mark_alive(int64 id)
{
    if (!backups_have_column("alive_at")) // 0.3.0
        return;
    char *sql = psprintf("UPDATE %s SET alive_at = now() WHERE id = $1 AND status = 'in_progress'",
                         table("lokbackup_backups"));
    Oid types[] = {INT8OID};
    Datum values[] = {Int64GetDatum(id)};
    execute(sql, 1, types, values, nullptr, SPI_OK_UPDATE);
}

List *fail_unfinished_backups(const char *reason, bool followed_until_now)
{
    // Found after a crash, a backup ended when the worker last saw it running, not now: the time
    // the server was down is no part of its duration. The error says both times.
    const char *finished_at = "now()";
    const char *error = "$1";
    if (!followed_until_now && backups_have_column("alive_at")) {
        finished_at = "coalesce(alive_at, started_at, now())";
        error = "$1 || coalesce('; last seen running at ' || to_char(alive_at AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD HH24:MI:SS') || ' UTC, found interrupted at ' || "
                "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', '')";
    }
    char *sql =
        psprintf("UPDATE %s SET status = 'failed', error = %s, finished_at = %s, "
                 "started_at = coalesce(started_at, now()) "
                 "WHERE status IN ('pending', 'in_progress') RETURNING id, object_key, "
                 "database, type, started_at, "
                 "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                 "error, format",
                 table("lokbackup_backups"), error, finished_at);
    Oid types[] = {TEXTOID};
    Datum values[] = {CStringGetTextDatum(reason)};
    // Their copies fail with them: no copy is left in progress.
    if (catalog_records_copies())
        execute(psprintf("UPDATE %s c SET status = 'failed', error = $1 FROM %s b "
                         "WHERE c.status = 'in_progress' AND b.id = c.backup_id "
                         "AND b.status IN ('pending', 'in_progress')",
                         table("lokbackup_copies"), table("lokbackup_backups")),
                1, types, values, nullptr, SPI_OK_UPDATE);
    execute(sql, 1, types, values, nullptr, SPI_OK_UPDATE_RETURNING);

    List *unfinished = NIL;
    MemoryContext previous = MemoryContextSwitchTo(caller_context);
    for (uint64 row = 0; row < SPI_processed; row++) {
        auto *backup = static_cast<UnfinishedBackup *>(palloc(sizeof(UnfinishedBackup)));
        backup->id = int64_column(row, 1);
        backup->object_key = copy_out(text_column(row, 2));
        backup->database = copy_out(text_column(row, 3));
        backup->type = copy_out(text_column(row, 4));
        bool isnull = false;
        backup->started = DatumGetTimestampTz(
            SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 5, &isnull));
        backup->started_at = copy_out(text_column(row, 6));
        backup->error = copy_out(text_column(row, 7));
        backup->format = copy_out(text_column(row, 8));
        unfinished = lappend(unfinished, backup);
    }
    MemoryContextSwitchTo(previous);
    return unfinished;
}

static List *named_databases()
{
    MemoryContext previous = MemoryContextSwitchTo(caller_context);
    List *names = named_databases_setting();
    MemoryContextSwitchTo(previous);
    return names;
}

char *database_refusal(const char *database)
{
    Oid types[] = {TEXTOID};
    Datum values[] = {CStringGetTextDatum(database)};
    execute("SELECT datallowconn, datistemplate FROM pg_catalog.pg_database WHERE datname = $1", 1,
            types, values, nullptr, SPI_OK_SELECT);
    const char *problem = nullptr;
    if (SPI_processed == 0)
        problem = "does not exist";
    else if (strcmp(text_column(0, 2), "t") == 0)
        problem = "is a template";
    else if (strcmp(text_column(0, 1), "t") != 0)
        problem = "does not allow connections";
    if (problem == nullptr)
        return nullptr;
    return MemoryContextStrdup(
        caller_context,
        psprintf("database \"%s\" %s: correct lokbackup.databases and reload the configuration",
                 database, problem));
}

List *databases_to_back_up()
{
    if (databases_setting[0] != '\0')
        return named_databases();
    // A restore drill's scratch database (and a restore's side database of one) is no database to
    // back up: lokbackup_health() leaves it out too.
    execute("SELECT datname FROM pg_catalog.pg_database "
            "WHERE datallowconn AND NOT datistemplate AND datname !~ '^lokbackup_drill_[0-9]+' "
            "ORDER BY datname",
            0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    List *names = NIL;
    MemoryContext previous = MemoryContextSwitchTo(caller_context);
    for (uint64 row = 0; row < SPI_processed; row++)
        names = lappend(names, pstrdup(text_column(row, 1)));
    MemoryContextSwitchTo(previous);
    return names;
}

int64 next_run_id()
{
    char *sql =
        psprintf("SELECT nextval(%s::regclass)", quote_literal_cstr(table("lokbackup_run_seq")));
    execute(sql, 0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    return int64_column(0, 1);
}

// New binaries may run before ALTER EXTENSION lokbackup UPDATE: backups go on meanwhile, written
// to the storage in force as 0.2.0 did, without the columns that a 0.2.0 catalog lacks.
static bool catalog_records_storage()
{
    if (records_storage < 0) {
        Oid types[] = {TEXTOID};
        Datum values[] = {CStringGetTextDatum(table("lokbackup_removals"))};
        execute("SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, types, values, nullptr,
                SPI_OK_SELECT);
        records_storage = strcmp(text_column(0, 1), "t") == 0 ? 1 : 0;
    }
    return records_storage == 1;
}

static Datum nullable_text(const char *text)
{
    return text ? CStringGetTextDatum(text) : (Datum)0;
}

static char null_flag(const void *value)
{
    return value ? ' ' : 'n';
}

// Reads the four storage columns that start at `column` (storage, s3_endpoint, s3_region,
// s3_path_style) into memory that outlives SPI.
static RowStorage row_storage_columns(int row, int column)
{
    bool isnull = false;
    Datum path_style =
        SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column + 3, &isnull);
    return RowStorage{copy_out(text_column(row, column)), copy_out(text_column(row, column + 1)),
                      copy_out(text_column(row, column + 2)), !isnull && DatumGetBool(path_style)};
}

// Whether the catalog has the table `name`: a server may run this library on an older catalog
// until ALTER EXTENSION lokbackup UPDATE.
static bool catalog_has_table(const char *name)
{
    Oid types[] = {TEXTOID};
    Datum values[] = {CStringGetTextDatum(table(name))};
    execute("SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, types, values, nullptr,
            SPI_OK_SELECT);
    bool isnull = false;
    return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

bool catalog_has_storage_ids()
{
    return catalog_has_table("lokbackup_storage_ids");
}

bool catalog_records_copies()
{
    return catalog_has_table("lokbackup_copies");
}

int64 storage_highest_id(const char *storage)
{
    char *sql =
        psprintf("SELECT highest_id FROM %s WHERE storage = $1", table("lokbackup_storage_ids"));
    Oid types[] = {TEXTOID};
    Datum values[] = {CStringGetTextDatum(storage)};
    execute(sql, 1, types, values, nullptr, SPI_OK_SELECT);
    return SPI_processed == 0 ? -1 : int64_column(0, 1);
}

void record_storage_highest_id(const char *storage, int64 highest_id)
{
    // Only ever forward: a sequence already past the storage keeps its place.
    char *sql = psprintf(
        "SELECT pg_catalog.setval(s.seq, $1) FROM (SELECT pg_catalog.pg_get_serial_sequence(%s, "
        "'id')::pg_catalog.regclass AS seq) s "
        "WHERE $1 > COALESCE(pg_catalog.pg_sequence_last_value(s.seq), 0)",
        quote_literal_cstr(table("lokbackup_backups")));
    Oid types[] = {INT8OID, TEXTOID};
    Datum values[] = {Int64GetDatum(highest_id), CStringGetTextDatum(storage)};
    execute(sql, 1, types, values, nullptr, SPI_OK_SELECT);
    sql = psprintf("INSERT INTO %s (storage, checked_at, highest_id) VALUES ($2, now(), $1) "
                   "ON CONFLICT (storage) DO UPDATE SET checked_at = EXCLUDED.checked_at, "
                   "highest_id = EXCLUDED.highest_id",
                   table("lokbackup_storage_ids"));
    execute(sql, 2, types, values, nullptr, SPI_OK_INSERT);
}

bool base_backups_exist()
{
    execute(
        psprintf("SELECT FROM %s WHERE contents = 'cluster' LIMIT 1", table("lokbackup_backups")),
        0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    return SPI_processed > 0;
}

char *oldest_kept_base_backup_start(const char *storage)
{
    // A base backup is in `storage` as its primary, or as its completed copy (0.7.0 on).
    const char *as_copy = catalog_records_copies()
                              ? psprintf(" OR EXISTS (SELECT FROM %s c WHERE c.backup_id = b.id "
                                         "AND c.status = 'completed' AND c.storage = $1)",
                                         table("lokbackup_copies"))
                              : "";
    char *sql = psprintf("SELECT b.start_wal_file FROM %s b WHERE b.contents = 'cluster' "
                         "AND b.status = 'completed' AND (b.storage = $1%s) "
                         "ORDER BY substr(b.start_wal_file, 9), b.start_wal_file LIMIT 1",
                         table("lokbackup_backups"), as_copy);
    Oid types[] = {TEXTOID};
    Datum values[] = {CStringGetTextDatum(storage)};
    execute(sql, 1, types, values, nullptr, SPI_OK_SELECT);
    return SPI_processed == 0 ? nullptr : copy_out(text_column(0, 1));
}

void record_wal_archive_size(const WalArchiveSizeRow &size)
{
    const char *table_name = "lokbackup_internal.wal_archive_size";
    execute(psprintf("DELETE FROM %s", table_name), 0, nullptr, nullptr, nullptr, SPI_OK_DELETE);
    Oid types[] = {INT8OID, INT8OID, TEXTOID, TEXTOID};
    Datum values[] = {Int64GetDatum(static_cast<int64>(size.objects)),
                      Int64GetDatum(static_cast<int64>(size.bytes)), nullable_text(size.oldest_wal),
                      nullable_text(size.newest_wal)};
    const char nulls[] = {' ', ' ', null_flag(size.oldest_wal), null_flag(size.newest_wal)};
    execute(psprintf("INSERT INTO %s (measured_at, objects, bytes, oldest_wal, newest_wal) "
                     "VALUES (now(), $1, $2, $3, $4)",
                     table_name),
            4, types, values, nulls, SPI_OK_INSERT);
}

int64 insert_backup(const NewBackup &backup)
{
    bool with_storage = catalog_records_storage();
    if (backup.encrypted_to != nullptr && !backups_have_column("encrypted_to"))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("lokbackup.encrypt_to is set, but the catalog is older than 0.5.0 "
                               "and cannot record an encrypted backup"),
                        errhint("Run ALTER EXTENSION lokbackup UPDATE in database \"%s\".",
                                catalog_database_setting)));
    char *sql = psprintf("INSERT INTO %s (run_id, type, contents, database, format, compression, "
                         "compression_level, requested_by%s%s) "
                         "VALUES ($1, $2, CASE WHEN $4 = 'tar' THEN 'cluster' WHEN $3 IS NULL "
                         "THEN 'roles' ELSE 'database' END, "
                         "$3, $4, $5, $6, $7%s%s) RETURNING id",
                         table("lokbackup_backups"),
                         with_storage ? ", storage, s3_endpoint, s3_region, s3_path_style" : "",
                         backup.encrypted_to ? ", encrypted_to" : "",
                         with_storage ? ", $8, $9, $10, $11" : "",
                         backup.encrypted_to ? ", $12::text[]" : "");
    const RowStorage &storage = backup.storage;
    Oid types[] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4OID,
                   TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID, TEXTOID};
    Datum values[] = {Int64GetDatum(backup.run_id),
                      CStringGetTextDatum(backup.type),
                      nullable_text(backup.database),
                      CStringGetTextDatum(backup.format),
                      CStringGetTextDatum(backup.compression),
                      Int32GetDatum(backup.compression_level),
                      CStringGetTextDatum(backup.requested_by),
                      CStringGetTextDatum(storage.spec),
                      nullable_text(storage.s3_endpoint),
                      nullable_text(storage.s3_region),
                      BoolGetDatum(storage.s3_path_style),
                      nullable_text(backup.encrypted_to)};
    // A directory has no S3 addressing: s3_path_style is NULL with the region.
    const char nulls[] = {' ',
                          ' ',
                          null_flag(backup.database),
                          ' ',
                          ' ',
                          ' ',
                          ' ',
                          ' ',
                          null_flag(storage.s3_endpoint),
                          null_flag(storage.s3_region),
                          null_flag(storage.s3_region),
                          null_flag(backup.encrypted_to)};
    execute(sql,
            backup.encrypted_to ? 12
            : with_storage      ? 11
                                : 7,
            types, values, nulls, SPI_OK_INSERT_RETURNING);
    return int64_column(0, 1);
}

void set_object_key(int64 id, const char *object_key)
{
    char *sql = psprintf("UPDATE %s SET object_key = $2 WHERE id = $1", table("lokbackup_backups"));
    Oid types[] = {INT8OID, TEXTOID};
    Datum values[] = {Int64GetDatum(id), CStringGetTextDatum(object_key)};
    execute(sql, 2, types, values, nullptr, SPI_OK_UPDATE);
}

void insert_audit(const char *actor, const char *action, int64 backup_id, const char *detail)
{
    char *sql = psprintf("INSERT INTO %s (actor, action, backup_id, detail) "
                         "VALUES ($1, $2, $3, $4::jsonb)",
                         table("lokbackup_audit"));
    Oid types[] = {TEXTOID, TEXTOID, INT8OID, TEXTOID};
    Datum values[] = {CStringGetTextDatum(actor), CStringGetTextDatum(action),
                      Int64GetDatum(backup_id), detail ? CStringGetTextDatum(detail) : (Datum)0};
    const char nulls[] = {' ', ' ', backup_id ? ' ' : 'n', detail ? ' ' : 'n'};
    execute(sql, 4, types, values, nulls, SPI_OK_INSERT);
}

TimestampTz last_scheduled_request(bool cluster)
{
    char *sql = psprintf("SELECT max(requested_at) FROM %s WHERE type <> 'manual' "
                         "AND (contents = 'cluster') = $1",
                         table("lokbackup_backups"));
    Oid types[] = {BOOLOID};
    Datum values[] = {BoolGetDatum(cluster)};
    execute(sql, 1, types, values, nullptr, SPI_OK_SELECT);
    bool isnull = false;
    Datum value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
    return isnull ? 0 : DatumGetTimestampTz(value);
}

TimestampTz *previous_scheduled_requests(const char *database, bool cluster, int *count)
{
    char *sql = psprintf("SELECT requested_at FROM %s WHERE type <> 'manual' "
                         "AND status IN ('completed', 'in_progress', 'pending') "
                         "AND database IS NOT DISTINCT FROM $1 AND (contents = 'cluster') = $2",
                         table("lokbackup_backups"));
    Oid types[] = {TEXTOID, BOOLOID};
    Datum values[] = {database ? CStringGetTextDatum(database) : (Datum)0, BoolGetDatum(cluster)};
    const char nulls[] = {database ? ' ' : 'n', ' '};
    execute(sql, 2, types, values, nulls, SPI_OK_SELECT);
    *count = static_cast<int>(SPI_processed);
    auto *times = static_cast<TimestampTz *>(
        MemoryContextAlloc(caller_context, sizeof(TimestampTz) * (SPI_processed + 1)));
    for (uint64 row = 0; row < SPI_processed; row++) {
        bool isnull = false;
        times[row] = DatumGetTimestampTz(
            SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &isnull));
    }
    return times;
}

RotationCandidate *rotation_candidates(int *count)
{
    char *sql = psprintf("SELECT id, coalesce(database, ''), type, status, requested_at, "
                         "finished_at, pinned, object_key, contents = 'cluster' FROM %s "
                         "WHERE status <> 'deleted'",
                         table("lokbackup_backups"));
    execute(sql, 0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    *count = static_cast<int>(SPI_processed);
    auto *candidates = static_cast<RotationCandidate *>(
        MemoryContextAllocZero(caller_context, sizeof(RotationCandidate) * (SPI_processed + 1)));
    for (uint64 row = 0; row < SPI_processed; row++) {
        RotationCandidate &candidate = candidates[row];
        HeapTuple tuple = SPI_tuptable->vals[row];
        TupleDesc descriptor = SPI_tuptable->tupdesc;
        bool isnull = false;
        candidate.id = int64_column(row, 1);
        candidate.database = copy_out(text_column(row, 2));
        candidate.type = copy_out(text_column(row, 3));
        candidate.status = copy_out(text_column(row, 4));
        candidate.requested_at = DatumGetTimestampTz(SPI_getbinval(tuple, descriptor, 5, &isnull));
        Datum finished = SPI_getbinval(tuple, descriptor, 6, &isnull);
        candidate.finished_at = isnull ? 0 : DatumGetTimestampTz(finished);
        candidate.pinned = DatumGetBool(SPI_getbinval(tuple, descriptor, 7, &isnull));
        candidate.object_key = copy_out(text_column(row, 8));
        candidate.base_backup = DatumGetBool(SPI_getbinval(tuple, descriptor, 9, &isnull));
    }
    return candidates;
}

void mark_rotated(int64 id, const char *actor, const char *reason)
{
    char *sql =
        psprintf("UPDATE %s SET status = 'deleted' WHERE id = $1", table("lokbackup_backups"));
    Oid types[] = {INT8OID};
    Datum values[] = {Int64GetDatum(id)};
    execute(sql, 1, types, values, nullptr, SPI_OK_UPDATE);
    StringInfoData detail;
    initStringInfo(&detail);
    appendStringInfoString(&detail, "{\"reason\": ");
    escape_json(&detail, reason);
    appendStringInfoChar(&detail, '}');
    insert_audit(actor, "rotate", id, detail.data);
}

StartedBackup mark_in_progress(int64 id)
{
    bool with_storage = catalog_records_storage();
    // 0.5.0
    const char *encrypted_to =
        backups_have_column("encrypted_to") ? "array_to_string(encrypted_to, ',')" : "NULL::text";
    char *sql =
        psprintf("UPDATE %s SET status = 'in_progress', started_at = now() WHERE id = $1 "
                 "RETURNING database, object_key, format, compression, compression_level, type, "
                 "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), %s%s",
                 table("lokbackup_backups"), encrypted_to,
                 with_storage ? ", storage, s3_endpoint, s3_region, s3_path_style" : "");
    Oid types[] = {INT8OID};
    Datum values[] = {Int64GetDatum(id)};
    execute(sql, 1, types, values, nullptr, SPI_OK_UPDATE_RETURNING);
    if (SPI_processed != 1)
        elog(ERROR, "lokbackup: backup " INT64_FORMAT " vanished from the catalog", id);
    StartedBackup started;
    started.database = copy_out(text_column(0, 1));
    started.object_key = copy_out(text_column(0, 2));
    started.format = copy_out(text_column(0, 3));
    started.compression = copy_out(text_column(0, 4));
    started.compression_level = pg_strtoint32(text_column(0, 5));
    started.type = copy_out(text_column(0, 6));
    started.started_at = copy_out(text_column(0, 7));
    started.encrypted_to = copy_out(text_column(0, 8));
    if (with_storage) {
        started.storage = row_storage_columns(0, 9);
    } else {
        MemoryContext previous = MemoryContextSwitchTo(caller_context);
        started.storage = storage_in_force();
        MemoryContextSwitchTo(previous);
    }
    return started;
}

void end_backup_sessions(const char *application_name)
{
    // Only the bootstrap superuser's: anyone may choose an application_name.
    Oid types[] = {TEXTOID, OIDOID};
    Datum values[] = {CStringGetTextDatum(application_name),
                      ObjectIdGetDatum(BOOTSTRAP_SUPERUSERID)};
    execute("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity "
            "WHERE application_name = $1 AND usesysid = $2 AND pid <> pg_catalog.pg_backend_pid()",
            2, types, values, nullptr, SPI_OK_SELECT);
}

void mark_completed(int64 id, uint64 size, uint64 raw_size, const char *sha256,
                    const char *database_properties, const char *inventory,
                    const WalRangeColumns &wal_range)
{
    // The JSON columns of later releases, set where the catalog has them: database_properties
    // (0.4.0), inventory (0.5.0).
    Oid types[10] = {INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID,
                     TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
    Datum values[10] = {Int64GetDatum(id), Int64GetDatum(static_cast<int64>(size)),
                        Int64GetDatum(static_cast<int64>(raw_size)), CStringGetTextDatum(sha256)};
    char nulls[10] = {' ', ' ', ' ', ' '};
    int count = 4;
    StringInfoData set;
    initStringInfo(&set);
    const std::pair<const char *, const char *> json_columns[] = {
        {"database_properties", database_properties}, {"inventory", inventory}};
    for (const auto &[column, json] : json_columns) {
        if (!backups_have_column(column))
            continue;
        values[count] = nullable_text(json);
        nulls[count] = null_flag(json);
        ++count;
        appendStringInfo(&set, ", %s = $%d::jsonb", column, count);
    }
    // A base backup runs only on a catalog that has these (0.6.0).
    if (wal_range.start_wal_file != nullptr) {
        types[count] = INT4OID;
        values[count] = Int32GetDatum(wal_range.timeline);
        values[count + 1] = CStringGetTextDatum(wal_range.start_lsn);
        values[count + 2] = CStringGetTextDatum(wal_range.stop_lsn);
        values[count + 3] = CStringGetTextDatum(wal_range.start_wal_file);
        for (int i = 0; i < 4; i++)
            nulls[count + i] = ' ';
        appendStringInfo(&set,
                         ", timeline = $%d, start_lsn = $%d::pg_lsn, stop_lsn = $%d::pg_lsn, "
                         "start_wal_file = $%d",
                         count + 1, count + 2, count + 3, count + 4);
        count += 4;
    }
    char *sql = psprintf("UPDATE %s SET status = 'completed', size = $2, raw_size = $3, "
                         "sha256 = $4, finished_at = now(), error = NULL%s WHERE id = $1",
                         table("lokbackup_backups"), set.data);
    execute(sql, count, types, values, nulls, SPI_OK_UPDATE);
}

void mark_failed(int64 id, const char *error)
{
    char *sql = psprintf("UPDATE %s SET status = 'failed', error = $2, finished_at = now(), "
                         "started_at = coalesce(started_at, now()) WHERE id = $1",
                         table("lokbackup_backups"));
    Oid types[] = {INT8OID, TEXTOID};
    Datum values[] = {Int64GetDatum(id), CStringGetTextDatum(error)};
    execute(sql, 2, types, values, nullptr, SPI_OK_UPDATE);
}

void insert_copy(int64 id, const RowStorage &copy, const char *object_key, bool required)
{
    char *sql = psprintf("INSERT INTO %s (backup_id, storage, s3_endpoint, s3_region, "
                         "s3_path_style, object_key, required, status) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_progress')",
                         table("lokbackup_copies"));
    Oid types[] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, BOOLOID, TEXTOID, BOOLOID};
    Datum values[] = {Int64GetDatum(id),
                      CStringGetTextDatum(copy.spec),
                      nullable_text(copy.s3_endpoint),
                      nullable_text(copy.s3_region),
                      BoolGetDatum(copy.s3_path_style),
                      CStringGetTextDatum(object_key),
                      BoolGetDatum(required)};
    // A directory has no S3 addressing, as in insert_backup().
    const char nulls[] = {
        ' ', ' ', null_flag(copy.s3_endpoint), null_flag(copy.s3_region), null_flag(copy.s3_region),
        ' ', ' '};
    execute(sql, 7, types, values, nulls, SPI_OK_INSERT);
}

void mark_copy_completed(int64 id, uint64 size, const char *sha256)
{
    char *sql = psprintf("UPDATE %s SET status = 'completed', size = $2, sha256 = $3, "
                         "stored_at = now(), error = NULL "
                         "WHERE backup_id = $1 AND status = 'in_progress'",
                         table("lokbackup_copies"));
    Oid types[] = {INT8OID, INT8OID, TEXTOID};
    Datum values[] = {Int64GetDatum(id), Int64GetDatum(static_cast<int64>(size)),
                      CStringGetTextDatum(sha256)};
    execute(sql, 3, types, values, nullptr, SPI_OK_UPDATE);
}

void mark_copy_failed(int64 id, const char *error)
{
    char *sql = psprintf("UPDATE %s SET status = 'failed', error = $2 "
                         "WHERE backup_id = $1 AND status = 'in_progress'",
                         table("lokbackup_copies"));
    Oid types[] = {INT8OID, TEXTOID};
    Datum values[] = {Int64GetDatum(id), CStringGetTextDatum(error)};
    execute(sql, 2, types, values, nullptr, SPI_OK_UPDATE);
}

void queue_copy_removal(int64 id)
{
    Oid types[] = {INT8OID};
    Datum values[] = {Int64GetDatum(id)};
    execute("SELECT lokbackup_internal.queue_copy_removal($1)", 1, types, values, nullptr,
            SPI_OK_SELECT);
}

void queue_removal(int64 id, const char *object_key)
{
    if (!catalog_records_storage()) {
        remove_after_commit(storage_in_force(), object_key);
        return;
    }
    // Until ALTER EXTENSION lokbackup UPDATE to 0.5.0, the function is in the extension's schema.
    Oid types_lookup[] = {TEXTOID};
    Datum name[] = {CStringGetTextDatum("lokbackup_internal.queue_removal(bigint)")};
    execute("SELECT pg_catalog.to_regprocedure($1) IS NOT NULL", 1, types_lookup, name, nullptr,
            SPI_OK_SELECT);
    const char *function = strcmp(text_column(0, 1), "t") == 0 ? "lokbackup_internal.queue_removal"
                                                               : table("lokbackup_queue_removal");
    char *sql = psprintf("SELECT %s($1)", function);
    Oid types[] = {INT8OID};
    Datum values[] = {Int64GetDatum(id)};
    execute(sql, 1, types, values, nullptr, SPI_OK_SELECT);
}

QueuedRemoval *due_removals(bool all, int limit, int *count)
{
    *count = 0;
    if (!catalog_records_storage())
        return nullptr;
    char *sql = psprintf("SELECT id, object_key, attempts, storage, s3_endpoint, s3_region, "
                         "s3_path_style FROM %s WHERE $1 OR next_attempt_at <= now() "
                         "ORDER BY next_attempt_at, id LIMIT $2",
                         table("lokbackup_removals"));
    Oid types[] = {BOOLOID, INT4OID};
    Datum values[] = {BoolGetDatum(all), Int32GetDatum(limit)};
    execute(sql, 2, types, values, nullptr, SPI_OK_SELECT);
    *count = static_cast<int>(SPI_processed);
    auto *removals = static_cast<QueuedRemoval *>(
        MemoryContextAllocZero(caller_context, sizeof(QueuedRemoval) * (SPI_processed + 1)));
    for (uint64 row = 0; row < SPI_processed; row++) {
        removals[row].id = int64_column(row, 1);
        removals[row].object_key = copy_out(text_column(row, 2));
        removals[row].attempts = pg_strtoint32(text_column(row, 3));
        removals[row].storage = row_storage_columns(row, 4);
    }
    return removals;
}

char **running_object_keys(int *count)
{
    char *sql = psprintf("SELECT object_key FROM %s WHERE status IN ('pending', 'in_progress') "
                         "AND object_key IS NOT NULL",
                         table("lokbackup_backups"));
    execute(sql, 0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    *count = static_cast<int>(SPI_processed);
    auto *keys = static_cast<char **>(
        MemoryContextAllocZero(caller_context, sizeof(char *) * (SPI_processed + 1)));
    for (uint64 row = 0; row < SPI_processed; row++)
        keys[row] = copy_out(text_column(row, 1));
    return keys;
}

void forget_removal(int64 id)
{
    char *sql = psprintf("DELETE FROM %s WHERE id = $1", table("lokbackup_removals"));
    Oid types[] = {INT8OID};
    Datum values[] = {Int64GetDatum(id)};
    execute(sql, 1, types, values, nullptr, SPI_OK_DELETE);
}

void postpone_removal(int64 id, const char *error, int64 retry_after_seconds)
{
    char *sql = psprintf("UPDATE %s SET attempts = attempts + 1, last_error = $2, "
                         "last_attempt_at = now(), "
                         "next_attempt_at = now() + $3 * interval '1 second' WHERE id = $1",
                         table("lokbackup_removals"));
    Oid types[] = {INT8OID, TEXTOID, INT8OID};
    Datum values[] = {Int64GetDatum(id), CStringGetTextDatum(error),
                      Int64GetDatum(retry_after_seconds)};
    execute(sql, 3, types, values, nullptr, SPI_OK_UPDATE);
}

} // namespace lokbackup::pg
