// Backup ids that stay unique in storage across reinstalls of the extension. DROP EXTENSION drops
// the id sequence but leaves the backups in storage; a new install would hand their ids out
// again, and `lokbackup verify --from DIR 2` would find two different backups 2. So before its
// first run into a storage, the worker has a child (`lokbackup storage-ids`) list the storage,
// moves the id sequence past the highest id there, and records that it did (once per storage:
// listing a big bucket each run would be costly).
#pragma once

namespace lokbackup::pg
{

// Returns NULL when the ids of the next run are past every id in storage (or the catalog is older
// than 0.3.0, which is logged); otherwise why the storage could not be listed, with which every
// backup of the run fails before it starts: a backup that might reuse an id is worse than one that
// fails where the DBA sees and is notified of it. `handle_interrupts` runs whenever the worker's
// latch is set while the child lists.
char *move_ids_past_storage(void (*handle_interrupts)());

} // namespace lokbackup::pg
