// Backup ids that stay unique in storage across reinstalls of the extension. DROP EXTENSION drops
// the id sequence but leaves the backups in storage; a new install would hand their ids out
// again, and `lokbackup verify --from DIR 2` would find two different backups 2. So before its
// first run into a storage, the worker has a child (`lokbackup storage-ids`) list the storage,
// moves the id sequence past the highest id there, and records that it did (once per storage:
// listing a big bucket each run would be costly).
#pragma once

namespace lokbackup::pg
{

// The listing is one step of the worker's run (run.hpp): started before the run's rows are
// created, followed by the worker's wait, finished when the child has written its result or
// lokbackup.backup_timeout has passed.

// Starts the child that lists the storage in force, unless the ids there are known already (or the
// catalog is older than 0.3.0, which is logged); returns whether it started one.
bool start_storage_listing();
// The child's output, for the worker's wait; -1 once it is complete.
int storage_listing_fd();
// Reads what the child wrote; returns whether the listing is complete (done or failed).
bool read_storage_listing();
// Milliseconds left before the listing times out.
long storage_listing_remaining_ms();
// Ends the listing (killing the child if it is still running: the deadline passed). Returns NULL
// when the ids of the next run are past every id in storage; otherwise why the storage could not
// be listed, with which every backup of the run fails before it starts: a backup that might reuse
// an id is worse than one that fails where the DBA sees and is notified of it.
char *finish_storage_listing();

} // namespace lokbackup::pg
