// Where a backup's objects are, as its catalog row records it (the columns storage, s3_endpoint,
// s3_region and s3_path_style of lokbackup_backups and lokbackup_removals): every reader and
// remover of a backup goes there, whatever lokbackup.storage says now. Never credentials: those
// stay in the settings and the environment.
#pragma once

namespace lokbackup::pg
{

struct RowStorage {
    const char *spec;        // a directory or s3://bucket[/prefix]
    const char *s3_endpoint; // NULL for a directory, and for AWS S3 in s3_region
    const char *s3_region;   // NULL for a directory
    bool s3_path_style;
};

} // namespace lokbackup::pg
