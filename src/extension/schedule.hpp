// Scheduled backups, as the worker keeps track of them: when the next run is due, and the
// request it places in the slot when it is.
//
// If the server was down when a run was due, one catch-up run starts as soon as the worker is up
// (the first time the schedule fired after the last scheduled run lies in the past); the runs it
// missed are not made up one by one. A changed schedule counts from the moment it is reloaded.
#pragma once

namespace lokbackup::pg
{

// Reads the last scheduled run from the catalog and works out the next one.
void start_schedule();
// After a configuration reload: a changed schedule or time zone counts from now.
void follow_schedule_changes();
// Places the scheduled request in the slot when it is due and the slot is free; returns how long
// the worker may sleep before it must look again (at most `longest_ms`).
// A run that stands for more than one firing (the worker was down, or the previous run still
// running) reports the firings it skipped: a WARNING and a notification.
long request_due_run(long longest_ms);
// Until the catalog exists (no CREATE EXTENSION in lokbackup.database yet) the schedule fires
// without a run: each firing is reported with a WARNING and a notification. Returns how long the
// worker may sleep.
long report_firings_without_catalog(long longest_ms);

} // namespace lokbackup::pg
