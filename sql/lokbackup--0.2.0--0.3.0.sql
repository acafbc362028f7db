-- lokbackup 0.2.0 -> 0.3.0: backups never stop silently, and every row knows its storage.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.3.0'" to load this file. \quit

-- Every row records the storage it was written to.
-- The storage a backup was written to: a directory, or s3://bucket[/prefix] with the endpoint
-- (NULL: AWS S3 in the region), the region and the addressing. Never credentials: the keys stay
-- in the settings and the environment. Rows written before 0.3.0 get the storage in force now.
CREATE FUNCTION lokbackup_storage_in_force(
    OUT storage text, OUT s3_endpoint text, OUT s3_region text, OUT s3_path_style boolean)
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'lokbackup_storage_in_force';
REVOKE ALL ON FUNCTION lokbackup_storage_in_force() FROM PUBLIC;

ALTER TABLE lokbackup_backups
    ADD COLUMN storage text,
    ADD COLUMN s3_endpoint text,
    ADD COLUMN s3_region text,
    ADD COLUMN s3_path_style boolean;
UPDATE lokbackup_backups b SET (storage, s3_endpoint, s3_region, s3_path_style) =
    (SELECT f.storage, f.s3_endpoint, f.s3_region, f.s3_path_style FROM lokbackup_storage_in_force() f);
ALTER TABLE lokbackup_backups
    ALTER COLUMN storage SET NOT NULL,
    ADD CONSTRAINT lokbackup_backups_s3_addressing CHECK (
        CASE WHEN storage LIKE 's3://%' THEN s3_region IS NOT NULL AND s3_path_style IS NOT NULL
             ELSE s3_endpoint IS NULL AND s3_region IS NULL AND s3_path_style IS NULL END);
COMMENT ON COLUMN lokbackup_backups.storage IS
    'where the backup was written: a directory, or s3://bucket[/prefix]';
COMMENT ON COLUMN lokbackup_backups.s3_endpoint IS 'the S3 endpoint (NULL: a directory, or AWS S3)';
COMMENT ON COLUMN lokbackup_backups.s3_region IS 'the S3 region (NULL: a directory)';
COMMENT ON COLUMN lokbackup_backups.s3_path_style IS 'path-style S3 addressing (NULL: a directory)';

-- The C helpers take the row's storage rather than the setting's.
DROP FUNCTION lokbackup_storage_location(text);
DROP FUNCTION lokbackup_storage_url(text, bigint);
CREATE FUNCTION lokbackup_storage_location(storage text, s3_endpoint text, s3_region text,
                                           s3_path_style boolean, object_key text) RETURNS text
    LANGUAGE c AS 'MODULE_PATHNAME', 'lokbackup_storage_location';
CREATE FUNCTION lokbackup_storage_url(storage text, s3_endpoint text, s3_region text,
                                      s3_path_style boolean, object_key text,
                                      valid_for_seconds bigint) RETURNS text
    LANGUAGE c AS 'MODULE_PATHNAME', 'lokbackup_storage_url';
REVOKE ALL ON FUNCTION lokbackup_storage_location(text, text, text, boolean, text),
    lokbackup_storage_url(text, text, text, boolean, text, bigint) FROM PUBLIC;

-- As 0.2.0's, with the object found in the row's storage.
CREATE OR REPLACE FUNCTION lokbackup_restore_plan(backup text DEFAULT 'latest', database text DEFAULT NULL)
    RETURNS SETOF @extschema@.lokbackup_plan
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := @extschema@.lokbackup_find_backup(backup, database);
    catalog text := current_setting('lokbackup.database');
BEGIN
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (@extschema@.lokbackup_actor(), 'restore_plan', b.id, jsonb_build_object('requested', backup));
    RETURN QUERY SELECT
        b.id, b.database, b.contents,
        @extschema@.lokbackup_storage_location(b.storage, b.s3_endpoint, b.s3_region,
                                               b.s3_path_style, b.object_key),
        -- The manifest's key is the object's plus this suffix (manifest_key() in core).
        @extschema@.lokbackup_storage_location(b.storage, b.s3_endpoint, b.s3_region,
                                               b.s3_path_style, b.object_key || '.manifest.json'),
        b.sha256, b.size, b.raw_size, b.format, b.compression, catalog, b.requested_at,
        format('lokbackup restore %s %s%s', b.id,
               @extschema@.lokbackup_shell_quote('--dbname=' || coalesce(b.database, catalog)),
               CASE WHEN catalog <> 'postgres'
                    THEN ' ' || @extschema@.lokbackup_shell_quote('--catalog-dbname=' || catalog)
                    ELSE '' END);
END
$$;

-- As 0.1.0's, with the URL signed for the row's storage.
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
    b := @extschema@.lokbackup_find_backup(id::text, NULL);
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (@extschema@.lokbackup_actor(), 'download_url', b.id, jsonb_build_object('valid_for_seconds', seconds));
    RETURN @extschema@.lokbackup_storage_url(b.storage, b.s3_endpoint, b.s3_region, b.s3_path_style,
                                             b.object_key, seconds);
END
$$;

-- Removals that failed wait in a catalog table until the worker has done them.
-- A backup's objects to remove, written in the transaction that marks the backup deleted (or
-- failed): the worker tries each until its storage says the objects are gone, then drops the row.
-- The storage is the backup row's, whatever lokbackup.storage says by then.
CREATE TABLE lokbackup_removals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    backup_id bigint REFERENCES lokbackup_backups (id),
    object_key text NOT NULL,
    storage text NOT NULL,
    s3_endpoint text,
    s3_region text,
    s3_path_style boolean,
    requested_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_attempt_at timestamptz,
    last_error text,
    next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON lokbackup_removals (next_attempt_at);
CREATE INDEX ON lokbackup_removals (backup_id);
COMMENT ON TABLE lokbackup_removals IS
    'backup objects still to remove from storage; the lokbackup worker retries each until it succeeds';

DROP FUNCTION lokbackup_storage_remove(text);
CREATE FUNCTION lokbackup_storage_remove(storage text, s3_endpoint text, s3_region text,
                                         s3_path_style boolean, object_key text) RETURNS void
    LANGUAGE c AS 'MODULE_PATHNAME', 'lokbackup_storage_remove';

-- Queues the removal of a backup's objects (none: nothing to do) and has a first attempt made
-- once the transaction commits. The worker's catalog code calls it too.
CREATE FUNCTION lokbackup_queue_removal(backup_id bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r @extschema@.lokbackup_removals;
BEGIN
    INSERT INTO @extschema@.lokbackup_removals AS x
        (backup_id, object_key, storage, s3_endpoint, s3_region, s3_path_style)
    SELECT b.id, b.object_key, b.storage, b.s3_endpoint, b.s3_region, b.s3_path_style
    FROM @extschema@.lokbackup_backups b
    WHERE b.id = lokbackup_queue_removal.backup_id AND b.object_key IS NOT NULL
    RETURNING x.* INTO r;
    IF FOUND THEN
        PERFORM @extschema@.lokbackup_storage_remove(r.storage, r.s3_endpoint, r.s3_region,
                                                     r.s3_path_style, r.object_key);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION lokbackup_delete(id bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := @extschema@.lokbackup_lock_backup(id);
BEGIN
    IF b.status IN ('pending', 'in_progress') THEN
        RAISE EXCEPTION 'backup % is %', id, b.status
            USING ERRCODE = 'object_in_use', HINT = 'Wait until it has finished, then delete it.';
    END IF;
    UPDATE @extschema@.lokbackup_backups x SET status = 'deleted' WHERE x.id = b.id;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (@extschema@.lokbackup_actor(), 'delete', b.id, jsonb_build_object('object_key', b.object_key, 'previous_status', b.status));
    -- Storage is touched only once this transaction commits; until storage says the objects are
    -- gone, lokbackup_removals keeps the removal for the worker.
    PERFORM @extschema@.lokbackup_queue_removal(b.id);
END
$$;

REVOKE ALL ON FUNCTION lokbackup_storage_remove(text, text, text, boolean, text),
    lokbackup_queue_removal(bigint) FROM PUBLIC;
REVOKE ALL ON lokbackup_removals FROM PUBLIC;
GRANT SELECT ON lokbackup_removals TO lokbackup_admin;

-- The outcome of `lokbackup verify` is recorded; a corrupt backup is never 'latest'.
-- verification is NULL until a verify read the backup from the catalog; 'failed' only when the
-- storage answered and the backup was not what was backed up (missing, other size or checksum,
-- does not decompress, manifest missing or disagreeing): a verify that could not read storage
-- records nothing. A later verify that passes clears a failure.
ALTER TABLE lokbackup_backups
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN verification text CHECK (verification IN ('passed', 'failed')),
    ADD COLUMN verification_error text,
    ADD CHECK ((verification = 'failed') = (verification_error IS NOT NULL)),
    -- The last time the worker saw the backup running (refreshed every few seconds): an
    -- interrupted backup found after a crash is finished then, not when it was found, so that
    -- its duration leaves out the time the server was down.
    ADD COLUMN alive_at timestamptz;

ALTER TABLE lokbackup_audit DROP CONSTRAINT lokbackup_audit_action_check;
ALTER TABLE lokbackup_audit ADD CONSTRAINT lokbackup_audit_action_check
    CHECK (action IN ('run', 'delete', 'restore_plan', 'download_url', 'rotate', 'keep', 'verify'));

CREATE FUNCTION lokbackup_record_verification(id bigint, passed boolean, error text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := @extschema@.lokbackup_lock_backup(id);
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
    VALUES (@extschema@.lokbackup_actor(), 'verify', b.id,
            jsonb_build_object('passed', passed, 'error', lokbackup_record_verification.error,
                               'previous', b.verification));
END
$$;
COMMENT ON FUNCTION lokbackup_record_verification(bigint, boolean, text) IS
    'record the outcome of lokbackup verify for a backup (the program calls it)';

-- 'latest' is the newest completed backup that did not fail verification. A backup chosen by its
-- id is returned whatever its verification: `lokbackup verify` must reach a failed one again,
-- and `lokbackup restore` refuses it with the failure (cli/backup_plan.cpp).
CREATE OR REPLACE FUNCTION lokbackup_find_backup(backup text, database text)
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
        WHERE b.status = 'completed' AND b.database = lokbackup_find_backup.database
          AND b.verification IS DISTINCT FROM 'failed'
        ORDER BY b.finished_at DESC, b.id DESC LIMIT 1;
        IF NOT FOUND THEN
            SELECT count(*) INTO failed_count FROM @extschema@.lokbackup_backups b
            WHERE b.status = 'completed' AND b.database = lokbackup_find_backup.database;
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

CREATE OR REPLACE VIEW lokbackup_status AS
SELECT b.id, b.type, b.status, coalesce(b.database, '(roles)') AS database, b.object_key,
       b.format, b.compression, b.size, pg_catalog.pg_size_pretty(b.size) AS size_pretty,
       b.raw_size, pg_catalog.pg_size_pretty(b.raw_size) AS raw_size_pretty, b.sha256,
       b.requested_by, b.requested_at, b.started_at, b.finished_at, b.duration,
       lokbackup_pretty_duration(b.duration) AS duration_pretty, b.error,
       b.verification, b.verified_at, b.verification_error
FROM lokbackup_backups b;

ALTER TYPE lokbackup_listing
    ADD ATTRIBUTE verification text, ADD ATTRIBUTE verified_at timestamptz;

CREATE OR REPLACE FUNCTION lokbackup_list(type text DEFAULT NULL, status text DEFAULT NULL,
                                          lim integer DEFAULT 50, off integer DEFAULT 0)
    RETURNS SETOF @extschema@.lokbackup_listing
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.lokbackup_check_choice('type', lokbackup_list.type,
                                               ARRAY['daily', 'weekly', 'monthly', 'manual']);
    PERFORM @extschema@.lokbackup_check_choice('status', lokbackup_list.status,
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

REVOKE ALL ON FUNCTION lokbackup_record_verification(bigint, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_record_verification(bigint, boolean, text) TO lokbackup_admin;

-- Health: per database, how old its newest completed backup is, against the schedule.

-- Internal: when lokbackup.schedule last fired at or before `at` (NULL: no schedule, or it never
-- fired in the 8 years before), and the databases lokbackup.databases names (NULL: it is empty).
CREATE FUNCTION lokbackup_last_firing(at timestamptz) RETURNS timestamptz
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'lokbackup_last_firing';
CREATE FUNCTION lokbackup_named_databases() RETURNS text[]
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'lokbackup_named_databases';

-- "12 seconds ago", "5 minutes ago", "7 hours ago", "3 days ago": the age of a backup as an admin
-- reads it, in whole units that never round up.
CREATE FUNCTION lokbackup_pretty_age(age interval) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    RETURN CASE
        WHEN age IS NULL THEN NULL
        WHEN age < interval '2 minutes'
            THEN greatest(0, floor(extract(epoch FROM age)))::bigint || ' seconds ago'
        WHEN age < interval '2 hours' THEN floor(extract(epoch FROM age) / 60)::bigint || ' minutes ago'
        WHEN age < interval '2 days' THEN floor(extract(epoch FROM age) / 3600)::bigint || ' hours ago'
        ELSE floor(extract(epoch FROM age) / 86400)::bigint || ' days ago'
    END;

-- One row for the roles, then one for each database a run backs up (lokbackup.databases, or every
-- connectable database that is not a template, as the worker chooses them).
--   never:   no completed backup at all;
--   late:    none completed since the scheduled run that should have finished by now
--            (expected_after). A run backs up its databases one after the other and each may take
--            lokbackup.backup_timeout, so the n-th database of the run (the roles run alongside the
--            first) is expected after the last firing that is n backup_timeouts old;
--   failing: not late, but the newest backup since the last completed one failed;
--   ok:      otherwise. With no schedule (lokbackup.schedule empty) nothing is ever late.
CREATE FUNCTION lokbackup_health()
    RETURNS TABLE (database text, last_completed_at timestamptz, last_completed_size bigint,
                   age interval, age_pretty text, expected_after timestamptz,
                   last_failed_at timestamptz, status text, detail text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH target AS (
        SELECT NULL::text AS name, 1::bigint AS position
        UNION ALL
        SELECT n.name, n.position
        FROM unnest(coalesce(@extschema@.lokbackup_named_databases(),
                             ARRAY(SELECT d.datname::text FROM pg_catalog.pg_database d
                                   WHERE d.datallowconn AND NOT d.datistemplate
                                   ORDER BY d.datname)))
             WITH ORDINALITY AS n(name, position)
    ), fact AS (
        SELECT t.name, t.position,
               @extschema@.lokbackup_last_firing(
                   now() - t.position * make_interval(secs => c.setting::double precision))
                   AS due,
               l.finished_at AS completed_at, l.size, f.finished_at AS failed_at, f.error
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
    )
    SELECT coalesce(v.name, '(roles)'), v.completed_at, v.size, now() - v.completed_at,
           @extschema@.lokbackup_pretty_age(now() - v.completed_at), v.due, v.failed_at, v.status,
           CASE v.status
               WHEN 'never' THEN 'no completed backup' || coalesce(v.failure, '')
               WHEN 'late' THEN format('no completed backup since the scheduled one due at %s',
                                       v.due) || coalesce(v.failure, '')
               WHEN 'failing' THEN substr(v.failure, 3)
               ELSE CASE WHEN current_setting('lokbackup.schedule') = ''
                         THEN 'no schedule (lokbackup.schedule is empty): nothing is expected'
                         WHEN v.due IS NULL THEN 'no scheduled backup is due yet'
                         ELSE format('completed since the scheduled backup due at %s', v.due) END
           END
    FROM verdict v
    ORDER BY v.name IS NOT NULL, v.position;
END;
COMMENT ON FUNCTION lokbackup_health() IS
    'per database (and the roles): how old its newest completed backup is, and whether the schedule allows that (ok, late, never, failing)';

REVOKE ALL ON FUNCTION lokbackup_last_firing(timestamptz), lokbackup_named_databases(),
    lokbackup_pretty_age(interval), lokbackup_health() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_last_firing(timestamptz), lokbackup_named_databases(),
    lokbackup_pretty_age(interval), lokbackup_health() TO lokbackup_admin;

-- Backup ids stay unique in storage across reinstalls.
-- DROP EXTENSION drops the id sequence but leaves the backups in storage. Before its first run into
-- a storage, the worker lists it, moves the id sequence of lokbackup_backups past the highest id
-- there, and records it here, so that it lists each storage once (a big bucket is costly to list).
-- Deleting a row makes the worker list that storage again before its next run.
CREATE TABLE lokbackup_storage_ids (
    storage text PRIMARY KEY,
    checked_at timestamptz NOT NULL,
    highest_id bigint NOT NULL CHECK (highest_id >= 0)
);
COMMENT ON TABLE lokbackup_storage_ids IS
    'the highest backup id in each storage when the worker listed it; new ids are past it';
REVOKE ALL ON lokbackup_storage_ids FROM PUBLIC;
GRANT SELECT ON lokbackup_storage_ids TO lokbackup_admin;

-- Progress of a running backup: what storage has acknowledged, and since when the backup waits
-- for storage and why, so that an upload stuck on its endpoint shows in lokbackup_running.
DROP VIEW lokbackup_running;
DROP FUNCTION lokbackup_progress();
CREATE FUNCTION lokbackup_progress()
    RETURNS TABLE (backup_id bigint, database text, started_at timestamptz, raw_bytes bigint,
                   stored_bytes bigint, raw_pretty text, stored_pretty text,
                   uploaded_bytes bigint, uploaded_pretty text,
                   waiting_for_storage_since timestamptz, storage_problem text)
    LANGUAGE c AS 'MODULE_PATHNAME', 'lokbackup_progress';
COMMENT ON FUNCTION lokbackup_progress() IS
    'the running backup: bytes dumped, handed to storage and acknowledged by it; since when it waits for storage, and why';
CREATE VIEW lokbackup_running AS SELECT * FROM lokbackup_progress();
REVOKE ALL ON FUNCTION lokbackup_progress() FROM PUBLIC;
REVOKE ALL ON lokbackup_running FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_progress() TO lokbackup_admin;
GRANT SELECT ON lokbackup_running TO lokbackup_admin;

-- The catalog is in the catalog database's dump: pg_dump of that database (lokbackup's own backup
-- of it too) writes the rows of the backups and of the audit trail, and where the runs' numbers
-- stand, so that they are not lost on a dump and restore of the catalog database.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_backups', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_audit', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_run_seq', '');
-- And where the ids stand: a restored catalog's next backup or audit entry must not take an id
-- that a restored row has.
SELECT pg_catalog.pg_extension_config_dump(
    pg_catalog.pg_get_serial_sequence('@extschema@.lokbackup_backups', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(
    pg_catalog.pg_get_serial_sequence('@extschema@.lokbackup_audit', 'id')::regclass, '');
