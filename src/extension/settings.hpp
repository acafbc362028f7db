// The lokbackup.* settings (GUCs).
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "nodes/pg_list.h"
}

#include "core/crypto/backup_encryption.hpp"
#include "core/storage/storage.hpp"

namespace lokbackup::pg
{

// Backups.
extern char *catalog_database_setting; // lokbackup.database
extern char *databases_setting;        // lokbackup.databases
extern int backup_timeout_setting;     // lokbackup.backup_timeout, seconds
extern int compression_level_setting;  // lokbackup.compression_level

// S3 storage: where (a backup's row records these, storage_bridge.hpp) ...
extern char *s3_endpoint_setting;  // lokbackup.s3_endpoint
extern char *s3_region_setting;    // lokbackup.s3_region
extern bool s3_path_style_setting; // lokbackup.s3_path_style

// The second destination (lokbackup.storage_copy, "" for none), as storage_bridge.hpp reads it.
extern char *storage_copy_setting;
extern char *storage_copy_s3_endpoint_setting;
extern char *storage_copy_s3_region_setting;
extern bool storage_copy_s3_path_style_setting;
extern bool storage_copy_required_setting;

// Schedule and rotation.
extern char *schedule_setting;             // lokbackup.schedule, "" for none
extern char *drill_schedule_setting;       // lokbackup.drill_schedule, "" for none
extern char *base_backup_schedule_setting; // lokbackup.base_backup_schedule, "" for none
extern char *drill_conninfo_setting;       // lokbackup.drill_conninfo, "": this server
extern char *timezone_setting;             // lokbackup.timezone
extern int retain_daily_setting;           // lokbackup.retain_daily, days
extern int retain_weekly_setting;          // lokbackup.retain_weekly, weeks
extern int retain_monthly_setting;         // lokbackup.retain_monthly, months

// Notifications.
extern char *notify_email_setting;   // lokbackup.notify_email, "" for none
extern char *notify_webhook_setting; // lokbackup.notify_webhook, "" for none
extern char *smtp_url_setting;       // lokbackup.smtp_url
extern char *smtp_user_setting;      // lokbackup.smtp_user
extern char *smtp_password_setting;  // lokbackup.smtp_password
extern char *smtp_from_setting;      // lokbackup.smtp_from

// WAL archiving.
extern int wal_upload_timeout_setting; // lokbackup.wal_upload_timeout, seconds
extern int
    wal_failure_notify_after_setting; // lokbackup.wal_failure_notify_after, seconds; 0: never

void define_settings();

// ... and how: the other lokbackup.s3_* settings, as core takes them, with the server's
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN environment variables for
// credentials left empty; the endpoint, region and addressing are left at their defaults. For
// core_call() lambdas and the backup child's request only: it builds a C++ object and calls
// nothing in PostgreSQL.
S3Options s3_settings();

// As s3_settings(), with lokbackup.storage_copy's keys when they are set (both, or the primary's
// keys are used): for the second destination.
S3Options s3_copy_settings();

// lokbackup.encrypt_to and lokbackup.encrypt_passphrase_file; for core_call() lambdas and the
// backup child's request only, as s3_settings().
BackupEncryption encryption_settings();

// What restore drills decrypt with: lokbackup.drill_identity_file, and the passphrase file.
struct DrillKeys {
    const char *identity_file;
    const char *passphrase_file;
};
DrillKeys drill_key_settings();

// Raises an error unless the session is in lokbackup.database. Another database can hold a copy
// of the catalog (a restored backup of the catalog database): `action` ("lokbackup_run()", say)
// must not be taken from it, since its rows name objects that the real catalog owns.
void require_catalog_database(const char *action);

// The databases lokbackup.databases names (NIL when it is empty), allocated in the current memory
// context.
List *named_databases_setting();

const char *compression_setting_name();   // "zstd", "gzip", "none"
const char *format_setting_name();        // "plain", "custom"
const char *smtp_starttls_setting_name(); // "never", "optional", "required"
bool notify_on_success();                 // lokbackup.notify_on = always
// Whether the setting holds a secret: shown to superusers only, never logged.
bool is_secret_setting(const char *name);
// The storage spec in force: lokbackup.storage, or its default, a directory beside the data
// directory (outside it, so that a backup never lands in the data it backs up).
char *storage_spec();
// The default storage directory: "lokbackup" beside the data directory.
char *default_storage_directory();

} // namespace lokbackup::pg
