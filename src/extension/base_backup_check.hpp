// What a base backup needs of the server before one is taken: checked as its run's row is about
// to be created, so that a run that cannot succeed is refused with the reason and leaves no row.
#pragma once

namespace lokbackup::pg
{

// Raises an error saying what is missing and how to set it: the catalog at 0.6.0, WAL archiving
// (pg_basebackup -X none waits until the backup's last segment is archived, and a base backup
// without the WAL since its start cannot be restored), and no tablespace but the default ones
// (pg_basebackup writes one tar of several tablespaces only into a directory, not a stream).
// Runs inside catalog work (SPI connected).
void check_base_backup_possible();

} // namespace lokbackup::pg
