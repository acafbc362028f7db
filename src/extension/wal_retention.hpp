// WAL retention, after each run's rotation: the archived WAL in the storage in force that no kept
// base backup needs is removed (core/wal/wal_retention.hpp has the rules), by a child (`lokbackup
// wal-retention`) that lists ~wal/ and removes, and what the archive holds then is recorded in
// lokbackup_internal.wal_archive_size.
#pragma once

namespace lokbackup::pg
{

// Runs one pass as a chore (an error is logged, never raised). The worker waits for the child, at
// most lokbackup.backup_timeout. Nothing happens on a catalog older than 0.6.0, nor on a server
// that neither archives WAL nor has base backups.
void retain_wal_after_rotation();

} // namespace lokbackup::pg
