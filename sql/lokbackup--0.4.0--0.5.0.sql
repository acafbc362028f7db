-- lokbackup 0.4.0 -> 0.5.0: the internals in a schema of their own, every object a user calls
-- described; backups encrypted with age.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.5.0'" to load this file. \quit

-- The functions that only the extension's own functions, views and worker call leave the
-- user's schema for lokbackup_internal, as pg_cron keeps its internals in cron: what a user
-- calls keeps its name. A fixed name, so that the worker and the program find it whatever
-- schema the extension was created in; CREATE SCHEMA fails when a schema of that name exists,
-- so nobody but the extension's owner can own it.
CREATE SCHEMA lokbackup_internal;
COMMENT ON SCHEMA lokbackup_internal IS
    'lokbackup''s internal functions: called by its own functions, views and worker, not by users';
REVOKE ALL ON SCHEMA lokbackup_internal FROM PUBLIC;
-- The functions lokbackup_admin runs with its own rights (lokbackup_list(), lokbackup_health())
-- call some of these; each function keeps the grants it had.
GRANT USAGE ON SCHEMA lokbackup_internal TO lokbackup_admin;

ALTER FUNCTION lokbackup_storage_location(text, text, text, boolean, text) SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_storage_location(text, text, text, boolean, text) RENAME TO storage_location;
ALTER FUNCTION lokbackup_storage_url(text, text, text, boolean, text, bigint) SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_storage_url(text, text, text, boolean, text, bigint) RENAME TO storage_url;
ALTER FUNCTION lokbackup_storage_remove(text, text, text, boolean, text) SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_storage_remove(text, text, text, boolean, text) RENAME TO storage_remove;
ALTER FUNCTION lokbackup_storage_in_force() SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_storage_in_force() RENAME TO storage_in_force;
ALTER FUNCTION lokbackup_last_firing(timestamptz) SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_last_firing(timestamptz) RENAME TO last_firing;
ALTER FUNCTION lokbackup_named_databases() SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_named_databases() RENAME TO named_databases;
ALTER FUNCTION lokbackup_pretty_duration(interval) SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_pretty_duration(interval) RENAME TO pretty_duration;
ALTER FUNCTION lokbackup_pretty_age(interval) SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_pretty_age(interval) RENAME TO pretty_age;
ALTER FUNCTION lokbackup_shell_quote(text) SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_shell_quote(text) RENAME TO shell_quote;
ALTER FUNCTION lokbackup_actor() SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_actor() RENAME TO actor;
ALTER FUNCTION lokbackup_check_choice(text, text, text[]) SET SCHEMA lokbackup_internal;
ALTER FUNCTION lokbackup_internal.lokbackup_check_choice(text, text, text[]) RENAME TO check_choice;

-- SQL-standard bodies (the views, lokbackup_health(), lokbackup_stats()) follow the moved
-- functions by themselves; plpgsql bodies name them in text, so each one that calls a moved
-- function is made again, as it was but for the names.

DROP FUNCTION lokbackup_find_backup(text, text);
DROP FUNCTION lokbackup_lock_backup(bigint);
DROP FUNCTION lokbackup_queue_removal(bigint);

-- A completed backup: 'latest' (of a database: the newest that did not fail verification) or an
-- id (whatever its verification: `lokbackup verify` must reach a failed one again, and `lokbackup
-- restore` refuses it with the failure).
CREATE FUNCTION lokbackup_internal.find_backup(backup text, database text)
    RETURNS @extschema@.lokbackup_backups
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    chosen @extschema@.lokbackup_backups;
    wanted bigint;
    failed_count bigint;
BEGIN
    IF backup IS NULL THEN
        RAISE EXCEPTION 'backup must not be NULL'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass ''latest'' or a backup id.';
    END IF;
    IF backup = 'latest' THEN
        IF database IS NULL THEN
            RAISE EXCEPTION 'backup ''latest'' needs a database'
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Pass the name of the database whose latest backup you want, or a backup id.';
        END IF;
        SELECT * INTO chosen FROM @extschema@.lokbackup_backups b
        WHERE b.status = 'completed' AND b.database = find_backup.database
          AND b.verification IS DISTINCT FROM 'failed'
        ORDER BY b.finished_at DESC, b.id DESC LIMIT 1;
        IF NOT FOUND THEN
            SELECT count(*) INTO failed_count FROM @extschema@.lokbackup_backups b
            WHERE b.status = 'completed' AND b.database = find_backup.database;
            IF failed_count > 0 THEN
                RAISE EXCEPTION 'there is no completed backup of database "%" that did not fail verification', database
                    USING ERRCODE = 'no_data_found',
                          DETAIL = format('%s completed %s failed verification.', failed_count,
                                          CASE WHEN failed_count = 1 THEN 'backup' ELSE 'backups' END),
                          HINT = 'lokbackup_status shows why; a backup whose object is intact again passes "lokbackup verify ID".';
            END IF;
            RAISE EXCEPTION 'there is no completed backup of database "%"', database
                USING ERRCODE = 'no_data_found', HINT = 'lokbackup_list() shows the backups there are.';
        END IF;
        RETURN chosen;
    END IF;
    IF backup !~ '^[0-9]{1,18}$' THEN
        RAISE EXCEPTION 'invalid backup "%"', backup
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass ''latest'' or a backup id (a positive number).';
    END IF;
    wanted := backup::bigint;
    SELECT * INTO chosen FROM @extschema@.lokbackup_backups b WHERE b.id = wanted;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'backup % does not exist', wanted
            USING ERRCODE = 'no_data_found', HINT = 'lokbackup_list() shows the backups there are.';
    END IF;
    IF database IS NOT NULL AND chosen.database IS DISTINCT FROM database THEN
        RAISE EXCEPTION 'backup % is not a backup of database "%"', wanted, database
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('It is a backup of %s.', coalesce('database "' || chosen.database || '"', 'the roles'));
    END IF;
    IF chosen.status <> 'completed' THEN
        RAISE EXCEPTION 'backup % is %, not completed', wanted, chosen.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Only a completed backup can be restored.';
    END IF;
    RETURN chosen;
END
$$;

-- Locks the row of a backup that is still there (not deleted) for a change; raises an error that
-- says what is wrong otherwise.
CREATE FUNCTION lokbackup_internal.lock_backup(id bigint) RETURNS @extschema@.lokbackup_backups
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups;
BEGIN
    IF id IS NULL THEN
        RAISE EXCEPTION 'backup id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO b FROM @extschema@.lokbackup_backups x WHERE x.id = lock_backup.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'backup % does not exist', id
            USING ERRCODE = 'no_data_found', HINT = 'lokbackup_list() shows the backups there are.';
    END IF;
    IF b.status = 'deleted' THEN
        RAISE EXCEPTION 'backup % is already deleted', id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN b;
END
$$;

-- Queues the removal of a backup's objects (none: nothing to do) and has a first attempt made
-- once the transaction commits. The worker calls it too.
CREATE FUNCTION lokbackup_internal.queue_removal(backup_id bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r @extschema@.lokbackup_removals;
BEGIN
    INSERT INTO @extschema@.lokbackup_removals AS x
        (backup_id, object_key, storage, s3_endpoint, s3_region, s3_path_style)
    SELECT b.id, b.object_key, b.storage, b.s3_endpoint, b.s3_region, b.s3_path_style
    FROM @extschema@.lokbackup_backups b
    WHERE b.id = queue_removal.backup_id AND b.object_key IS NOT NULL
    RETURNING x.* INTO r;
    IF FOUND THEN
        PERFORM lokbackup_internal.storage_remove(r.storage, r.s3_endpoint, r.s3_region,
                                                  r.s3_path_style, r.object_key);
    END IF;
END
$$;

REVOKE ALL ON FUNCTION lokbackup_internal.find_backup(text, text),
    lokbackup_internal.lock_backup(bigint), lokbackup_internal.queue_removal(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_internal.find_backup(text, text) TO lokbackup_admin;

CREATE OR REPLACE FUNCTION lokbackup_list(type text DEFAULT NULL, status text DEFAULT NULL,
                                          lim integer DEFAULT 50, off integer DEFAULT 0)
    RETURNS SETOF @extschema@.lokbackup_listing
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM lokbackup_internal.check_choice('type', lokbackup_list.type,
                                            ARRAY['daily', 'weekly', 'monthly', 'manual']);
    PERFORM lokbackup_internal.check_choice('status', lokbackup_list.status,
                                            ARRAY['pending', 'in_progress', 'completed', 'failed', 'deleted']);
    IF lim IS NULL OR lim < 1 OR lim > 10000 THEN
        RAISE EXCEPTION 'invalid limit %', coalesce(lim::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The limit must be between 1 and 10000.';
    END IF;
    IF off IS NULL OR off < 0 THEN
        RAISE EXCEPTION 'invalid offset %', coalesce(off::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The offset must be 0 or more.';
    END IF;
    -- A failed verification's reason shows in the error column: the backup's own error is NULL
    -- for a completed backup, the only kind that is verified.
    RETURN QUERY
        SELECT s.id, s.type, s.status, s.database, s.size_pretty, s.raw_size_pretty, s.requested_at,
               s.duration_pretty, left(s.sha256, 12), coalesce(s.error, s.verification_error),
               s.verification, s.verified_at
        FROM @extschema@.lokbackup_status s
        WHERE (lokbackup_list.type IS NULL OR s.type = lokbackup_list.type)
          AND (lokbackup_list.status IS NULL OR s.status = lokbackup_list.status)
        ORDER BY s.id DESC
        LIMIT lim OFFSET off;
END
$$;

CREATE OR REPLACE FUNCTION lokbackup_restore_plan(backup text DEFAULT 'latest', database text DEFAULT NULL)
    RETURNS SETOF @extschema@.lokbackup_plan
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := lokbackup_internal.find_backup(backup, database);
    catalog text := current_setting('lokbackup.database');
BEGIN
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'restore_plan', b.id, jsonb_build_object('requested', backup));
    RETURN QUERY SELECT
        b.id, b.database, b.contents,
        lokbackup_internal.storage_location(b.storage, b.s3_endpoint, b.s3_region,
                                            b.s3_path_style, b.object_key),
        -- The manifest's key is the object's plus this suffix (manifest_key() in core).
        lokbackup_internal.storage_location(b.storage, b.s3_endpoint, b.s3_region,
                                            b.s3_path_style, b.object_key || '.manifest.json'),
        b.sha256, b.size, b.raw_size, b.format, b.compression, catalog, b.requested_at,
        format('lokbackup restore %s %s%s', b.id,
               lokbackup_internal.shell_quote('--dbname=' || coalesce(b.database, catalog)),
               CASE WHEN catalog <> 'postgres'
                    THEN ' ' || lokbackup_internal.shell_quote('--catalog-dbname=' || catalog)
                    ELSE '' END);
END
$$;

CREATE OR REPLACE FUNCTION lokbackup_download_url(id bigint, valid_for interval DEFAULT '1 hour') RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups;
    seconds bigint := ceil(extract(epoch FROM valid_for))::bigint;
BEGIN
    IF id IS NULL THEN
        RAISE EXCEPTION 'backup id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF seconds IS NULL OR seconds < 1 OR seconds > 7 * 24 * 3600 THEN
        RAISE EXCEPTION 'invalid validity for a download URL'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('%s seconds were asked for.', coalesce(seconds::text, 'NULL')),
                  HINT = 'A download URL is valid for 1 second to 7 days (S3''s limit).';
    END IF;
    b := lokbackup_internal.find_backup(id::text, NULL);
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'download_url', b.id, jsonb_build_object('valid_for_seconds', seconds));
    RETURN lokbackup_internal.storage_url(b.storage, b.s3_endpoint, b.s3_region, b.s3_path_style,
                                          b.object_key, seconds);
END
$$;

CREATE OR REPLACE FUNCTION lokbackup_delete(id bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := lokbackup_internal.lock_backup(id);
BEGIN
    IF b.status IN ('pending', 'in_progress') THEN
        RAISE EXCEPTION 'backup % is %', id, b.status
            USING ERRCODE = 'object_in_use', HINT = 'Wait until it has finished, then delete it.';
    END IF;
    UPDATE @extschema@.lokbackup_backups x SET status = 'deleted' WHERE x.id = b.id;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'delete', b.id, jsonb_build_object('object_key', b.object_key, 'previous_status', b.status));
    -- Storage is touched only once this transaction commits; until storage says the objects are
    -- gone, lokbackup_removals keeps the removal for the worker.
    PERFORM lokbackup_internal.queue_removal(b.id);
END
$$;

CREATE OR REPLACE FUNCTION lokbackup_keep(id bigint, keep boolean DEFAULT true) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := lokbackup_internal.lock_backup(id);
BEGIN
    IF keep IS NULL THEN
        RAISE EXCEPTION 'keep must not be NULL'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass true to pin the backup, false to unpin it.';
    END IF;
    UPDATE @extschema@.lokbackup_backups x SET pinned = keep WHERE x.id = b.id;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'keep', b.id, jsonb_build_object('pinned', keep));
END
$$;

CREATE OR REPLACE FUNCTION lokbackup_record_verification(id bigint, passed boolean, error text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := lokbackup_internal.lock_backup(id);
BEGIN
    IF passed IS NULL THEN
        RAISE EXCEPTION 'passed must not be NULL'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass true when the backup verified, false with the error when it did not.';
    END IF;
    IF passed = (lokbackup_record_verification.error IS NOT NULL) THEN
        RAISE EXCEPTION 'a % verification %', CASE WHEN passed THEN 'passed' ELSE 'failed' END,
                        CASE WHEN passed THEN 'has no error' ELSE 'needs the error that failed it' END
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF b.status <> 'completed' THEN
        RAISE EXCEPTION 'backup % is %, not completed', b.id, b.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Only a completed backup can be verified.';
    END IF;
    UPDATE @extschema@.lokbackup_backups x
    SET verified_at = now(), verification = CASE WHEN passed THEN 'passed' ELSE 'failed' END,
        verification_error = lokbackup_record_verification.error
    WHERE x.id = b.id;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'verify', b.id,
            jsonb_build_object('passed', passed, 'error', lokbackup_record_verification.error,
                               'previous', b.verification));
END
$$;

-- Whom a backup is encrypted to (lokbackup.encrypt_to): the fingerprint of each age recipient,
-- never a key, so that a restore can say which identity it needs.
ALTER TABLE lokbackup_backups ADD COLUMN encrypted_to text[]
    CHECK (cardinality(encrypted_to) > 0);
COMMENT ON COLUMN lokbackup_backups.encrypted_to IS
    'the fingerprints of the age recipients the object is encrypted to (the first 16 hex digits of the SHA-256 of each age1... recipient), or passphrase; NULL: not encrypted';

CREATE OR REPLACE VIEW lokbackup_status AS
SELECT b.id, b.type, b.status, coalesce(b.database, '(roles)') AS database, b.object_key,
       b.format, b.compression, b.size, pg_catalog.pg_size_pretty(b.size) AS size_pretty,
       b.raw_size, pg_catalog.pg_size_pretty(b.raw_size) AS raw_size_pretty, b.sha256,
       b.requested_by, b.requested_at, b.started_at, b.finished_at, b.duration,
       lokbackup_internal.pretty_duration(b.duration) AS duration_pretty, b.error,
       b.verification, b.verified_at, b.verification_error, b.encrypted_to
FROM lokbackup_backups b;

-- The catalog database's dump holds only finished backups. It is taken while its own backup (and
-- the rest of its run) is pending or in progress: restored under the catalog's name, those rows
-- made the worker fail backups that had completed, and remove their objects from storage. Their
-- objects stay in storage with their manifests (lokbackup restore --from finds them), and the
-- worker moves the ids past them before its first run (lokbackup_storage_ids is not dumped).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_backups',
    $$WHERE status NOT IN ('pending', 'in_progress')$$);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_audit',
    $$WHERE backup_id IS NULL OR backup_id NOT IN (SELECT b.id FROM @extschema@.lokbackup_backups b
      WHERE b.status IN ('pending', 'in_progress'))$$);

-- What each object a user calls or reads is for (\df+ and \dv+ show it).
COMMENT ON FUNCTION lokbackup_list(text, text, integer, integer) IS
    'the backups, newest first: filter by type (daily, weekly, monthly, manual) and status, page with lim and off';
COMMENT ON FUNCTION lokbackup_stats() IS
    'totals over the backups that are not deleted: size, completed, failed, running, last backup, success rate';
COMMENT ON FUNCTION lokbackup_restore_plan(text, text) IS
    'what restoring a backup (''latest'' of a database, or an id) takes: where its object and manifest are, its checksum, and the lokbackup restore command (audited)';
COMMENT ON FUNCTION lokbackup_delete(bigint) IS
    'delete a backup: its row is marked deleted and its objects are removed from storage once the transaction commits (audited)';
COMMENT ON VIEW lokbackup_status IS
    'every backup with sizes and duration in readable form, its error, its verification and whom it is encrypted to';
COMMENT ON VIEW lokbackup_dashboard IS
    'lokbackup_stats() and when the next scheduled backup runs';
COMMENT ON VIEW lokbackup_running IS
    'the backup running now, with its progress (lokbackup_progress())';
COMMENT ON TABLE lokbackup_backups IS
    'the catalog: one row per backup of a database or of the roles, whatever its status';
COMMENT ON TABLE lokbackup_audit IS
    'who ran, deleted, planned, downloaded, rotated, kept or verified which backup, and when';

COMMENT ON FUNCTION lokbackup_internal.storage_location(text, text, text, boolean, text) IS
    'where an object of a row''s storage is: a path, or an s3:// location';
COMMENT ON FUNCTION lokbackup_internal.storage_url(text, text, text, boolean, text, bigint) IS
    'a presigned download URL for an object of a row''s S3 storage';
COMMENT ON FUNCTION lokbackup_internal.storage_remove(text, text, text, boolean, text) IS
    'removes an object and its manifest from a row''s storage once the transaction commits';
COMMENT ON FUNCTION lokbackup_internal.storage_in_force() IS
    'the storage lokbackup.storage and lokbackup.s3_* name now';
COMMENT ON FUNCTION lokbackup_internal.last_firing(timestamptz) IS
    'when lokbackup.schedule last fired at or before a time (NULL: never in 8 years, or no schedule)';
COMMENT ON FUNCTION lokbackup_internal.named_databases() IS
    'the databases lokbackup.databases names (NULL: every connectable database)';
COMMENT ON FUNCTION lokbackup_internal.pretty_duration(interval) IS
    'a duration as an admin reads it: 4.2 s, 3 min 04 s, 1 h 12 min';
COMMENT ON FUNCTION lokbackup_internal.pretty_age(interval) IS
    'an age in whole units that never round up: 12 seconds ago, 7 hours ago, 3 days ago';
COMMENT ON FUNCTION lokbackup_internal.shell_quote(text) IS
    'a word quoted for a POSIX shell, for the command a restore plan shows';
COMMENT ON FUNCTION lokbackup_internal.actor() IS
    'who acts, for the audit trail: the role set with SET ROLE, else the login role';
COMMENT ON FUNCTION lokbackup_internal.check_choice(text, text, text[]) IS
    'raises an error naming the allowed values when a filter is not one of them';
COMMENT ON FUNCTION lokbackup_internal.find_backup(text, text) IS
    'the completed backup that ''latest'' (of a database) or an id names, or an error that says why there is none';
COMMENT ON FUNCTION lokbackup_internal.lock_backup(bigint) IS
    'locks the row of a backup that is not deleted, or raises an error that says why it cannot';
COMMENT ON FUNCTION lokbackup_internal.queue_removal(bigint) IS
    'queues the removal of a backup''s objects in lokbackup_removals and makes a first attempt after commit';
