// Restore drills, as the worker runs them: when no backup runs, it takes the oldest pending drill
// (lokbackup_drill(), or lokbackup.drill_schedule's firings) and starts `lokbackup drill-child`
// for it, which restores the backup into a scratch database with the flow of `lokbackup restore`,
// checks it, drops it and records the outcome. The worker ends a drill whose child ended without
// recording one, or ran past lokbackup.backup_timeout, as failed; it logs and notifies failures.
// One drill runs at a time, and no backup run starts while it does.
#pragma once

namespace lokbackup::pg
{

bool drill_running();

// At the worker's start (the catalog exists): fails the drills a crash or restart interrupted,
// and works out when lokbackup.drill_schedule next fires.
void start_drills();
// After a configuration reload: a changed drill schedule counts from now.
void follow_drill_schedule_changes();

// One step, when no backup run is in progress: follows the running drill, or queues the
// scheduled drills when they are due and starts the next pending one. Returns how long the
// worker may wait before the next step (at most `longest_ms`).
long advance_drills(long longest_ms);

// Kills the running drill's child and fails the drill with `reason` (the worker is stopping).
void stop_drill(const char *reason);

} // namespace lokbackup::pg
