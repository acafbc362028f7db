\set SHOW_CONTEXT never
-- lokbackup_restore_plan(): bad input gets a clear error and writes no audit row.
SELECT count(*) AS audit_before FROM lokbackup_audit \gset
SELECT * FROM lokbackup_restore_plan(NULL);
SELECT * FROM lokbackup_restore_plan('lates', 'contrib_regression');
SELECT * FROM lokbackup_restore_plan('-1');
SELECT * FROM lokbackup_restore_plan('99999999');
SELECT * FROM lokbackup_restore_plan('latest');
SELECT * FROM lokbackup_restore_plan('latest', 'no_such_database');
SELECT count(*) = :audit_before AS no_audit_written FROM lokbackup_audit;

-- A plan for the latest backup of a database, with the exact command, audited.
SELECT p.backup_id = (SELECT max(id) FROM lokbackup_backups WHERE database = 'postgres') AS is_latest,
       p.database, p.contents, p.location LIKE '/%' AS absolute_location, p.sha256 = b.sha256 AS sha256,
       p.size = b.size AS size, p.format, p.compression, p.catalog_database,
       p.command = format('lokbackup restore %s --dbname=postgres --catalog-dbname=contrib_regression', p.backup_id)
           AS command
FROM lokbackup_restore_plan('latest', 'postgres') p JOIN lokbackup_backups b ON b.id = p.backup_id;
SELECT actor = session_user AS actor, action, detail FROM lokbackup_audit ORDER BY id DESC LIMIT 1;

-- The command is quoted for a POSIX shell: pasting it never runs what a name holds.
SELECT lokbackup_internal.shell_quote('--dbname=$(touch x)') AS command_substitution,
       lokbackup_internal.shell_quote('--dbname=it''s') AS quote,
       lokbackup_internal.shell_quote('--dbname=app_db-1.old') AS plain;

-- A plan by id; the id must belong to the database when one is named.
SELECT contents FROM lokbackup_restore_plan((SELECT min(id)::text FROM lokbackup_backups));
SELECT * FROM lokbackup_restore_plan((SELECT min(id)::text FROM lokbackup_backups), 'postgres');

-- lokbackup_download_url(): bad input is refused; local storage has no presigned URLs.
SELECT lokbackup_download_url(NULL);
SELECT lokbackup_download_url(99999999);
SELECT lokbackup_download_url((SELECT max(id) FROM lokbackup_backups), '0 seconds');
SELECT lokbackup_download_url((SELECT max(id) FROM lokbackup_backups), '8 days');
SELECT lokbackup_download_url((SELECT max(id) FROM lokbackup_backups));
SELECT count(*) AS download_audits FROM lokbackup_audit WHERE action = 'download_url';

-- lokbackup_record_verification(): what `lokbackup verify` found. Bad input is refused; a backup
-- that failed verification is never 'latest', and a later pass clears it.
SELECT max(id) AS newest_postgres FROM lokbackup_backups WHERE database = 'postgres' AND status = 'completed' \gset
SELECT lokbackup_record_verification(NULL, true);
SELECT lokbackup_record_verification(:newest_postgres, NULL);
SELECT lokbackup_record_verification(:newest_postgres, true, 'checksum mismatch');
SELECT lokbackup_record_verification(:newest_postgres, false);
SELECT lokbackup_record_verification(99999999, true);
SELECT lokbackup_record_verification(:newest_postgres, false, 'checksum mismatch: test');
SELECT verification, verified_at IS NOT NULL AS verified, verification_error
FROM lokbackup_status WHERE id = :newest_postgres;
SELECT backup_id <> :newest_postgres AS latest_skips_it FROM lokbackup_restore_plan('latest', 'postgres');
SELECT action, detail FROM lokbackup_audit WHERE action = 'verify' ORDER BY id DESC LIMIT 1;
SELECT lokbackup_record_verification(:newest_postgres, true);
SELECT backup_id = :newest_postgres AS latest_again FROM lokbackup_restore_plan('latest', 'postgres');
