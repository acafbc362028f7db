// Waking the lokbackup worker from a session, once what it must see has committed: a queued
// removal (storage_removal.cpp), a queued restore drill (lokbackup_internal.wake_worker()).
#pragma once

namespace lokbackup::pg
{

// Sets the worker's latch, if a worker is there. Raises no error: it runs in commit callbacks.
void wake_worker();
// Wakes the worker when the current transaction commits (not when it rolls back).
void wake_worker_at_commit();

} // namespace lokbackup::pg
