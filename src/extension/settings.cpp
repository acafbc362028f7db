#include "extension/settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/varlena.h"
}

#include "core/storage.hpp"

namespace lokbackup::pg
{

char *catalog_database_setting = nullptr;
char *databases_setting = nullptr;
int backup_timeout_setting = 30 * 60;
int compression_level_setting = 0;

static char *storage_setting = nullptr;
static int compression_setting = 0;
static int format_setting = 0;

// Same order and names as core's Compression and DumpFormat names.
static const struct config_enum_entry compression_options[] = {
    {"zstd", 0, false}, {"gzip", 1, false}, {"none", 2, false}, {nullptr, 0, false}};
static const struct config_enum_entry format_options[] = {
    {"plain", 0, false}, {"custom", 1, false}, {nullptr, 0, false}};

static const char *enum_name(const struct config_enum_entry *options, int value)
{
    for (; options->name != nullptr; options++)
        if (options->val == value)
            return options->name;
    elog(ERROR, "lokbackup: unknown enum value %d", value);
    return nullptr;
}

const char *compression_setting_name()
{
    return enum_name(compression_options, compression_setting);
}
const char *format_setting_name()
{
    return enum_name(format_options, format_setting);
}

char *storage_spec()
{
    if (storage_setting != nullptr && storage_setting[0] != '\0')
        return pstrdup(storage_setting);
    char *parent = pstrdup(DataDir);
    get_parent_directory(parent);
    return psprintf("%s/lokbackup", parent);
}

static bool check_storage(char **newval, void **extra, GucSource source)
{
    if (**newval == '\0')
        return true;
    // A check hook reports through GUC_check_errdetail and must not raise, so core's exception is
    // copied into a buffer here rather than going through core_call().
    char problem[512] = "";
    try {
        check_storage_spec(*newval);
    } catch (const std::exception &e) {
        strlcpy(problem, e.what(), sizeof(problem));
    }
    if (problem[0] == '\0')
        return true;
    GUC_check_errdetail("%s", problem);
    return false;
}

static bool check_databases(char **newval, void **extra, GucSource source)
{
    char *copy = pstrdup(*newval);
    List *names = NIL;
    bool valid = SplitIdentifierString(copy, ',', &names);
    if (!valid) {
        GUC_check_errdetail("List syntax is invalid.");
        GUC_check_errhint("Give a comma-separated list of database names, or an empty string for "
                          "every connectable database.");
    }
    list_free(names);
    pfree(copy);
    return valid;
}

void define_settings()
{
    DefineCustomStringVariable(
        "lokbackup.database", "Database that holds the lokbackup catalog.",
        "The background worker connects to it; CREATE EXTENSION lokbackup works only there.",
        &catalog_database_setting, "postgres", PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);

    DefineCustomStringVariable("lokbackup.databases", "Databases to back up, comma-separated.",
                               "Empty: every database that allows connections, templates excluded.",
                               &databases_setting, "", PGC_SIGHUP, GUC_LIST_INPUT, check_databases,
                               nullptr, nullptr);

    DefineCustomStringVariable(
        "lokbackup.storage", "Where backups are stored: an absolute directory path.",
        "Empty: a directory named lokbackup beside the data directory.", &storage_setting, "",
        PGC_SIGHUP, 0, check_storage, nullptr, nullptr);

    DefineCustomEnumVariable("lokbackup.compression", "Compression of backup objects.", nullptr,
                             &compression_setting, 0, compression_options, PGC_SIGHUP, 0, nullptr,
                             nullptr, nullptr);

    DefineCustomIntVariable(
        "lokbackup.compression_level", "Compression level; 0 means the codec's default.",
        "zstd: 1 to 19 (default 3); gzip: 1 to 9 (default 6); none: 0.", &compression_level_setting,
        0, 0, 19, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);

    DefineCustomEnumVariable("lokbackup.format", "pg_dump output format of backups.",
                             "plain: SQL made with --clean --if-exists, replayed by psql; custom: "
                             "replayed by pg_restore.",
                             &format_setting, 0, format_options, PGC_SIGHUP, 0, nullptr, nullptr,
                             nullptr);

    DefineCustomIntVariable("lokbackup.backup_timeout",
                            "Longest a backup of one database may run before it is stopped.",
                            nullptr, &backup_timeout_setting, 30 * 60, 1, 7 * 24 * 60 * 60,
                            PGC_SIGHUP, GUC_UNIT_S, nullptr, nullptr, nullptr);

#if PG_VERSION_NUM >= 150000
    MarkGUCPrefixReserved("lokbackup");
#else
    EmitWarningsOnPlaceholders("lokbackup");
#endif
}

} // namespace lokbackup::pg
