// The lokbackup.* settings (GUCs).
#pragma once

extern "C" {
#include "postgres.h"
}

namespace lokbackup::pg
{

extern char *catalog_database_setting; // lokbackup.database
extern char *databases_setting;        // lokbackup.databases
extern int backup_timeout_setting;     // lokbackup.backup_timeout, seconds
extern int compression_level_setting;  // lokbackup.compression_level

void define_settings();

const char *compression_setting_name(); // "zstd", "gzip", "none"
const char *format_setting_name();      // "plain", "custom"
// The storage spec in force: lokbackup.storage, or its default, a directory beside the data
// directory (outside it, so that a backup never lands in the data it backs up).
char *storage_spec();

} // namespace lokbackup::pg
