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
-- (storage: end)


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
-- (removals: end)


-- The outcome of `lokbackup verify` is recorded; a corrupt backup is never 'latest'.
-- (verification: end)


-- Health: per database, how old its newest completed backup is, against the schedule.
-- (health: end)


-- Backup ids stay unique in storage across reinstalls.
-- (ids: end)
