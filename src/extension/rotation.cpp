#include "extension/rotation.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include "core/schedule/retention.hpp"
#include "core/schedule/time_zone.hpp"
#include "extension/boundary.hpp"
#include "extension/catalog.hpp"
#include "extension/settings.hpp"

#include <vector>

extern "C" {
PG_FUNCTION_INFO_V1(lokbackup_rotate);
}

namespace lokbackup::pg
{

struct Expired {
    const RotationCandidate *backup;
    char *reason;
};

// Runs core's planner over the candidates; returns the expired ones and sets *count.
static Expired *plan(const RotationCandidate *candidates, int candidate_count, int *count)
{
    std::time_t now = timestamptz_to_time_t(GetCurrentTimestamp());
    return core_call([&] {
        std::vector<CatalogBackup> backups;
        for (int i = 0; i < candidate_count; i++) {
            const RotationCandidate &candidate = candidates[i];
            CatalogBackup backup;
            backup.id = candidate.id;
            backup.database = candidate.database;
            backup.base_backup = candidate.base_backup;
            backup.type = parse_backup_type(candidate.type);
            backup.status = parse_backup_status(candidate.status);
            backup.requested_at = timestamptz_to_time_t(candidate.requested_at);
            if (candidate.finished_at != 0)
                backup.finished_at = timestamptz_to_time_t(candidate.finished_at);
            backup.pinned = candidate.pinned;
            backup.has_object = candidate.object_key != nullptr;
            backups.push_back(backup);
        }
        RetentionPolicy policy{retain_daily_setting, retain_weekly_setting, retain_monthly_setting};
        std::vector<Expiry> expiries =
            plan_retention(backups, now, policy, TimeZone::named(timezone_setting));
        auto *expired = palloc_noerror_array<Expired>(expiries.size());
        for (std::size_t i = 0; i < expiries.size(); i++) {
            int at = 0;
            while (candidates[at].id != expiries[i].id)
                at++;
            expired[i] = Expired{&candidates[at], palloc_string(expiries[i].reason)};
        }
        *count = static_cast<int>(expiries.size());
        return expired;
    });
}

// Plans the rotation over the catalog and, unless `dry_run`, marks the expired backups deleted
// (audited as `actor`) and queues the removal of their objects (queue_removal()).
static Expired *rotate(bool dry_run, const char *actor, int *count)
{
    int candidate_count = 0;
    RotationCandidate *candidates = rotation_candidates(&candidate_count);
    Expired *expired = plan(candidates, candidate_count, count);
    if (!dry_run) {
        for (int i = 0; i < *count; i++) {
            mark_rotated(expired[i].backup->id, actor, expired[i].reason);
            if (expired[i].backup->object_key != nullptr)
                queue_removal(expired[i].backup->id, expired[i].backup->object_key);
        }
    }
    return expired;
}

static void rotate_as_worker(void *)
{
    begin_catalog_work("lokbackup: rotating backups");
    int count = 0;
    Expired *expired = rotate(false, "lokbackup rotation", &count);
    end_catalog_work();
    for (int i = 0; i < count; i++)
        ereport(LOG, (errmsg("lokbackup: rotated away backup " INT64_FORMAT ": %s",
                             expired[i].backup->id, expired[i].reason)));
}

void rotate_after_run()
{
    run_chore(rotate_as_worker, nullptr, "rotation");
}

} // namespace lokbackup::pg

using namespace lokbackup::pg;

Datum lokbackup_rotate(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("dry_run must not be NULL"),
                        errhint("Pass true to list what rotation would delete, false to delete "
                                "it.")));
    bool dry_run = PG_GETARG_BOOL(0);
    require_catalog_database("lokbackup_rotate()");
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    InitMaterializedSRF(fcinfo, 0);

    // The outer user is the role set with SET ROLE; this function runs as its owner.
    char *actor = GetUserNameFromId(GetOuterUserId(), false);
    connect_catalog();
    int count = 0;
    Expired *expired = rotate(dry_run, actor, &count);
    disconnect_catalog();

    for (int i = 0; i < count; i++) {
        const RotationCandidate &backup = *expired[i].backup;
        Datum values[5] = {Int64GetDatum(backup.id),
                           backup.database[0] ? CStringGetTextDatum(backup.database) : (Datum)0,
                           CStringGetTextDatum(backup.type),
                           TimestampTzGetDatum(backup.finished_at),
                           CStringGetTextDatum(expired[i].reason)};
        bool nulls[5] = {false, backup.database[0] == '\0', false, backup.finished_at == 0, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    PG_RETURN_NULL();
}
