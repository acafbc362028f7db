\set SHOW_CONTEXT never
-- The schedule and rotation settings are validated when set; a rejected value changes nothing.
SHOW lokbackup.schedule;
SHOW lokbackup.timezone;
ALTER SYSTEM SET lokbackup.schedule = '0 25 * * *';
ALTER SYSTEM SET lokbackup.schedule = '0 3 * *';
ALTER SYSTEM SET lokbackup.schedule = '*/0 * * * *';
ALTER SYSTEM SET lokbackup.schedule = '0 3 * * FUNDAY';
ALTER SYSTEM SET lokbackup.schedule = '@fortnightly';
ALTER SYSTEM SET lokbackup.drill_schedule = '0 5 * * 8';
ALTER SYSTEM SET lokbackup.base_backup_schedule = '61 * * * *';
ALTER SYSTEM SET lokbackup.timezone = 'Mars/Olympus_Mons';
ALTER SYSTEM SET lokbackup.timezone = '';
ALTER SYSTEM SET lokbackup.retain_daily = 0;
ALTER SYSTEM SET lokbackup.retain_monthly = -3;
ALTER SYSTEM SET lokbackup.notify_on = 'sometimes';
ALTER SYSTEM SET lokbackup.notify_webhook = 'ftp://example.invalid/hook';
ALTER SYSTEM SET lokbackup.smtp_starttls = 'maybe';
SELECT pg_read_file('postgresql.auto.conf') LIKE '%lokbackup%' AS auto_conf_touched;

-- The next scheduled run is published (the tests' schedule is @yearly, in UTC).
SELECT to_char(lokbackup_next_run() AT TIME ZONE 'UTC', 'MM-DD HH24:MI') AS next_run_time,
       lokbackup_next_run() > now() AS in_the_future,
       lokbackup_next_run() <= now() + interval '1 year' AS within_a_year;
SELECT next_scheduled_run = lokbackup_next_run() AS on_the_dashboard FROM lokbackup_dashboard;

-- lokbackup_keep(): bad input changes nothing; pinning is audited.
SELECT lokbackup_keep(NULL);
SELECT lokbackup_keep(1, NULL);
SELECT lokbackup_keep(99999999);
SELECT lokbackup_keep(3);
SELECT min(id) AS kept FROM lokbackup_backups WHERE status = 'completed' \gset
SELECT lokbackup_keep(:kept);
SELECT pinned FROM lokbackup_backups WHERE id = :kept;
SELECT action, detail FROM lokbackup_audit ORDER BY id DESC LIMIT 1;
SELECT lokbackup_keep(:kept, false);
SELECT pinned FROM lokbackup_backups WHERE id = :kept;

-- lokbackup_rotate(): manual backups are never rotated; a dry run changes nothing.
SELECT lokbackup_rotate(NULL);
SELECT count(*) AS audit_before FROM lokbackup_audit \gset
SELECT * FROM lokbackup_rotate(dry_run => true);
SELECT * FROM lokbackup_rotate();
SELECT count(*) = :audit_before AS nothing_audited FROM lokbackup_audit;

-- Secrets are hidden from everyone but superusers.
CREATE ROLE lokbackup_snoop LOGIN IN ROLE lokbackup_admin;
SET ROLE lokbackup_snoop;
SHOW lokbackup.s3_secret_access_key;
SHOW lokbackup.s3_access_key_id;
SHOW lokbackup.smtp_password;
SHOW lokbackup.notify_webhook;
SHOW lokbackup.drill_conninfo;
SELECT name FROM pg_settings WHERE name LIKE 'lokbackup.%' AND name ~ 'secret|password|access_key|session_token|webhook|conninfo';
RESET ROLE;
DROP ROLE lokbackup_snoop;
