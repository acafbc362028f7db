// Shared memory between the SQL functions and the background worker: the request slot through
// which lokbackup_run() hands a request to the worker and waits for its answer, and the progress of
// the running backup.
//
// A request made in the caller's transaction would be invisible to the worker until that
// transaction commits, so the caller does not insert catalog rows: it fills the slot, wakes the
// worker, and sleeps on a condition variable until the worker has created the rows in its own
// transaction (answered_seq) or finished the whole run (finished_seq).
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "storage/condition_variable.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
}

namespace lokbackup::pg
{

// More backups in one run than this (databases plus the roles) are refused with a clear error.
constexpr int max_backups_per_run = 1000;

enum class SlotState { idle, requested, running };

// The type the schedule puts in the slot: each backup of the run then gets daily, weekly or
// monthly (backup_type.hpp in core).
constexpr const char *scheduled_run_type = "scheduled";

struct RequestSlot {
    SlotState state;
    uint64 request_seq;     // the last request accepted into the slot
    uint64 answered_seq;    // the last request the worker answered (rows created or refused)
    uint64 finished_seq;    // the last request whose backups have all finished
    uint64 interrupted_seq; // the last request whose run the worker's exit cut short
    char type[16];
    char requested_by[NAMEDATALEN];
    TimestampTz requested_at;
    int64 run_id;
    char refusal[1024]; // the worker's reason when it refused request answered_seq
    int backup_count;
    int64 backup_ids[max_backups_per_run];
    // What lokbackup_run(wait => true) reports of the backups of the running request that failed:
    // how many, which ("12 of database "app", 13 of the roles", cut where it is full), and the
    // error of the first.
    int failed_count;
    char failed_backups[1024];
    char first_error[1024];
};

struct Progress {
    slock_t mutex;
    int64 backup_id; // 0 when no backup runs
    char database[NAMEDATALEN];
    TimestampTz started_at;
    uint64 raw_bytes;
    uint64 stored_bytes;
    uint64 uploaded_bytes;     // acknowledged by storage
    TimestampTz waiting_since; // 0: not waiting for storage
    char storage_problem[512]; // "": none
};

struct SharedState {
    LWLock *lock; // guards the slot and worker_latch
    ConditionVariable slot_changed;
    Latch *worker_latch; // NULL while no worker runs
    RequestSlot slot;
    TimestampTz next_scheduled_run; // 0: none; the worker publishes it, guarded by lock
    Progress progress;
};

void request_shared_memory();
void initialize_shared_memory();
SharedState *shared_state();
// Whether shared_state() is there (lokbackup was loaded through shared_preload_libraries), for
// the callers that must not raise an error.
bool shared_state_ready();

} // namespace lokbackup::pg
