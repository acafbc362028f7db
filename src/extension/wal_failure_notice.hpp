// The worker's watch over WAL archiving: when the archiver has been failing for longer than
// lokbackup.wal_failure_notify_after, one warning and one notice per failure episode (an episode
// ends with the next file archived).
#pragma once

namespace lokbackup::pg
{

// Called on every turn of the worker's loop; cheap when archiving works.
void notify_lasting_wal_failure();

} // namespace lokbackup::pg
