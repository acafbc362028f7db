#include "extension/request_slot.hpp"

extern "C" {
#include "pgstat.h"
#include "utils/timestamp.h"
}

#include "extension/shared_state.hpp"

namespace lokbackup::pg
{

// Waiters sleep on the condition variable, which every change broadcasts; the timeout is only a
// safety net.
static const long slot_poll_ms = 1000;

// Runs `change` on the slot under the lock held exclusively, then wakes every waiter.
template <typename Change> static void change_slot(Change change)
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    change(*state);
    LWLockRelease(state->lock);
    ConditionVariableBroadcast(&state->slot_changed);
}

// Sleeps until `reached(state)` holds, or until `timeout_ms` (-1: none) has passed; returns
// whether it held. `reached` runs under the lock held in shared mode.
template <typename Reached> static bool sleep_until(Reached reached, long timeout_ms)
{
    SharedState *state = shared_state();
    TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
    bool done = false;
    ConditionVariablePrepareToSleep(&state->slot_changed);
    for (;;) {
        LWLockAcquire(state->lock, LW_SHARED);
        done = reached(*state);
        LWLockRelease(state->lock);
        if (done || (timeout_ms >= 0 && GetCurrentTimestamp() >= deadline))
            break;
        ConditionVariableTimedSleep(&state->slot_changed, slot_poll_ms, PG_WAIT_EXTENSION);
    }
    ConditionVariableCancelSleep();
    return done;
}

bool worker_attached()
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_SHARED);
    bool attached = state->worker_latch != nullptr;
    LWLockRelease(state->lock);
    return attached;
}

bool wait_for_worker(long timeout_ms)
{
    return sleep_until([](const SharedState &state) { return state.worker_latch != nullptr; },
                       timeout_ms);
}

uint64 place_request(const char *type, RunKind kind, const char *requested_by, RequestSlot *busy)
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    RequestSlot &slot = state->slot;
    Latch *worker_latch = state->worker_latch;
    if (worker_latch == nullptr || slot.state != SlotState::idle) {
        if (busy != nullptr)
            *busy = slot;
        LWLockRelease(state->lock);
        return 0;
    }
    uint64 seq = ++slot.request_seq;
    slot.state = SlotState::requested;
    strlcpy(slot.type, type, sizeof(slot.type));
    slot.kind = kind;
    strlcpy(slot.requested_by, requested_by, sizeof(slot.requested_by));
    slot.requested_at = GetCurrentTimestamp();
    slot.backup_count = 0;
    LWLockRelease(state->lock);
    SetLatch(worker_latch);
    return seq;
}

RequestSlot *wait_for_request(uint64 seq, bool to_end)
{
    RequestSlot *copy = static_cast<RequestSlot *>(palloc(sizeof(RequestSlot)));
    sleep_until(
        [&](const SharedState &state) {
            bool reached = (to_end ? state.slot.finished_seq : state.slot.answered_seq) >= seq;
            if (reached)
                *copy = state.slot;
            return reached;
        },
        -1);
    return copy;
}

void release_request_slot(Latch *worker_latch, const char *reason)
{
    change_slot([&](SharedState &state) {
        RequestSlot &slot = state.slot;
        state.worker_latch = worker_latch;
        if (slot.answered_seq < slot.request_seq)
            strlcpy(slot.refusal, reason, sizeof(slot.refusal));
        else if (slot.state == SlotState::running)
            slot.interrupted_seq = slot.request_seq;
        slot.state = SlotState::idle;
        slot.answered_seq = slot.request_seq;
        slot.finished_seq = slot.request_seq;
    });
}

bool take_request(Request &request)
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_SHARED);
    const RequestSlot &slot = state->slot;
    bool requested = slot.state == SlotState::requested;
    if (requested) {
        request.seq = slot.request_seq;
        memcpy(request.type, slot.type, sizeof(request.type));
        request.kind = slot.kind;
        memcpy(request.requested_by, slot.requested_by, sizeof(request.requested_by));
        request.requested_at = slot.requested_at;
    }
    LWLockRelease(state->lock);
    return requested;
}

void refuse_request(uint64 seq, const char *refusal)
{
    change_slot([&](SharedState &state) {
        RequestSlot &slot = state.slot;
        slot.answered_seq = seq;
        strlcpy(slot.refusal, refusal, sizeof(slot.refusal));
        slot.state = SlotState::idle;
        slot.finished_seq = seq;
    });
}

void answer_request(uint64 seq, int64 run_id, const int64 *backup_ids, int backup_count)
{
    change_slot([&](SharedState &state) {
        RequestSlot &slot = state.slot;
        slot.answered_seq = seq;
        slot.refusal[0] = '\0';
        slot.state = SlotState::running;
        slot.run_id = run_id;
        slot.backup_count = backup_count;
        memcpy(slot.backup_ids, backup_ids, sizeof(int64) * backup_count);
        slot.failed_count = 0;
        slot.failed_backups[0] = '\0';
        slot.first_error[0] = '\0';
    });
}

void note_failed_backup(const char *which, const char *error)
{
    SharedState *state = shared_state();
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    RequestSlot &slot = state->slot;
    if (slot.failed_count++ == 0)
        strlcpy(slot.first_error, error, sizeof(slot.first_error));
    else
        strlcat(slot.failed_backups, ", ", sizeof(slot.failed_backups));
    strlcat(slot.failed_backups, which, sizeof(slot.failed_backups));
    LWLockRelease(state->lock);
}

void finish_request(uint64 seq)
{
    change_slot([&](SharedState &state) {
        state.slot.state = SlotState::idle;
        state.slot.finished_seq = seq;
    });
}

} // namespace lokbackup::pg
