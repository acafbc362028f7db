\set SHOW_CONTEXT never
-- lokbackup_delete(): bad input changes nothing.
SELECT lokbackup_delete(NULL);
SELECT lokbackup_delete(-1);
SELECT lokbackup_delete(99999999);
SELECT count(*) AS deleted FROM lokbackup_backups WHERE status = 'deleted';

-- Deleting removes object and manifest, marks the row, and is audited.
SELECT id AS victim, lokbackup_internal.storage_location(storage, s3_endpoint, s3_region, s3_path_style, object_key) AS victim_path
FROM lokbackup_backups WHERE database = 'postgres' ORDER BY id LIMIT 1 \gset
SELECT lokbackup_delete(:victim);
SELECT status FROM lokbackup_backups WHERE id = :victim;
SELECT pg_stat_file(:'victim_path', true) IS NULL AS object_gone,
       pg_stat_file(:'victim_path' || '.manifest.json', true) IS NULL AS manifest_gone;
SELECT action, backup_id = :victim AS right_backup FROM lokbackup_audit ORDER BY id DESC LIMIT 1;
SELECT lokbackup_delete(:victim);
SELECT * FROM lokbackup_restore_plan(:'victim');
