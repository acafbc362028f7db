\set SHOW_CONTEXT never
-- lokbackup_run(): bad input is refused and creates nothing.
SELECT lokbackup_run(NULL);
SELECT lokbackup_run('hourly');
SELECT lokbackup_run('manual', NULL);
SELECT lokbackup_run(kind => 'incremental');
SELECT lokbackup_run(kind => NULL);
SELECT count(*) AS backups_after_bad_input FROM lokbackup_backups;

-- One run backs up every connectable database and the roles, one row and one object each.
SELECT cardinality(lokbackup_run(wait => true)) AS backups_in_run;
SELECT contents, coalesce(database, '(roles)') AS database, type, status, format, compression,
       size > 0 AS has_size, raw_size > 0 AS has_raw_size, sha256 ~ '^[0-9a-f]{64}$' AS has_sha256,
       duration IS NOT NULL AS has_duration, error IS NULL AS no_error,
       object_key ~ ('^' || coalesce(database, '~roles') || '/[0-9]{4}/[0-9]{2}/') AS key_layout,
       requested_by = session_user AS requested_by_caller
FROM lokbackup_backups ORDER BY id;
SELECT count(*) AS run_audit_rows FROM lokbackup_audit WHERE action = 'run';

-- Every completed object and its manifest exist where the catalog says.
SELECT b.id = (pg_read_file(lokbackup_internal.storage_location(b.storage, b.s3_endpoint, b.s3_region, b.s3_path_style, b.object_key) || '.manifest.json')::jsonb ->> 'id')::bigint
           AS manifest_matches,
       (pg_stat_file(lokbackup_internal.storage_location(b.storage, b.s3_endpoint, b.s3_region, b.s3_path_style, b.object_key))).size = b.size AS object_size_matches
FROM lokbackup_backups b ORDER BY b.id;

-- Nothing is left pending or running.
SELECT count(*) AS unfinished FROM lokbackup_backups WHERE status IN ('pending', 'in_progress');
SELECT * FROM lokbackup_running;
