// Rotation: deleting the backups that the retention policy (lokbackup.retain_*) expires. The plan
// is core's (retention.hpp); here it is read from and written to the catalog. It runs after every
// run that completed a backup, and on demand through lokbackup_rotate().
#pragma once

namespace lokbackup::pg
{

// In a transaction of its own; a failure is logged, not raised: the backups are taken already.
void rotate_after_run();

} // namespace lokbackup::pg
