// The request slot: how a run is asked for and how its caller learns how it went. One request at a
// time, from lokbackup_run() or the schedule, goes through these states:
//
//   idle --place--> requested --take, answer--> running --finish--> idle
//                             `--take, answer with a refusal-------> idle
//
// A request made in the caller's transaction would be invisible to the worker until that
// transaction commits, so the caller does not insert catalog rows: it places the request, wakes
// the worker, and sleeps until the worker has created the rows in its own transaction (answered)
// or finished the whole run (finished). release_request_slot() voids whatever a worker that
// stopped or restarted left in the slot.
//
// The slot lives in shared memory (shared_state.hpp); only this module reads or writes it.
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "storage/latch.h"
}

namespace lokbackup::pg
{

// More backups in one run than this (databases plus the roles) are refused with a clear error.
constexpr int max_backups_per_run = 1000;

// The type the schedule requests: each backup of the run then gets daily, weekly or monthly
// (core/schedule/backup_type.hpp).
constexpr const char *scheduled_run_type = "scheduled";

enum class SlotState { idle, requested, running };

// What a run backs up: the dumps (every configured database and the roles), or one base backup of
// the cluster (pg_basebackup).
enum class RunKind { logical, physical };

struct RequestSlot {
    SlotState state;
    uint64 request_seq;     // the last request placed in the slot
    uint64 answered_seq;    // the last request the worker answered (rows created or refused)
    uint64 finished_seq;    // the last request whose backups have all finished
    uint64 interrupted_seq; // the last request whose run the worker's exit cut short
    char type[16];
    RunKind kind;
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

// What the worker takes from the slot.
struct Request {
    uint64 seq;
    char type[16];
    RunKind kind;
    char requested_by[NAMEDATALEN];
    TimestampTz requested_at;
};

// Callers' side.

// Places a request when the slot is idle and a worker is attached; returns its sequence number,
// or 0 with `*busy` (when not NULL) holding a copy of the slot that made it wait. Wakes the worker.
uint64 place_request(const char *type, RunKind kind, const char *requested_by, RequestSlot *busy);
// Sleeps until the worker has answered request `seq`, or (with `to_end`) finished its run; returns
// a copy of the slot as it was then, in the current memory context.
RequestSlot *wait_for_request(uint64 seq, bool to_end);
// Whether a worker is attached to the slot.
bool worker_attached();
// Sleeps until a worker is attached or `timeout_ms` has passed; returns whether one is.
bool wait_for_worker(long timeout_ms);

// The worker's side.

// Attaches the worker (its latch is what place_request() sets) or, with NULL, detaches it; either
// way what the slot held is void: a request not yet answered is refused with `reason`, a running
// one is marked interrupted, and every waiter is woken.
void release_request_slot(Latch *worker_latch, const char *reason);
// Copies the request waiting in the slot into `request`; returns false when there is none.
bool take_request(Request &request);
// Answers request `seq`: refused with `refusal`, or running as run `run_id` with its backups.
void refuse_request(uint64 seq, const char *refusal);
void answer_request(uint64 seq, int64 run_id, const int64 *backup_ids, int backup_count);
// Notes that a backup of the running request failed (`which`: "12 of database "app"").
void note_failed_backup(const char *which, const char *error);
// The running request's backups have all finished: the slot is idle again.
void finish_request(uint64 seq);

} // namespace lokbackup::pg
