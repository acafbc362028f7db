#include "extension/drill.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "postmaster/postmaster.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include "core/backup/drill_request.hpp"
#include "core/base/process.hpp"
#include "extension/backup_child_pipe.hpp"
#include "extension/boundary.hpp"
#include "extension/catalog.hpp"
#include "extension/notifier.hpp"
#include "extension/schedule_bridge.hpp"
#include "extension/settings.hpp"

#include <cmath>
#include <csignal>
#include <optional>

namespace lokbackup::pg
{

// The running drill's child. A global, touched only inside core_call() lambdas.
static std::optional<Process> drill_child;

struct RunningDrill {
    int64 id; // 0: no drill runs
    int64 backup_id;
    char database[NAMEDATALEN];
    char target[NAMEDATALEN];
    char user[NAMEDATALEN]; // whom the child connects as
    TimestampTz started;
    TimestampTz deadline;
};
static RunningDrill running;

static TimestampTz next_drill_firing = 0; // 0: no drill schedule
static char schedule_in_force[256];
static char timezone_in_force[256];

bool drill_running()
{
    return running.id != 0;
}

static void plan_next_firing(TimestampTz after)
{
    next_drill_firing = next_firing(drill_schedule_setting, after);
    strlcpy(schedule_in_force, drill_schedule_setting, sizeof(schedule_in_force));
    strlcpy(timezone_in_force, timezone_setting, sizeof(timezone_in_force));
}

void follow_drill_schedule_changes()
{
    if (strcmp(schedule_in_force, drill_schedule_setting) != 0 ||
        strcmp(timezone_in_force, timezone_setting) != 0)
        plan_next_firing(GetCurrentTimestamp());
}

static Datum column(int row, int number, bool *isnull)
{
    return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, number, isnull);
}

// Drills came with the catalog's 0.5.0: until ALTER EXTENSION ... UPDATE there are none.
static bool catalog_has_drills()
{
    execute(
        "SELECT pg_catalog.to_regprocedure('lokbackup_internal.start_next_drill()') IS NOT NULL", 0,
        nullptr, nullptr, nullptr, SPI_OK_SELECT);
    bool isnull = false;
    return DatumGetBool(column(0, 1, &isnull));
}

// Logs a drill that ended (and notifies it when it failed), from the row of lokbackup_drills in
// SPI_tuptable's `row`, whose columns are id, backup_id, database, status, failed_check,
// restore_seconds, started_at.
static void report_ended_drill(int row)
{
    bool isnull = false;
    int64 id = DatumGetInt64(column(row, 1, &isnull));
    int64 backup_id = DatumGetInt64(column(row, 2, &isnull));
    char *database = text_column(row, 3);
    char *status = text_column(row, 4);
    if (status == nullptr)
        return;
    if (strcmp(status, "passed") == 0) {
        ereport(LOG, (errmsg("lokbackup: restore drill %lld of backup %lld of database \"%s\" "
                             "passed: restored and checked in %s s",
                             static_cast<long long>(id), static_cast<long long>(backup_id),
                             database, text_column(row, 6))));
        return;
    }
    bool failed = strcmp(status, "failed") == 0;
    if (!failed && strcmp(status, "error") != 0)
        return;
    char *failed_check = text_column(row, 5);
    const char *what = failed ? "failed" : "could not run";
    ereport(WARNING,
            (errcode(failed ? ERRCODE_DATA_CORRUPTED : ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("lokbackup: restore drill %lld of backup %lld of database \"%s\" %s: %s",
                    static_cast<long long>(id), static_cast<long long>(backup_id), database, what,
                    failed_check),
             failed ? errhint("'latest' passes this backup over until a drill of it passes; "
                              "lokbackup_drills has the checks.")
                    : errhint("This says nothing of the backup; lokbackup_drill() runs the drill "
                              "again.")));
    TimestampTz started = DatumGetTimestampTz(column(row, 7, &isnull));
    if (isnull)
        started = GetCurrentTimestamp();
    notify_failed_drill(FailedDrill{id, backup_id, database, what, failed_check, started});
}

static const char *const drill_row_columns =
    "id, backup_id, database, status, failed_check, round(restore_seconds::numeric, 1)::text, "
    "started_at";

static void end_interrupted_drills(void *)
{
    begin_catalog_work("lokbackup: ending interrupted restore drills");
    if (catalog_has_drills()) {
        Oid types[] = {TEXTOID};
        Datum values[] = {CStringGetTextDatum("interrupted: the server restarted or the lokbackup "
                                              "worker stopped while it ran")};
        execute(psprintf("SELECT %s FROM lokbackup_internal.fail_unfinished_drills($1)",
                         drill_row_columns),
                1, types, values, nullptr, SPI_OK_SELECT);
        for (uint64 row = 0; row < SPI_processed; row++)
            report_ended_drill(static_cast<int>(row));
    }
    end_catalog_work();
}

void start_drills()
{
    run_chore(end_interrupted_drills, nullptr, "ending the interrupted restore drills");
    plan_next_firing(GetCurrentTimestamp());
}

static void record_drill_end(void *failure)
{
    begin_catalog_work("lokbackup: recording a restore drill");
    Oid types[] = {INT8OID, TEXTOID};
    Datum values[] = {Int64GetDatum(running.id),
                      CStringGetTextDatum(static_cast<const char *>(failure))};
    execute(psprintf("SELECT %s FROM lokbackup_internal.end_drill($1, $2)", drill_row_columns), 2,
            types, values, nullptr, SPI_OK_SELECT);
    if (SPI_processed == 1)
        report_ended_drill(0);
    end_catalog_work();
}

// Records the end of the running drill: in error with `failure` unless its child recorded an
// outcome. A drill whose end cannot be recorded (the extension dropped meanwhile) is ended all
// the same; the next worker start ends its row.
static void end_running_drill(const char *failure)
{
    run_chore(record_drill_end, const_cast<char *>(failure), "recording a restore drill");
    core_call([] { drill_child.reset(); });
    running.id = 0;
}

static std::string request_json(const char *socket_dir)
{
    DrillRequest request;
    request.drill_id = running.id;
    request.backup_id = running.backup_id;
    request.target = running.target;
    request.catalog_database = catalog_database_setting;
    request.socket_dir = socket_dir;
    request.port = PostPortNumber;
    request.user = running.user;
    request.drill_conninfo = drill_conninfo_setting;
    DrillKeys keys = drill_key_settings();
    request.identity_file = keys.identity_file;
    request.passphrase_file = keys.passphrase_file;
    return drill_request_to_json(request);
}

// Starts the child of the running drill; returns NULL, or why it could not start.
static char *start_drill_child()
{
    char *program = psprintf("%s/lokbackup", server_bin_directory());
    char *socket_dir = first_socket_directory();
    char problem[512] = "";
    core_call([&] {
        try {
            ProcessSpec spec;
            spec.argv = {program, "drill-child"};
            spec.pipe_stdin = true;
            spec.own_process_group = true;
            spec.die_with_parent = true;
            drill_child.emplace(Process::spawn(spec));
            std::string json = request_json(socket_dir);
            write_all(drill_child->stdin_fd(), json.data(), json.size());
            drill_child->close_stdin();
        } catch (const std::exception &e) {
            strlcpy(problem, e.what(), sizeof(problem));
            if (drill_child) {
                drill_child->kill_group(SIGKILL);
                drill_child->wait();
                drill_child.reset();
            }
        }
    });
    return problem[0] == '\0' ? nullptr : pstrdup(problem);
}

// Takes the oldest pending drill into `running`, if any (after queueing the scheduled ones when
// *due).
static void take_next_drill(void *due)
{
    begin_catalog_work("lokbackup: looking for restore drills");
    if (catalog_has_drills()) {
        if (*static_cast<bool *>(due))
            execute("SELECT lokbackup_internal.queue_scheduled_drills()", 0, nullptr, nullptr,
                    nullptr, SPI_OK_SELECT);
        execute("SELECT drill_id, backup_id, database, target, now()"
                " FROM lokbackup_internal.start_next_drill()",
                0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
        if (SPI_processed == 1) {
            RunningDrill taken;
            bool isnull = false;
            taken.id = DatumGetInt64(column(0, 1, &isnull));
            taken.backup_id = DatumGetInt64(column(0, 2, &isnull));
            strlcpy(taken.database, text_column(0, 3), sizeof(taken.database));
            strlcpy(taken.target, text_column(0, 4), sizeof(taken.target));
            taken.started = DatumGetTimestampTz(column(0, 5, &isnull));
            taken.deadline = TimestampTzPlusMilliseconds(
                taken.started, static_cast<int64>(backup_timeout_setting) * 1000);
            // The drill connects as pg_dump does: the bootstrap superuser sees everything.
            strlcpy(taken.user, GetUserNameFromId(BOOTSTRAP_SUPERUSERID, false),
                    sizeof(taken.user));
            end_catalog_work();
            // Only once it is committed: an error before leaves it pending, to be taken again.
            running = taken;
            return;
        }
    }
    end_catalog_work();
}

// The running drill's child ended, or ran out of time: returns NULL while it still runs, else
// the failure to record if the child recorded no outcome.
static char *drill_child_end()
{
    char how[128] = "";
    bool ended = false;
    core_call([&] {
        std::optional<ExitStatus> status = drill_child->try_wait();
        if (status) {
            ended = true;
            strlcpy(how, status->describe().c_str(), sizeof(how));
        }
    });
    if (ended)
        return psprintf("the drill child %s without recording an outcome (the server log has "
                        "its messages)",
                        how);
    if (GetCurrentTimestamp() < running.deadline)
        return nullptr;
    core_call([] {
        drill_child->kill_group(SIGKILL);
        drill_child->wait();
    });
    return psprintf("stopped after %d s (lokbackup.backup_timeout); the next drill drops its "
                    "scratch database \"%s\"",
                    backup_timeout_setting, running.target);
}

long advance_drills(long longest_ms)
{
    if (drill_running()) {
        if (char *failure = drill_child_end())
            end_running_drill(failure);
        return Min(longest_ms, 1000L);
    }
    TimestampTz now = GetCurrentTimestamp();
    bool due = next_drill_firing != 0 && now >= next_drill_firing;
    run_chore(take_next_drill, &due, "looking for restore drills");
    if (due)
        plan_next_firing(now);
    if (drill_running()) {
        if (char *problem = start_drill_child())
            end_running_drill(psprintf("could not start the drill child: %s", problem));
        return Min(longest_ms, 1000L);
    }
    if (next_drill_firing == 0)
        return longest_ms;
    return Min(longest_ms, TimestampDifferenceMilliseconds(now, next_drill_firing));
}

void stop_drill(const char *reason)
{
    if (!drill_running())
        return;
    core_call([] {
        drill_child->kill_group(SIGKILL);
        drill_child->wait();
    });
    end_running_drill(reason);
}

} // namespace lokbackup::pg
