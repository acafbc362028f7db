// Shared memory between the SQL functions, the background worker and the archiver: the request
// slot (request_slot.hpp, which alone reads and writes it), the progress of the running backup,
// and the state of WAL archiving (wal_archive_status.hpp).
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "storage/condition_variable.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
}

#include "extension/request_slot.hpp"
#include "extension/wal_archive_status.hpp"

namespace lokbackup::pg
{

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
    Latch *worker_latch;            // NULL while no worker runs
    RequestSlot slot;               // request_slot.cpp
    TimestampTz next_scheduled_run; // 0: none; the worker publishes it, guarded by lock
    Progress progress;
    WalArchiveStatus wal_archive; // wal_archive_status.cpp
};

void request_shared_memory();
void initialize_shared_memory();
SharedState *shared_state();
// Whether shared_state() is there (lokbackup was loaded through shared_preload_libraries), for
// the callers that must not raise an error.
bool shared_state_ready();

} // namespace lokbackup::pg
