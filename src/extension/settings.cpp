#include "extension/settings.hpp"

extern "C" {
#include "commands/dbcommands.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/varlena.h"
}

#include "core/backup/drill_conninfo.hpp"
#include "core/backup/dump_format.hpp"
#include "core/pipeline/codec.hpp"

#include "core/storage/open_storage.hpp"
#include "core/schedule/cron_schedule.hpp"
#include "core/storage/storage.hpp"
#include "core/schedule/time_zone.hpp"
#include "core/notify/webhook.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "extension/boundary.hpp"

#include <cstdlib>

namespace lokbackup::pg
{

char *catalog_database_setting = nullptr;
char *databases_setting = nullptr;
int backup_timeout_setting = 30 * 60;
int compression_level_setting = 0;
char *schedule_setting = nullptr;
char *drill_schedule_setting = nullptr;
char *base_backup_schedule_setting = nullptr;
char *drill_conninfo_setting = nullptr;
static bool drill_on_this_server_setting = false;
char *timezone_setting = nullptr;
int retain_daily_setting = 7;
int retain_weekly_setting = 4;
int retain_monthly_setting = 12;
int notify_on_setting = 0;
int wal_upload_timeout_setting = 5 * 60;
int wal_failure_notify_after_setting = 5 * 60;
char *notify_email_setting = nullptr;
char *notify_webhook_setting = nullptr;
char *smtp_url_setting = nullptr;
int smtp_starttls_setting = 1;
char *smtp_user_setting = nullptr;
char *smtp_password_setting = nullptr;
char *smtp_from_setting = nullptr;
char *s3_endpoint_setting = nullptr;
char *s3_region_setting = nullptr;
bool s3_path_style_setting = false;
static char *s3_access_key_id_setting = nullptr;
static char *s3_secret_access_key_setting = nullptr;
static char *s3_session_token_setting = nullptr;
static int s3_part_size_setting = 32; // MB
static int s3_max_attempts_setting = 5;
static int s3_retry_deadline_setting = 120; // seconds
static int s3_stall_timeout_setting = 60;   // seconds
static char *s3_storage_class_setting = nullptr;
static char *s3_sse_setting = nullptr;
static char *encrypt_to_setting = nullptr;
static char *encrypt_passphrase_file_setting = nullptr;
static char *drill_identity_file_setting = nullptr;
static char *s3_sse_kms_key_id_setting = nullptr;

static char *storage_setting = nullptr;
char *storage_copy_setting = nullptr;
char *storage_copy_s3_endpoint_setting = nullptr;
char *storage_copy_s3_region_setting = nullptr;
bool storage_copy_s3_path_style_setting = false;
bool storage_copy_required_setting = true;
static char *storage_copy_s3_access_key_id_setting = nullptr;
static char *storage_copy_s3_secret_access_key_setting = nullptr;
// Core's Compression and DumpFormat, parsed by GUC against core's names (enum_options()).
static int compression_setting = static_cast<int>(Compression::zstd);
static int format_setting = static_cast<int>(DumpFormat::plain);
static const struct config_enum_entry *compression_options = nullptr;
static const struct config_enum_entry *format_options = nullptr;
static const struct config_enum_entry notify_on_options[] = {
    {"failure", 0, false}, {"always", 1, false}, {nullptr, 0, false}};
// Same names as core's StartTls.
static const struct config_enum_entry starttls_options[] = {
    {"never", 0, false}, {"optional", 1, false}, {"required", 2, false}, {nullptr, 0, false}};

// A GUC enum table from core's vocabulary: its names are core's literals and each value is core's
// enum, so the setting is parsed once, by GUC, and no list of names is written twice. Built once,
// in TopMemoryContext: GUC keeps the pointer.
template <typename Enum>
static const struct config_enum_entry *enum_options(const Vocabulary<Enum> &(*vocabulary)())
{
    MemoryContext caller_context = MemoryContextSwitchTo(TopMemoryContext);
    config_enum_entry *options = core_call([&] {
        const std::vector<Term<Enum>> &terms = vocabulary().terms();
        auto *entries = palloc_noerror_array<config_enum_entry>(terms.size() + 1);
        for (std::size_t i = 0; i < terms.size(); i++)
            entries[i] = {terms[i].name, static_cast<int>(terms[i].value), false};
        entries[terms.size()] = {nullptr, 0, false};
        return entries;
    });
    MemoryContextSwitchTo(caller_context);
    return options;
}

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
const char *smtp_starttls_setting_name()
{
    return enum_name(starttls_options, smtp_starttls_setting);
}
bool notify_on_success()
{
    return notify_on_setting == 1;
}

bool is_secret_setting(const char *name)
{
    static const char *const secrets[] = {"lokbackup.s3_access_key_id",
                                          "lokbackup.s3_secret_access_key",
                                          "lokbackup.s3_session_token",
                                          "lokbackup.smtp_password",
                                          "lokbackup.notify_webhook",
                                          "lokbackup.storage_copy_s3_access_key_id",
                                          "lokbackup.storage_copy_s3_secret_access_key"};
    for (const char *secret : secrets)
        if (strcmp(name, secret) == 0)
            return true;
    return false;
}

char *default_storage_directory()
{
    char *parent = pstrdup(DataDir);
    get_parent_directory(parent);
    return psprintf("%s/lokbackup", parent);
}

void require_catalog_database(const char *action)
{
    char *current = get_database_name(MyDatabaseId);
    if (current != nullptr && strcmp(current, catalog_database_setting) == 0)
        return;
    ereport(ERROR,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("lokbackup acts only in database \"%s\", its catalog database",
                    catalog_database_setting),
             errdetail("%s was refused in database \"%s\": the lokbackup catalog there is a copy "
                       "(a restored backup of the catalog database, say), to be read only.",
                       action, current ? current : "?"),
             errhint("Connect to database \"%s\".", catalog_database_setting)));
}

char *storage_spec()
{
    if (storage_setting == nullptr || storage_setting[0] == '\0')
        return default_storage_directory();
    return pstrdup(storage_setting);
}

// Runs a core check from a GUC check hook. A check hook reports through GUC_check_errdetail and
// must not raise, so core's exception is copied into a buffer rather than going through
// core_call(); an empty value (the feature is off) is always accepted.
template <typename Check> static bool passes_core_check(const char *value, Check &&check)
{
    if (value[0] == '\0')
        return true;
    char problem[512] = "";
    try {
        check(std::string(value));
    } catch (const std::exception &e) {
        strlcpy(problem, e.what(), sizeof(problem));
    }
    if (problem[0] == '\0')
        return true;
    GUC_check_errdetail("%s", problem);
    return false;
}

static bool check_storage(char **newval, void **extra, GucSource source)
{
    return passes_core_check(*newval, [](const std::string &v) { check_storage_spec(v); });
}

static bool check_drill_conninfo(char **newval, void **extra, GucSource source)
{
    return passes_core_check(*newval, [](const std::string &v) { parse_drill_conninfo(v); });
}

static bool check_schedule(char **newval, void **extra, GucSource source)
{
    return passes_core_check(*newval, [](const std::string &v) { CronSchedule::parse(v); });
}

static bool check_timezone(char **newval, void **extra, GucSource source)
{
    if (**newval == '\0') {
        GUC_check_errdetail("The time zone must not be empty.");
        GUC_check_errhint("Name an IANA time zone, such as UTC or Europe/Berlin.");
        return false;
    }
    return passes_core_check(*newval, [](const std::string &v) { TimeZone::named(v); });
}

static bool check_webhook(char **newval, void **extra, GucSource source)
{
    return passes_core_check(*newval, [](const std::string &v) { check_webhook_url(v); });
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

List *named_databases_setting()
{
    List *names = NIL;
    if (!SplitIdentifierString(pstrdup(databases_setting), ',', &names))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("lokbackup.databases is not a valid list of database names")));
    return names;
}

// AWS S3's storage classes and Cloudflare R2's (STANDARD, InfrequentAccess), as the
// x-amz-storage-class header spells them: a provider refuses a misspelt one only at the first
// upload, hours after the setting was changed.
static bool check_s3_storage_class(char **newval, void **extra, GucSource source)
{
    static const char *const allowed[] = {
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA",  "ONEZONE_IA",      "INTELLIGENT_TIERING",
        "GLACIER",  "GLACIER_IR",         "DEEP_ARCHIVE", "EXPRESS_ONEZONE", "InfrequentAccess"};
    if (**newval == '\0')
        return true;
    for (const char *storage_class : allowed)
        if (strcmp(*newval, storage_class) == 0)
            return true;
    StringInfoData list;
    initStringInfo(&list);
    for (const char *storage_class : allowed)
        appendStringInfo(&list, "%s%s", list.len > 0 ? ", " : "", storage_class);
    GUC_check_errdetail("Allowed values are %s (InfrequentAccess is Cloudflare R2's).", list.data);
    GUC_check_errhint("Set it to '' for the bucket's default storage class.");
    return false;
}

// AWS S3's server-side encryptions: a misspelt one would fail only at the first upload.
static bool check_s3_sse(char **newval, void **extra, GucSource source)
{
    if (**newval == '\0' || strcmp(*newval, "AES256") == 0 || strcmp(*newval, "aws:kms") == 0)
        return true;
    GUC_check_errdetail(
        "Allowed values are AES256 (keys managed by S3) and aws:kms (keys in AWS KMS).");
    GUC_check_errhint("Set it to '' for the bucket's default encryption.");
    return false;
}

// The keys are visible to superusers only (GUC_SUPERUSER_ONLY hides them from SHOW and
// pg_settings for everyone else); the secret and the token are not even listed (GUC_NO_SHOW_ALL).
static void define_s3_settings()
{
    DefineCustomStringVariable("lokbackup.s3_endpoint",
                               "S3 endpoint URL, for Cloudflare R2 and other providers.",
                               "Empty: AWS S3 in lokbackup.s3_region.", &s3_endpoint_setting, "",
                               PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.s3_region", "S3 region; auto for Cloudflare R2.", nullptr,
                               &s3_region_setting, "us-east-1", PGC_SIGHUP, 0, nullptr, nullptr,
                               nullptr);
    DefineCustomBoolVariable("lokbackup.s3_path_style",
                             "Path-style S3 addressing (endpoint/bucket/key) instead of "
                             "virtual-hosted (bucket.endpoint/key).",
                             nullptr, &s3_path_style_setting, false, PGC_SIGHUP, 0, nullptr,
                             nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.s3_access_key_id", "S3 access key id.",
                               "Empty: the server's AWS_ACCESS_KEY_ID environment variable.",
                               &s3_access_key_id_setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY,
                               nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.s3_secret_access_key", "S3 secret access key.",
                               "Empty: the server's AWS_SECRET_ACCESS_KEY environment variable.",
                               &s3_secret_access_key_setting, "", PGC_SIGHUP,
                               GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.s3_session_token", "S3 session token (temporary keys).",
                               "Empty: the server's AWS_SESSION_TOKEN environment variable.",
                               &s3_session_token_setting, "", PGC_SIGHUP,
                               GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("lokbackup.s3_part_size", "Size of the parts of a multipart upload.",
                            "All parts but the last have this size; 10,000 parts at most.",
                            &s3_part_size_setting, 32, 5, 5120, PGC_SIGHUP, GUC_UNIT_MB, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("lokbackup.s3_max_attempts",
                            "Attempts of one S3 request before it fails, transient errors retried.",
                            nullptr, &s3_max_attempts_setting, 5, 1, 100, PGC_SIGHUP, 0, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("lokbackup.s3_retry_deadline",
                            "No retry of an S3 request starts later than this after its first "
                            "attempt.",
                            nullptr, &s3_retry_deadline_setting, 120, 1, 3600, PGC_SIGHUP,
                            GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("lokbackup.s3_stall_timeout",
                            "An S3 request that moves no byte for this long is abandoned (and "
                            "retried).",
                            "Connecting gets at most 10 s of it. Raise it for a slow link.",
                            &s3_stall_timeout_setting, 60, 1, 3600, PGC_SIGHUP, GUC_UNIT_S, nullptr,
                            nullptr, nullptr);
    DefineCustomStringVariable(
        "lokbackup.s3_storage_class", "S3 storage class of backup objects (x-amz-storage-class).",
        "Empty: the bucket's default. Manifests and objects under 128 kB "
        "keep the default.",
        &s3_storage_class_setting, "", PGC_SIGHUP, 0, check_s3_storage_class, nullptr, nullptr);
    DefineCustomStringVariable(
        "lokbackup.s3_sse",
        "S3 server-side encryption of every object (x-amz-server-side-encryption).",
        "AES256 or aws:kms; empty: the bucket's default. Cloudflare R2 always encrypts and ignores "
        "it.",
        &s3_sse_setting, "", PGC_SIGHUP, 0, check_s3_sse, nullptr, nullptr);
    DefineCustomStringVariable(
        "lokbackup.s3_sse_kms_key_id",
        "The AWS KMS key of lokbackup.s3_sse = 'aws:kms' (id, ARN or alias).",
        "Empty: the account's AWS managed key for S3.", &s3_sse_kms_key_id_setting, "", PGC_SIGHUP,
        0, nullptr, nullptr, nullptr);
}

// The second destination: one place besides lokbackup.storage that every backup is also written
// to. Its S3 endpoint, region, addressing and keys are its own; every other S3 option is shared.
static void define_storage_copy_settings()
{
    DefineCustomStringVariable(
        "lokbackup.storage_copy",
        "A second place every backup is also written to: an absolute directory path or "
        "s3://bucket/prefix.",
        "Empty: none. It must not be the place of lokbackup.storage. One second destination only.",
        &storage_copy_setting, "", PGC_SIGHUP, 0, check_storage, nullptr, nullptr);
    DefineCustomStringVariable(
        "lokbackup.storage_copy_s3_endpoint", "S3 endpoint URL of lokbackup.storage_copy.",
        "Empty: AWS S3 in lokbackup.storage_copy_s3_region.", &storage_copy_s3_endpoint_setting, "",
        PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.storage_copy_s3_region",
                               "S3 region of lokbackup.storage_copy; auto for Cloudflare R2.",
                               nullptr, &storage_copy_s3_region_setting, "us-east-1", PGC_SIGHUP, 0,
                               nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("lokbackup.storage_copy_s3_path_style",
                             "Path-style S3 addressing for lokbackup.storage_copy.",
                             "On for servers without virtual-hosted buckets (MinIO, say).",
                             &storage_copy_s3_path_style_setting, false, PGC_SIGHUP, 0, nullptr,
                             nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.storage_copy_s3_access_key_id",
                               "S3 access key id of lokbackup.storage_copy.",
                               "Empty: the keys of lokbackup.storage (lokbackup.s3_access_key_id, "
                               "or AWS_ACCESS_KEY_ID).",
                               &storage_copy_s3_access_key_id_setting, "", PGC_SIGHUP,
                               GUC_SUPERUSER_ONLY, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.storage_copy_s3_secret_access_key",
                               "S3 secret access key of lokbackup.storage_copy.", nullptr,
                               &storage_copy_s3_secret_access_key_setting, "", PGC_SIGHUP,
                               GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "lokbackup.storage_copy_required",
        "Whether a backup is completed only once its copy in lokbackup.storage_copy is stored.",
        "Off: a copy that fails leaves the backup completed in lokbackup.storage alone, with a "
        "warning, a notification and the failure in lokbackup_copies.",
        &storage_copy_required_setting, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
}

static bool check_encrypt_to(char **newval, void **extra, GucSource source)
{
    if (!passes_core_check(*newval, [](const std::string &v) { parse_age_recipients(v); })) {
        GUC_check_errhint("Give the public keys (age1...) that age-keygen printed, separated by "
                          "commas; their identities stay off the server.");
        return false;
    }
    return true;
}

// The passphrase file and the drills' identity file.
static bool check_key_file(char **newval, void **extra, GucSource source)
{
    if (**newval == '\0' || is_absolute_path(*newval))
        return true;
    GUC_check_errdetail("The file must be named by an absolute path.");
    return false;
}

// Whom the backups are encrypted to. The public keys are public: anyone may see them; the
// passphrase file's path only superusers, as it leads to a secret.
static void define_encryption_settings()
{
    DefineCustomStringVariable(
        "lokbackup.encrypt_to",
        "age recipients (X25519 public keys, age1...) every backup object is encrypted to.",
        "Comma-separated; empty: no encryption. The server cannot decrypt its own backups.",
        &encrypt_to_setting, "", PGC_SIGHUP, 0, check_encrypt_to, nullptr, nullptr);
    DefineCustomStringVariable(
        "lokbackup.encrypt_passphrase_file",
        "A file whose first line is the passphrase every backup object is encrypted with (age's "
        "scrypt).",
        "Empty: none. Not with lokbackup.encrypt_to: age encrypts to a passphrase alone.",
        &encrypt_passphrase_file_setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, check_key_file,
        nullptr, nullptr);
    DefineCustomStringVariable(
        "lokbackup.drill_identity_file",
        "An age identity file with which restore drills decrypt backups encrypted to "
        "lokbackup.encrypt_to.",
        "Empty: such backups are not drilled. The server can then decrypt its own backups.",
        &drill_identity_file_setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, check_key_file, nullptr,
        nullptr);
}

static void define_schedule_settings()
{
    DefineCustomStringVariable(
        "lokbackup.schedule", "When scheduled backups run, in cron syntax.",
        "Five fields (minute hour day-of-month month day-of-week) or a macro such as @daily; "
        "empty: no scheduled backups.",
        &schedule_setting, "0 3 * * *", PGC_SIGHUP, 0, check_schedule, nullptr, nullptr);

    DefineCustomStringVariable(
        "lokbackup.base_backup_schedule",
        "When scheduled base backups of the cluster run, in cron syntax.",
        "Read in lokbackup.timezone, like lokbackup.schedule; its base backups are daily, weekly "
        "or monthly and rotated as scheduled dumps are. Empty: none (lokbackup_run(kind => "
        "'physical') still takes one).",
        &base_backup_schedule_setting, "", PGC_SIGHUP, 0, check_schedule, nullptr, nullptr);

    DefineCustomStringVariable(
        "lokbackup.drill_schedule",
        "When restore drills run, in cron syntax: the latest backup of each database is restored "
        "into a scratch database and checked.",
        "Read in lokbackup.timezone, like lokbackup.schedule; empty: no scheduled drills "
        "(lokbackup_drill() still runs one).",
        &drill_schedule_setting, "", PGC_SIGHUP, 0, check_schedule, nullptr, nullptr);
    // May hold a password: visible to superusers only.
    DefineCustomStringVariable(
        "lokbackup.drill_conninfo",
        "The server restore drills restore into, as a libpq connection string.",
        "Its host, port, user, password and dbname (where the drill connects to create and drop "
        "its scratch database); empty: this server.",
        &drill_conninfo_setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL,
        check_drill_conninfo, nullptr, nullptr);
    DefineCustomBoolVariable(
        "lokbackup.drill_on_this_server",
        "Whether restore drills may restore into this server when lokbackup.drill_conninfo is "
        "empty.",
        "A drill replays the dump as a superuser, so the code of the dump's owners runs with a "
        "superuser's rights: on only if every role that can create objects in the backed-up "
        "databases is trusted as a superuser.",
        &drill_on_this_server_setting, false, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);

    DefineCustomStringVariable("lokbackup.timezone",
                               "Time zone in which lokbackup.schedule is read.",
                               "An IANA name, such as UTC or Europe/Berlin.", &timezone_setting,
                               "UTC", PGC_SIGHUP, 0, check_timezone, nullptr, nullptr);

    DefineCustomIntVariable("lokbackup.retain_daily", "Days a daily backup is kept.", nullptr,
                            &retain_daily_setting, 7, 1, 36500, PGC_SIGHUP, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomIntVariable("lokbackup.retain_weekly", "Weeks a weekly backup is kept.", nullptr,
                            &retain_weekly_setting, 4, 1, 5200, PGC_SIGHUP, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomIntVariable("lokbackup.retain_monthly", "Months a monthly backup is kept.", nullptr,
                            &retain_monthly_setting, 12, 1, 1200, PGC_SIGHUP, 0, nullptr, nullptr,
                            nullptr);
}

// The SMTP password and the webhook URL (whose path is often its secret) are visible to
// superusers only (GUC_SUPERUSER_ONLY hides them from SHOW and pg_settings for everyone else).
static void define_notification_settings()
{
    DefineCustomEnumVariable("lokbackup.notify_on", "Which finished backups are notified.",
                             "failure: failed backups only; always: every backup.",
                             &notify_on_setting, 0, notify_on_options, PGC_SIGHUP, 0, nullptr,
                             nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.notify_email",
                               "Where notifications are mailed: comma-separated addresses.",
                               "Empty: no mail. Needs lokbackup.smtp_url and lokbackup.smtp_from.",
                               &notify_email_setting, "", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.notify_webhook",
                               "URL to which notifications are POSTed as JSON (Slack-compatible).",
                               "Empty: no webhook.", &notify_webhook_setting, "", PGC_SIGHUP,
                               GUC_SUPERUSER_ONLY, check_webhook, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.smtp_url", "Mail server for notifications.",
                               "smtp://host:port (STARTTLS per lokbackup.smtp_starttls) or "
                               "smtps://host:port (TLS from the start).",
                               &smtp_url_setting, "", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomEnumVariable("lokbackup.smtp_starttls", "STARTTLS on an smtp:// connection.",
                             "never, optional (when offered) or required.", &smtp_starttls_setting,
                             1, starttls_options, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.smtp_user", "User name for SMTP authentication.",
                               "Empty: no authentication.", &smtp_user_setting, "", PGC_SIGHUP, 0,
                               nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.smtp_password", "Password for SMTP authentication.",
                               nullptr, &smtp_password_setting, "", PGC_SIGHUP,
                               GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("lokbackup.smtp_from", "Sender address of notification mail.",
                               "For example: lokbackup <backup@example.com>.", &smtp_from_setting,
                               "", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
}

// WAL archiving (archive_library = 'lokbackup').
static void define_wal_archive_settings()
{
    DefineCustomIntVariable("lokbackup.wal_upload_timeout",
                            "Longest the archiver waits for one WAL file to be stored.",
                            "The file is then given up, and PostgreSQL's archiver retries it.",
                            &wal_upload_timeout_setting, 5 * 60, 1, 24 * 60 * 60, PGC_SIGHUP,
                            GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("lokbackup.wal_failure_notify_after",
                            "How long WAL archiving fails before it is notified.",
                            "0: never notified.", &wal_failure_notify_after_setting, 5 * 60, 0,
                            7 * 24 * 60 * 60, PGC_SIGHUP, GUC_UNIT_S, nullptr, nullptr, nullptr);
}

static std::string setting_or_environment(const char *setting, const char *variable)
{
    if (setting[0] != '\0')
        return setting;
    const char *value = std::getenv(variable);
    return value ? value : "";
}

S3Options s3_settings()
{
    S3Options options;
    options.access_key_id = setting_or_environment(s3_access_key_id_setting, "AWS_ACCESS_KEY_ID");
    options.secret_access_key =
        setting_or_environment(s3_secret_access_key_setting, "AWS_SECRET_ACCESS_KEY");
    options.session_token = setting_or_environment(s3_session_token_setting, "AWS_SESSION_TOKEN");
    options.part_size = static_cast<std::uint64_t>(s3_part_size_setting) * 1024 * 1024;
    options.max_attempts = s3_max_attempts_setting;
    options.retry_deadline_seconds = s3_retry_deadline_setting;
    options.stall_timeout_seconds = s3_stall_timeout_setting;
    options.storage_class = s3_storage_class_setting;
    options.server_side_encryption = s3_sse_setting;
    options.sse_kms_key_id = s3_sse_kms_key_id_setting;
    return options;
}

S3Options s3_copy_settings()
{
    S3Options options = s3_settings();
    if (storage_copy_s3_access_key_id_setting[0] != '\0' ||
        storage_copy_s3_secret_access_key_setting[0] != '\0') {
        options.access_key_id = storage_copy_s3_access_key_id_setting;
        options.secret_access_key = storage_copy_s3_secret_access_key_setting;
        options.session_token.clear(); // the primary's token belongs to the primary's keys
    }
    return options;
}

BackupEncryption encryption_settings()
{
    return BackupEncryption{encrypt_to_setting, encrypt_passphrase_file_setting};
}

DrillKeys drill_key_settings()
{
    return DrillKeys{drill_identity_file_setting, encrypt_passphrase_file_setting};
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
        "lokbackup.storage",
        "Where backups are stored: an absolute directory path or s3://bucket/prefix.",
        "Empty: a directory named lokbackup beside the data directory.", &storage_setting, "",
        PGC_SIGHUP, 0, check_storage, nullptr, nullptr);

    compression_options = enum_options(compression_vocabulary);
    DefineCustomEnumVariable("lokbackup.compression", "Compression of backup objects.", nullptr,
                             &compression_setting, compression_setting, compression_options,
                             PGC_SIGHUP, 0, nullptr, nullptr, nullptr);

    DefineCustomIntVariable(
        "lokbackup.compression_level", "Compression level; 0 means the codec's default.",
        "zstd: 1 to 19 (default 3); gzip: 1 to 9 (default 6); none: 0.", &compression_level_setting,
        0, 0, 19, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);

    format_options = enum_options(logical_dump_format_vocabulary);
    DefineCustomEnumVariable("lokbackup.format", "pg_dump output format of backups.",
                             "plain: SQL replayed by psql; custom: "
                             "replayed by pg_restore.",
                             &format_setting, format_setting, format_options, PGC_SIGHUP, 0,
                             nullptr, nullptr, nullptr);

    DefineCustomIntVariable("lokbackup.backup_timeout",
                            "Longest a backup of one database may run before it is stopped.",
                            nullptr, &backup_timeout_setting, 30 * 60, 1, 7 * 24 * 60 * 60,
                            PGC_SIGHUP, GUC_UNIT_S, nullptr, nullptr, nullptr);

    define_s3_settings();
    define_storage_copy_settings();
    define_encryption_settings();
    define_schedule_settings();
    define_notification_settings();
    define_wal_archive_settings();

#if PG_VERSION_NUM >= 150000
    MarkGUCPrefixReserved("lokbackup");
#else
    EmitWarningsOnPlaceholders("lokbackup");
#endif
}

} // namespace lokbackup::pg
