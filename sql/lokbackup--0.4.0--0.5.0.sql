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

-- A completed backup: 'latest' (of a database: the newest that did not fail verification or its
-- last restore drill: it could not be restored) or an id (whatever its verification: `lokbackup
-- verify` must reach a failed one again, and `lokbackup restore` refuses it with the failure).
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
          AND (lokbackup_internal.last_drill(b.id)).status IS DISTINCT FROM 'failed'
        ORDER BY b.finished_at DESC, b.id DESC LIMIT 1;
        IF NOT FOUND THEN
            SELECT count(*) INTO failed_count FROM @extschema@.lokbackup_backups b
            WHERE b.status = 'completed' AND b.database = find_backup.database;
            IF failed_count > 0 THEN
                RAISE EXCEPTION 'there is no completed backup of database "%" that did not fail verification or a restore drill', database
                    USING ERRCODE = 'no_data_found',
                          DETAIL = format('%s completed %s failed verification or a restore drill.', failed_count,
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
COMMENT ON FUNCTION lokbackup_stats() IS
    'totals over the backups that are not deleted: size, completed, failed, running, last backup, success rate';
COMMENT ON FUNCTION lokbackup_restore_plan(text, text) IS
    'what restoring a backup (''latest'' of a database, or an id) takes: where its object and manifest are, its checksum, and the lokbackup restore command (audited)';
COMMENT ON FUNCTION lokbackup_delete(bigint) IS
    'delete a backup: its row is marked deleted and its objects are removed from storage once the transaction commits (audited)';
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

-- Restore drills: a backup restored by the worker into a scratch database and checked against
-- what its dump held when it was taken (inventory).
ALTER TABLE lokbackup_backups ADD COLUMN inventory jsonb;
COMMENT ON COLUMN lokbackup_backups.inventory IS
    'what the dump holds, read in its own snapshot at backup time: the rows of each table, each sequence''s value, the tables, indexes and constraints, the large objects; restore drills check a restore against it (NULL: the roles, or taken before 0.5.0)';

CREATE TABLE lokbackup_drills (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    backup_id bigint NOT NULL REFERENCES lokbackup_backups (id),
    database text NOT NULL,
    -- error: the drill could not run (the drill server unreachable, a restart, the timeout, the
    -- backup deleted meanwhile), which says nothing of the backup, unlike failed.
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_progress', 'passed', 'failed', 'error')),
    requested_by text NOT NULL,
    scheduled boolean NOT NULL DEFAULT false,
    requested_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    -- From the start of the download to the replay's commit: what a restore of this backup costs.
    restore_seconds double precision CHECK (restore_seconds >= 0),
    target text,
    failed_check text,
    checks jsonb,
    CHECK ((status IN ('failed', 'error')) = (failed_check IS NOT NULL)),
    CHECK (status <> 'passed' OR restore_seconds IS NOT NULL)
);
CREATE INDEX ON lokbackup_drills (backup_id, finished_at);
-- One pending or running drill per backup (queue_drill()).
CREATE UNIQUE INDEX lokbackup_drills_one_open ON lokbackup_drills (backup_id)
    WHERE status IN ('pending', 'in_progress');
CREATE INDEX ON lokbackup_drills (status);
CREATE INDEX ON lokbackup_drills (database, finished_at);
COMMENT ON TABLE lokbackup_drills IS
    'restore drills: a backup restored into a scratch database and checked (checksum, rows of each table, objects, sequence values, large objects); its restore time and the first check that failed';
COMMENT ON COLUMN lokbackup_drills.restore_seconds IS
    'the measured restore time, from the first byte read to the replay''s commit: the recovery time objective of the database at that size';
COMMENT ON COLUMN lokbackup_drills.failed_check IS
    'the first check that failed (failed), or why the drill could not run (error), in words';
COMMENT ON COLUMN lokbackup_drills.checks IS
    'what the drill compared: tables, rows, indexes, constraints, sequences, large objects';
REVOKE ALL ON lokbackup_drills FROM PUBLIC;
GRANT SELECT ON lokbackup_drills TO lokbackup_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_drills',
    $$WHERE status NOT IN ('pending', 'in_progress')$$);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_drills_id_seq', '');

ALTER TABLE lokbackup_audit DROP CONSTRAINT lokbackup_audit_action_check;
ALTER TABLE lokbackup_audit ADD CONSTRAINT lokbackup_audit_action_check
    CHECK (action IN ('run', 'delete', 'restore_plan', 'download_url', 'rotate', 'keep', 'verify',
                      'drill'));

-- The newest finished drill of each backup.
CREATE FUNCTION lokbackup_internal.last_drill(backup_id bigint) RETURNS @extschema@.lokbackup_drills
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT d.* FROM @extschema@.lokbackup_drills d
    WHERE d.backup_id = last_drill.backup_id AND d.status IN ('passed', 'failed')
    ORDER BY d.finished_at DESC, d.id DESC LIMIT 1;
END;
REVOKE ALL ON FUNCTION lokbackup_internal.last_drill(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_internal.last_drill(bigint) TO lokbackup_admin;

-- Wakes the worker once the calling transaction commits, so that it sees what was queued.
CREATE FUNCTION lokbackup_internal.wake_worker() RETURNS void
    LANGUAGE c AS 'MODULE_PATHNAME', 'lokbackup_wake_worker';
REVOKE ALL ON FUNCTION lokbackup_internal.wake_worker() FROM PUBLIC;

-- Whether a drill holds what decrypts a backup encrypted to `encrypted_to` (NULL: in clear): the
-- passphrase file for a passphrase, lokbackup.drill_identity_file for recipients. Both settings
-- are superusers' to read: it runs as the worker or under lokbackup_drill()'s SECURITY DEFINER.
CREATE FUNCTION lokbackup_internal.drill_can_decrypt(encrypted_to text[]) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    RETURN encrypted_to IS NULL
        OR CASE WHEN encrypted_to = ARRAY['passphrase']
                THEN current_setting('lokbackup.encrypt_passphrase_file') <> ''
                ELSE coalesce(current_setting('lokbackup.drill_identity_file', true), '') <> '' END;
REVOKE ALL ON FUNCTION lokbackup_internal.drill_can_decrypt(text[]) FROM PUBLIC;
COMMENT ON FUNCTION lokbackup_internal.drill_can_decrypt(text[]) IS
    'whether restore drills hold a key for a backup encrypted to these fingerprints (the passphrase file, or lokbackup.drill_identity_file)';

-- A drill replays a dump as a superuser, and a dump holds its owners' code (CHECK constraints,
-- index expressions, defaults), which then runs with a superuser's rights: into this server only
-- when the DBA said so; otherwise into the disposable server of lokbackup.drill_conninfo.
CREATE FUNCTION lokbackup_internal.drills_allowed() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    RETURN current_setting('lokbackup.drill_conninfo') <> ''
        OR current_setting('lokbackup.drill_on_this_server')::boolean;
REVOKE ALL ON FUNCTION lokbackup_internal.drills_allowed() FROM PUBLIC;
COMMENT ON FUNCTION lokbackup_internal.drills_allowed() IS
    'whether restore drills have a server to restore into: lokbackup.drill_conninfo, or this one with lokbackup.drill_on_this_server';

-- Queues a drill of a database backup; the worker runs it when no backup runs.
CREATE FUNCTION lokbackup_internal.queue_drill(backup_id bigint, scheduled boolean) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    b @extschema@.lokbackup_backups;
    drill_id bigint;
BEGIN
    SELECT * INTO b FROM @extschema@.lokbackup_backups x WHERE x.id = queue_drill.backup_id;
    INSERT INTO @extschema@.lokbackup_drills (backup_id, database, requested_by, scheduled)
    VALUES (b.id, b.database, lokbackup_internal.actor(), queue_drill.scheduled)
    ON CONFLICT (backup_id) WHERE status IN ('pending', 'in_progress') DO NOTHING
    RETURNING id INTO drill_id;
    IF drill_id IS NULL THEN
        SELECT d.id INTO drill_id FROM @extschema@.lokbackup_drills d
        WHERE d.backup_id = b.id AND d.status IN ('pending', 'in_progress');
        RETURN drill_id;
    END IF;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'drill', b.id,
            jsonb_build_object('drill_id', drill_id, 'scheduled', queue_drill.scheduled));
    PERFORM lokbackup_internal.wake_worker();
    RETURN drill_id;
END
$$;
REVOKE ALL ON FUNCTION lokbackup_internal.queue_drill(bigint, boolean) FROM PUBLIC;

CREATE FUNCTION lokbackup_drill(backup text DEFAULT 'latest', database text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := lokbackup_internal.find_backup(backup, database);
BEGIN
    IF NOT lokbackup_internal.drills_allowed() THEN
        RAISE EXCEPTION 'restore drills have no server to restore into'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'A drill replays the dump as a superuser: the code of the dump''s owners (CHECK constraints, index expressions, defaults) runs with a superuser''s rights.',
                  HINT = 'Set lokbackup.drill_conninfo to a disposable server on another host, or lokbackup.drill_on_this_server = on if every role that can create objects in the backed-up databases is trusted as a superuser.';
    END IF;
    IF b.database IS NULL THEN
        RAISE EXCEPTION 'backup % is of the roles: a drill restores a database backup', b.id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the id of a database backup, or ''latest'' with database => ''name''.';
    END IF;
    IF b.object_key IS NULL THEN
        RAISE EXCEPTION 'backup % has no object to restore', b.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF NOT lokbackup_internal.drill_can_decrypt(b.encrypted_to) THEN
        RAISE EXCEPTION 'backup % is encrypted, and restore drills hold no key to decrypt it', b.id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'For a backup encrypted to age recipients, set lokbackup.drill_identity_file to an identity file of one of them (for a passphrase, lokbackup.encrypt_passphrase_file); or restore it with lokbackup restore into a scratch database.';
    END IF;
    RETURN lokbackup_internal.queue_drill(b.id, false);
END
$$;
REVOKE ALL ON FUNCTION lokbackup_drill(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_drill(text, text) TO lokbackup_admin;

CREATE OR REPLACE VIEW lokbackup_status AS
SELECT b.id, b.type, b.status, coalesce(b.database, '(roles)') AS database, b.object_key,
       b.format, b.compression, b.size, pg_catalog.pg_size_pretty(b.size) AS size_pretty,
       b.raw_size, pg_catalog.pg_size_pretty(b.raw_size) AS raw_size_pretty, b.sha256,
       b.requested_by, b.requested_at, b.started_at, b.finished_at, b.duration,
       lokbackup_internal.pretty_duration(b.duration) AS duration_pretty, b.error,
       b.verification, b.verified_at, b.verification_error, b.encrypted_to,
       d.finished_at AS last_drill, d.status AS drill_status, d.failed_check AS drill_failed_check,
       d.restore_seconds AS drill_restore_seconds
FROM lokbackup_backups b
LEFT JOIN LATERAL lokbackup_internal.last_drill(b.id) d ON d.id IS NOT NULL;

ALTER TYPE lokbackup_listing ADD ATTRIBUTE last_drill timestamptz, ADD ATTRIBUTE drill_status text;
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
    -- for a completed backup, the only kind that is verified; a failed drill's after it.
    RETURN QUERY
        SELECT s.id, s.type, s.status, s.database, s.size_pretty, s.raw_size_pretty, s.requested_at,
               s.duration_pretty, left(s.sha256, 12),
               coalesce(s.error, s.verification_error, 'restore drill failed: ' || s.drill_failed_check),
               s.verification, s.verified_at, s.last_drill, s.drill_status
        FROM @extschema@.lokbackup_status s
        WHERE (lokbackup_list.type IS NULL OR s.type = lokbackup_list.type)
          AND (lokbackup_list.status IS NULL OR s.status = lokbackup_list.status)
        ORDER BY s.id DESC
        LIMIT lim OFFSET off;
END
$$;
COMMENT ON FUNCTION lokbackup_list(text, text, integer, integer) IS
    'the backups, newest first, with their last restore drill: filter by type (daily, weekly, monthly, manual) and status, page with lim and off';
COMMENT ON VIEW lokbackup_status IS
    'every backup with sizes and duration in readable form, its error, its verification, whom it is encrypted to and its last restore drill';
COMMENT ON FUNCTION lokbackup_drill(text, text) IS
    'queue a restore drill of a backup (''latest'' of a database, or an id): the worker restores it into a scratch database and checks it against what the dump held; returns the drill''s id (audited)';
COMMENT ON FUNCTION lokbackup_internal.last_drill(bigint) IS
    'the newest finished restore drill of a backup';
COMMENT ON FUNCTION lokbackup_internal.wake_worker() IS
    'wakes the lokbackup worker once the transaction commits';
COMMENT ON FUNCTION lokbackup_internal.queue_drill(bigint, boolean) IS
    'queues a restore drill of a backup (one pending or running drill per backup) and wakes the worker';

-- Health gains the drills, the failures of the last week, and a verdict in words: what a card on
-- the dashboard and a monitoring check show.
--   red:   no backup when one was expected (never, with a schedule), late, or the newest drill of
--          the database failed;
--   amber: a backup failed since the last completed one, or in the last 7 days; the newest drill
--          could not run (error); or drills are scheduled (lokbackup.drill_schedule) and none
--          has passed yet;
--   green: otherwise.
DROP FUNCTION lokbackup_health();
CREATE FUNCTION lokbackup_health()
    RETURNS TABLE (database text, last_completed_at timestamptz, last_completed_size bigint,
                   age interval, age_pretty text, expected_after timestamptz,
                   last_failed_at timestamptz, status text, detail text,
                   failures_7d bigint, last_drill_at timestamptz, last_drill_status text,
                   last_drill_failed_check text, restore_seconds double precision,
                   verdict text, reason text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH target AS (
        SELECT NULL::text AS name, 1::bigint AS position
        UNION ALL
        SELECT n.name, n.position
        FROM unnest(coalesce(lokbackup_internal.named_databases(),
                             ARRAY(SELECT d.datname::text FROM pg_catalog.pg_database d
                                   WHERE d.datallowconn AND NOT d.datistemplate
                                     AND d.datname !~ '^lokbackup_drill_[0-9]+'
                                   ORDER BY d.datname)))
             WITH ORDINALITY AS n(name, position)
    ), fact AS (
        SELECT t.name, t.position,
               lokbackup_internal.last_firing(
                   now() - t.position * make_interval(secs => c.setting::double precision))
                   AS due,
               l.finished_at AS completed_at, l.size, f.finished_at AS failed_at, f.error,
               (SELECT count(*) FROM @extschema@.lokbackup_backups b
                WHERE b.status = 'failed' AND b.database IS NOT DISTINCT FROM t.name
                  AND b.finished_at > now() - interval '7 days') AS failures_7d,
               dr.finished_at AS drill_at, dr.status AS drill_status,
               dr.failed_check AS drill_failed_check, dr.restore_seconds AS drill_seconds,
               EXISTS (SELECT FROM @extschema@.lokbackup_drills p
                       WHERE p.database = t.name AND p.status = 'passed') AS drill_passed_ever,
               de.finished_at AS drill_error_at, de.failed_check AS drill_error
        FROM target t
        CROSS JOIN pg_catalog.pg_settings c
        LEFT JOIN LATERAL (
            SELECT b.finished_at, b.size FROM @extschema@.lokbackup_backups b
            WHERE b.status = 'completed' AND b.database IS NOT DISTINCT FROM t.name
            ORDER BY b.finished_at DESC, b.id DESC LIMIT 1) l ON true
        LEFT JOIN LATERAL (
            SELECT b.finished_at, b.error FROM @extschema@.lokbackup_backups b
            WHERE b.status = 'failed' AND b.database IS NOT DISTINCT FROM t.name
            ORDER BY b.finished_at DESC NULLS LAST, b.id DESC LIMIT 1) f ON true
        LEFT JOIN LATERAL (
            SELECT d.finished_at, d.status, d.failed_check, d.restore_seconds
            FROM @extschema@.lokbackup_drills d
            WHERE d.database = t.name AND d.status IN ('passed', 'failed')
            ORDER BY d.finished_at DESC, d.id DESC LIMIT 1) dr ON true
        LEFT JOIN LATERAL (
            SELECT d.finished_at, d.failed_check FROM @extschema@.lokbackup_drills d
            WHERE d.database = t.name AND d.status = 'error'
            ORDER BY d.finished_at DESC, d.id DESC LIMIT 1) de ON true
        WHERE c.name = 'lokbackup.backup_timeout'
    ), verdict AS (
        SELECT x.*,
               CASE WHEN x.completed_at IS NULL THEN 'never'
                    WHEN x.completed_at < x.due THEN 'late'
                    WHEN x.failed_at > x.completed_at THEN 'failing'
                    ELSE 'ok' END AS status,
               CASE WHEN x.failed_at > x.completed_at OR x.completed_at IS NULL
                    THEN '; the last backup failed: ' || x.error END AS failure
        FROM fact x
    ), worded AS (
        SELECT v.*,
               CASE v.status
                   WHEN 'never' THEN 'no completed backup' || coalesce(v.failure, '')
                   WHEN 'late' THEN format('no completed backup since the scheduled one due at %s',
                                           v.due) || coalesce(v.failure, '')
                   WHEN 'failing' THEN substr(v.failure, 3)
                   ELSE CASE WHEN current_setting('lokbackup.schedule') = ''
                             THEN 'no schedule (lokbackup.schedule is empty): nothing is expected'
                             WHEN v.due IS NULL THEN 'no scheduled backup is due yet'
                             ELSE format('completed since the scheduled backup due at %s', v.due) END
               END AS detail,
               current_setting('lokbackup.drill_schedule', true) IS DISTINCT FROM ''
                   AND current_setting('lokbackup.drill_schedule', true) IS NOT NULL AS drills_scheduled
        FROM verdict v
    )
    SELECT coalesce(w.name, '(roles)'), w.completed_at, w.size, now() - w.completed_at,
           lokbackup_internal.pretty_age(now() - w.completed_at), w.due, w.failed_at, w.status,
           w.detail, w.failures_7d, w.drill_at, w.drill_status, w.drill_failed_check,
           w.drill_seconds,
           CASE WHEN w.status = 'late' OR (w.status = 'never' AND w.due IS NOT NULL)
                     OR w.drill_status = 'failed' THEN 'red'
                WHEN w.status IN ('failing', 'never') OR w.failures_7d > 0
                     OR (w.drills_scheduled AND w.name IS NOT NULL AND NOT w.drill_passed_ever)
                     OR w.drill_error_at > coalesce(w.drill_at, '-infinity')
                     THEN 'amber'
                ELSE 'green' END,
           CASE WHEN w.status = 'late' OR (w.status = 'never' AND w.due IS NOT NULL) THEN w.detail
                WHEN w.drill_status = 'failed'
                     THEN 'the last restore drill failed: ' || w.drill_failed_check
                WHEN w.status IN ('failing', 'never') THEN w.detail
                WHEN w.drill_error_at > coalesce(w.drill_at, '-infinity')
                     THEN 'the last restore drill could not run: ' || w.drill_error
                WHEN w.failures_7d > 0
                     THEN format('%s failed %s in the last 7 days', w.failures_7d,
                                 CASE WHEN w.failures_7d = 1 THEN 'backup' ELSE 'backups' END)
                WHEN w.drills_scheduled AND w.name IS NOT NULL AND NOT w.drill_passed_ever
                     THEN 'no restore drill has passed yet'
                WHEN w.drill_status = 'passed'
                     THEN format('backed up %s; the last restore drill passed in %s',
                                 lokbackup_internal.pretty_age(now() - w.completed_at),
                                 lokbackup_internal.pretty_duration(make_interval(secs => w.drill_seconds)))
                ELSE format('backed up %s', lokbackup_internal.pretty_age(now() - w.completed_at)) END
    FROM worded w
    ORDER BY w.name IS NOT NULL, w.position;
END;
REVOKE ALL ON FUNCTION lokbackup_health() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_health() TO lokbackup_admin;
COMMENT ON FUNCTION lokbackup_health() IS
    'per database (and the roles): how old its newest completed backup is against the schedule (ok, late, never, failing), failures of the last 7 days, the last restore drill and its restore time, and a verdict (green, amber, red) with its reason';

CREATE VIEW lokbackup_health AS SELECT * FROM lokbackup_health();
REVOKE ALL ON lokbackup_health FROM PUBLIC;
GRANT SELECT ON lokbackup_health TO lokbackup_admin;
COMMENT ON VIEW lokbackup_health IS
    'lokbackup_health() as a view: one row per database (and the roles), with its verdict (green, amber, red) and the reason in words';

-- The worker's side of a drill. It takes the oldest pending drill when no backup runs, the drill
-- child records the outcome, and the worker fails a drill whose child ended without one.
-- A pending drill whose backup was deleted meanwhile (rotation, lokbackup_delete()) ends in
-- error: it says nothing of the backup.
CREATE FUNCTION lokbackup_internal.start_next_drill()
    RETURNS TABLE (drill_id bigint, backup_id bigint, database text, target text)
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    UPDATE @extschema@.lokbackup_drills d
    SET status = 'error', finished_at = now(),
        failed_check = format('backup %s was %s before its drill ran', b.id, b.status)
    FROM @extschema@.lokbackup_backups b
    WHERE d.status = 'pending' AND b.id = d.backup_id AND b.status <> 'completed';
    RETURN QUERY
        UPDATE @extschema@.lokbackup_drills d
        SET status = 'in_progress', started_at = now(), target = 'lokbackup_drill_' || d.id
        WHERE d.id = (SELECT p.id FROM @extschema@.lokbackup_drills p WHERE p.status = 'pending'
                      ORDER BY p.id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.backup_id, d.database, d.target;
END
$$;

-- Records a drill's outcome (passed, failed or error) once: a drill that is no longer in progress
-- is left as it is. Returns whether it recorded.
CREATE FUNCTION lokbackup_internal.finish_drill(drill_id bigint, status text,
                                                restore_seconds double precision,
                                                failed_check text, checks jsonb)
    RETURNS boolean
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH finished AS (
        UPDATE @extschema@.lokbackup_drills d
        SET status = finish_drill.status,
            finished_at = now(), restore_seconds = finish_drill.restore_seconds,
            failed_check = finish_drill.failed_check, checks = finish_drill.checks
        WHERE d.id = finish_drill.drill_id AND d.status = 'in_progress'
        RETURNING d.id)
    SELECT EXISTS (SELECT FROM finished);
END;

-- On the schedule (lokbackup.drill_schedule): a drill of the latest backup of each database that
-- has one (of the databases lokbackup.databases names, when it names some) and that no drill has
-- passed yet. A backup that drills hold no key for is left out.
CREATE FUNCTION lokbackup_internal.queue_scheduled_drills() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name text;
    chosen @extschema@.lokbackup_backups;
    queued bigint := 0;
BEGIN
    IF NOT lokbackup_internal.drills_allowed() THEN
        RAISE WARNING 'lokbackup: the scheduled restore drills were not run: they have no server to restore into'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Set lokbackup.drill_conninfo to a disposable server on another host, or lokbackup.drill_on_this_server = on if every role that can create objects in the backed-up databases is trusted as a superuser.';
        RETURN 0;
    END IF;
    FOR name IN
        SELECT DISTINCT b.database FROM @extschema@.lokbackup_backups b
        WHERE b.status = 'completed' AND b.database IS NOT NULL
          AND (lokbackup_internal.named_databases() IS NULL
               OR b.database = ANY (lokbackup_internal.named_databases()))
        ORDER BY 1
    LOOP
        BEGIN
            chosen := lokbackup_internal.find_backup('latest', name);
        EXCEPTION WHEN no_data_found THEN
            CONTINUE;
        END;
        IF NOT lokbackup_internal.drill_can_decrypt(chosen.encrypted_to) OR chosen.object_key IS NULL
           OR EXISTS (SELECT FROM @extschema@.lokbackup_drills d
                      WHERE d.backup_id = chosen.id AND d.status = 'passed') THEN
            CONTINUE;
        END IF;
        PERFORM lokbackup_internal.queue_drill(chosen.id, true);
        queued := queued + 1;
    END LOOP;
    RETURN queued;
END
$$;

REVOKE ALL ON FUNCTION lokbackup_internal.start_next_drill(),
    lokbackup_internal.finish_drill(bigint, text, double precision, text, jsonb),
    lokbackup_internal.queue_scheduled_drills() FROM PUBLIC;
COMMENT ON FUNCTION lokbackup_internal.start_next_drill() IS
    'marks the oldest pending restore drill in progress and returns it (the worker calls it)';
COMMENT ON FUNCTION lokbackup_internal.finish_drill(bigint, text, double precision, text, jsonb) IS
    'records the outcome of a restore drill in progress: passed, failed with the first failing check, or error (it could not run)';
COMMENT ON FUNCTION lokbackup_internal.queue_scheduled_drills() IS
    'queues a drill of the latest backup of each database that no drill has passed (lokbackup.drill_schedule)';

-- The worker ends a drill whose child has ended: a drill the child did not record ends in error
-- with `failure` (how the child ended). Returns the drill as it ends.
CREATE FUNCTION lokbackup_internal.end_drill(drill_id bigint, failure text)
    RETURNS @extschema@.lokbackup_drills
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d @extschema@.lokbackup_drills;
BEGIN
    PERFORM lokbackup_internal.finish_drill(drill_id, 'error', NULL, failure, NULL);
    SELECT * INTO d FROM @extschema@.lokbackup_drills x WHERE x.id = end_drill.drill_id;
    RETURN d;
END
$$;

-- Drills that a crash or restart interrupted end in error with `reason`; returns them.
CREATE FUNCTION lokbackup_internal.fail_unfinished_drills(reason text)
    RETURNS SETOF @extschema@.lokbackup_drills
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    UPDATE @extschema@.lokbackup_drills d
    SET status = 'error', finished_at = now(), failed_check = fail_unfinished_drills.reason
    WHERE d.status = 'in_progress'
    RETURNING d.*;
END;
REVOKE ALL ON FUNCTION lokbackup_internal.end_drill(bigint, text),
    lokbackup_internal.fail_unfinished_drills(text) FROM PUBLIC;
COMMENT ON FUNCTION lokbackup_internal.end_drill(bigint, text) IS
    'ends a restore drill whose child has ended: in error, with the reason, unless the child recorded its outcome; returns it';
COMMENT ON FUNCTION lokbackup_internal.fail_unfinished_drills(text) IS
    'ends the restore drills that a crash or restart interrupted in error, and returns them';
