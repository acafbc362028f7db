\set SHOW_CONTEXT never
-- The second destination (lokbackup.storage_copy): its settings are checked as lokbackup.storage's.
ALTER SYSTEM SET lokbackup.storage_copy = 'relative/dir';
ALTER SYSTEM SET lokbackup.storage_copy = 'ftp://host/x';
SHOW lokbackup.storage_copy;
SHOW lokbackup.storage_copy_required;

-- Without a second destination every backup is in one place.
SELECT DISTINCT copies FROM lokbackup_list() WHERE status = 'completed';
SELECT max(id) AS newest_postgres FROM lokbackup_backups WHERE database = 'postgres' AND status = 'completed' \gset

-- lokbackup_copy_locations(): the completed copies, the primary first, audited.
SELECT lokbackup_copy_locations(NULL);
SELECT lokbackup_copy_locations(99999999);
SELECT l.destination, l.storage = b.storage AS storage, l.location = b.storage || '/' || b.object_key AS location,
       l.manifest_location = l.location || '.manifest.json' AS manifest_location,
       l.sha256 = b.sha256 AS sha256, l.size = b.size AS size
FROM lokbackup_copy_locations(:newest_postgres) l JOIN lokbackup_backups b ON b.id = :newest_postgres;
SELECT action, backup_id = :newest_postgres AS this_backup FROM lokbackup_audit ORDER BY id DESC LIMIT 1;

-- lokbackup_record_copy() records only a copy in lokbackup.storage_copy, which is not set here.
SELECT lokbackup_record_copy(:newest_postgres, '/elsewhere', NULL, NULL, NULL, 1, repeat('0', 64));

-- With a second destination, a copy of that very object into that very place is recorded.
ALTER SYSTEM SET lokbackup.storage_copy = '/nonexistent/lokbackup-copy';
SELECT pg_reload_conf();
SELECT pg_sleep(1);
SHOW lokbackup.storage_copy;
SELECT lokbackup_record_copy(id, '/elsewhere', '', 'us-east-1', false, size, sha256)
FROM lokbackup_backups WHERE id = :newest_postgres;
\set VERBOSITY terse
SELECT lokbackup_record_copy(id, '/nonexistent/lokbackup-copy', '', 'us-east-1', false, size + 1, sha256)
FROM lokbackup_backups WHERE id = :newest_postgres;
\set VERBOSITY default
SELECT lokbackup_record_copy(id, '/nonexistent/lokbackup-copy', '', 'us-east-1', false, size, sha256)
FROM lokbackup_backups WHERE id = :newest_postgres;
SELECT c.status, c.required, c.object_key = b.object_key AS object_key, c.stored_at IS NOT NULL AS stored
FROM lokbackup_copies c JOIN lokbackup_backups b ON b.id = c.backup_id WHERE b.id = :newest_postgres;
SELECT action, detail FROM lokbackup_audit ORDER BY id DESC LIMIT 1;
ALTER SYSTEM RESET lokbackup.storage_copy;
SELECT pg_reload_conf();

-- The view, the listing, the copy's verification.
SELECT destination, status, size IS NOT NULL AS has_size, verification
FROM lokbackup_backup_copies WHERE backup_id = :newest_postgres ORDER BY destination DESC;
SELECT copies FROM lokbackup_list() WHERE id = :newest_postgres;
SELECT destination, storage = '/nonexistent/lokbackup-copy' AS in_copy_storage FROM lokbackup_copy_locations(:newest_postgres);
SELECT lokbackup_record_copy_verification(:newest_postgres, '/nonexistent/lokbackup-copy', NULL);
SELECT lokbackup_record_copy_verification(:newest_postgres, '/nonexistent/lokbackup-copy', true, 'no');
SELECT lokbackup_record_copy_verification(:newest_postgres, '/no/such/copy', true);
SELECT lokbackup_record_copy_verification(:newest_postgres, '/nonexistent/lokbackup-copy', false, 'checksum mismatch: test');
SELECT destination, verification FROM lokbackup_backup_copies WHERE backup_id = :newest_postgres ORDER BY destination DESC;
SELECT action, detail FROM lokbackup_audit ORDER BY id DESC LIMIT 1;
UPDATE lokbackup_copies SET status = 'failed', error = 'test' WHERE backup_id = :newest_postgres;
SELECT copies FROM lokbackup_list() WHERE id = :newest_postgres;

-- Deleting the backup queues the removal of both copies, each on its own; the copy is deleted.
-- (Rolled back: the next tests delete this backup themselves.)
BEGIN;
SELECT lokbackup_delete(:newest_postgres);
SELECT storage = '/nonexistent/lokbackup-copy' AS in_copy_storage FROM lokbackup_removals WHERE backup_id = :newest_postgres ORDER BY 1;
SELECT status FROM lokbackup_copies WHERE backup_id = :newest_postgres;
SELECT copies FROM lokbackup_list() WHERE id = :newest_postgres;
ROLLBACK;
DELETE FROM lokbackup_copies WHERE backup_id = :newest_postgres;

-- Only lokbackup_admin reads the copies.
SELECT has_table_privilege('public', 'lokbackup_copies', 'SELECT') AS public_reads_copies,
       has_table_privilege('lokbackup_admin', 'lokbackup_copies', 'SELECT') AS admin_reads_copies,
       has_table_privilege('lokbackup_admin', 'lokbackup_backup_copies', 'SELECT') AS admin_reads_view,
       has_function_privilege('public', 'lokbackup_copy_locations(bigint)', 'EXECUTE') AS public_locates;
