// The run the worker is making: the backups that one request asks for (every configured database,
// plus the roles). The worker's loop advances it one step per turn and waits on what it follows,
// so that a run never has a loop of its own: a reload or a shutdown is handled where every other
// one is, between two steps.
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "storage/latch.h"
}

namespace lokbackup::pg
{

// Whether a run has been taken and not yet finished.
bool run_in_progress();

// One step: with no run, takes the request waiting in the slot, if any (creates its catalog rows,
// answers the caller, starts its first backups); during a run, records the backups that ended,
// starts the next, and ends those past lokbackup.backup_timeout; after the last, answers the
// caller and rotates. Returns how long the worker may wait for events before the next step (at
// most `longest_ms`).
long advance_run(long longest_ms);

// How many wait events the run adds at most; adds them (the outputs of its children) to `set`.
constexpr int max_run_wait_events = 4;
void add_run_wait_events(WaitEventSet *set);
// Reads what the children wrote, for the events of `events` that add_run_wait_events() added.
void handle_run_events(const WaitEvent *events, int count);

} // namespace lokbackup::pg
