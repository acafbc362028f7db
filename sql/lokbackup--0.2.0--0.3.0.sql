-- lokbackup 0.2.0 -> 0.3.0: backups never stop silently, and every row knows its storage.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.3.0'" to load this file. \quit

-- Every row records the storage it was written to.
-- (storage: end)


-- Removals that failed wait in a catalog table until the worker has done them.
-- (removals: end)


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
-- (verification: end)


-- Health: per database, how old its newest completed backup is, against the schedule.
-- (health: end)


-- Backup ids stay unique in storage across reinstalls.
-- (ids: end)
