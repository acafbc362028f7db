#include "extension/base_backup_check.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "executor/spi.h"
#include "utils/guc.h"
}

#include "extension/catalog.hpp"
#include "extension/settings.hpp"

namespace lokbackup::pg
{

static bool setting_empty(const char *name)
{
    const char *value = GetConfigOption(name, true, false);
    return value == nullptr || value[0] == '\0';
}

void check_base_backup_possible()
{
    if (!catalog_records_wal_ranges())
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("the lokbackup catalog is older than 0.6.0 and cannot record a "
                               "base backup"),
                        errhint("Run ALTER EXTENSION lokbackup UPDATE in database \"%s\".",
                                catalog_database_setting)));
    const char *archive_mode = GetConfigOption("archive_mode", false, false);
    bool archiving = archive_mode != nullptr && strcmp(archive_mode, "off") != 0 &&
                     !(setting_empty("archive_library") && setting_empty("archive_command"));
    if (!archiving)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("a base backup cannot be restored without the WAL archive: set "
                               "archive_mode = on and archive_library = 'lokbackup'"),
                        errdetail("archive_mode is %s, archive_library is \"%s\" and "
                                  "archive_command is \"%s\".",
                                  archive_mode ? archive_mode : "unknown",
                                  GetConfigOption("archive_library", true, false),
                                  GetConfigOption("archive_command", true, false)),
                        errhint("archive_mode takes a server restart.")));
    execute("SELECT spcname FROM pg_catalog.pg_tablespace "
            "WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY spcname LIMIT 1",
            0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    if (SPI_processed > 0)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("lokbackup cannot take a base backup of a cluster with tablespaces "
                               "of its own (tablespace \"%s\")",
                               text_column(0, 1)),
                        errdetail("pg_basebackup streams only the default tablespaces as one tar "
                                  "archive."),
                        errhint("Move the tables to pg_default, or back the cluster up with "
                                "pg_basebackup into a directory.")));
}

} // namespace lokbackup::pg
