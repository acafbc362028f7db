-- lokbackup 0.6.0 -> 0.7.0: a second destination (lokbackup.storage_copy). Every backup can be
-- written to two places: its own columns in lokbackup_backups keep the primary copy, as before;
-- lokbackup_copies keeps the copy in the second destination. One second destination only.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.7.0'" to load this file. \quit

-- The copy of a backup in lokbackup.storage_copy: the same object (the same bytes, the same
-- object key, the same manifest beside it) in another place. Its storage columns are the
-- destination's when the copy was made, whatever the setting says by then, as a backup's are.
CREATE TABLE lokbackup_copies (
    backup_id bigint NOT NULL REFERENCES lokbackup_backups (id),
    storage text NOT NULL,
    s3_endpoint text,
    s3_region text,
    s3_path_style boolean,
    object_key text NOT NULL,
    required boolean NOT NULL,
    status text NOT NULL CHECK (status IN ('in_progress', 'completed', 'failed', 'deleted')),
    size bigint CHECK (size >= 0),
    sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    error text,
    stored_at timestamptz,
    verification text CHECK (verification IN ('ok', 'failed')),
    verified_at timestamptz,
    verification_error text,
    PRIMARY KEY (backup_id, storage),
    CHECK (status <> 'completed' OR (size IS NOT NULL AND sha256 IS NOT NULL AND stored_at IS NOT NULL)),
    CHECK ((verification = 'failed') = (verification_error IS NOT NULL))
);
REVOKE ALL ON lokbackup_copies FROM PUBLIC;
GRANT SELECT ON lokbackup_copies TO lokbackup_admin;
COMMENT ON TABLE lokbackup_copies IS
    'the copy of each backup in the second destination (lokbackup.storage_copy): where it is, whether the backup needed it (lokbackup.storage_copy_required), how it ended and its verification';
-- Dumped as lokbackup_backups is: the rows of finished backups.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_copies',
    $$WHERE backup_id NOT IN (SELECT b.id FROM @extschema@.lokbackup_backups b
      WHERE b.status IN ('pending', 'in_progress'))$$);

ALTER TABLE lokbackup_audit DROP CONSTRAINT lokbackup_audit_action_check;
ALTER TABLE lokbackup_audit ADD CONSTRAINT lokbackup_audit_action_check
    CHECK (action IN ('run', 'delete', 'restore_plan', 'download_url', 'rotate', 'keep', 'verify',
                      'drill', 'copy_locations', 'record_copy', 'verify_copy'));

-- Every copy of every backup, the primary's first: a verification is 'ok' or 'failed' here for
-- both (lokbackup_backups says 'passed' for the primary's).
CREATE VIEW lokbackup_backup_copies AS
SELECT b.id AS backup_id, 'primary' AS destination, b.storage, b.object_key, b.status, b.size,
       b.sha256, b.error,
       CASE b.verification WHEN 'passed' THEN 'ok' ELSE b.verification END AS verification,
       b.verified_at
FROM lokbackup_backups b
UNION ALL
SELECT c.backup_id, 'copy', c.storage, c.object_key, c.status, c.size, c.sha256, c.error,
       c.verification, c.verified_at
FROM lokbackup_copies c;
REVOKE ALL ON lokbackup_backup_copies FROM PUBLIC;
GRANT SELECT ON lokbackup_backup_copies TO lokbackup_admin;
COMMENT ON VIEW lokbackup_backup_copies IS
    'one row per copy of every backup: destination primary (lokbackup.storage) or copy (lokbackup.storage_copy), where it is, its status, size, checksum, error and verification';

-- How many of a backup's copies are stored: "2 of 2", "1 of 2 (copy failed)", "1 of 1" for a
-- backup without a second destination.
CREATE FUNCTION lokbackup_internal.copies_summary(backup_id bigint, status text) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT format('%s of %s%s',
                  (copies_summary.status = 'completed')::integer + count(*) FILTER (WHERE c.status = 'completed'),
                  1 + count(*),
                  CASE WHEN bool_or(c.status = 'failed') THEN ' (copy failed)' ELSE '' END)
    FROM @extschema@.lokbackup_copies c
    WHERE c.backup_id = copies_summary.backup_id;
END;
REVOKE ALL ON FUNCTION lokbackup_internal.copies_summary(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_internal.copies_summary(bigint, text) TO lokbackup_admin;
COMMENT ON FUNCTION lokbackup_internal.copies_summary(bigint, text) IS
    'how many copies of a backup (given its id and status) are stored, of how many: "2 of 2", "1 of 2 (copy failed)"';

ALTER TYPE lokbackup_listing ADD ATTRIBUTE copies text;
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
               s.verification, s.verified_at, s.last_drill, s.drill_status,
               lokbackup_internal.copies_summary(s.id, s.status)
        FROM @extschema@.lokbackup_status s
        WHERE (lokbackup_list.type IS NULL OR s.type = lokbackup_list.type)
          AND (lokbackup_list.status IS NULL OR s.status = lokbackup_list.status)
        ORDER BY s.id DESC
        LIMIT lim OFFSET off;
END
$$;
COMMENT ON FUNCTION lokbackup_list(text, text, integer, integer) IS
    'the backups, newest first, with their last restore drill and how many of their copies are stored: filter by type (daily, weekly, monthly, manual) and status, page with lim and off';

-- The second destination in force (lokbackup.storage_copy with its S3 settings); NULL when
-- there is none.
CREATE FUNCTION lokbackup_internal.storage_copy_in_force(
    OUT storage text, OUT s3_endpoint text, OUT s3_region text, OUT s3_path_style boolean)
    RETURNS record
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'lokbackup_storage_copy_in_force';
REVOKE ALL ON FUNCTION lokbackup_internal.storage_copy_in_force() FROM PUBLIC;
COMMENT ON FUNCTION lokbackup_internal.storage_copy_in_force() IS
    'the second destination that a backup made now is copied to: lokbackup.storage_copy with its S3 endpoint, region and addressing; NULL when it is empty';

-- Where a restore finds a completed backup: its primary copy, then its copy in the second
-- destination, each reached with that destination's keys.
CREATE FUNCTION lokbackup_copy_locations(backup_id bigint)
    RETURNS TABLE (destination text, storage text, location text, manifest_location text,
                   sha256 text, size bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups;
BEGIN
    IF lokbackup_copy_locations.backup_id IS NULL THEN
        RAISE EXCEPTION 'backup id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    b := lokbackup_internal.find_backup(lokbackup_copy_locations.backup_id::text, NULL);
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'copy_locations', b.id, NULL);
    RETURN QUERY
        SELECT x.destination, x.storage,
               lokbackup_internal.storage_location(x.storage, x.s3_endpoint, x.s3_region,
                                                   x.s3_path_style, x.object_key),
               -- The manifest's key is the object's plus this suffix (manifest_key() in core).
               lokbackup_internal.storage_location(x.storage, x.s3_endpoint, x.s3_region,
                                                   x.s3_path_style, x.object_key || '.manifest.json'),
               x.sha256, x.size
        FROM (SELECT 1 AS position, 'primary' AS destination, b.storage, b.s3_endpoint,
                     b.s3_region, b.s3_path_style, b.object_key, b.sha256, b.size
              UNION ALL
              SELECT 2, 'copy', c.storage, c.s3_endpoint, c.s3_region, c.s3_path_style,
                     c.object_key, c.sha256, c.size
              FROM @extschema@.lokbackup_copies c
              WHERE c.backup_id = b.id AND c.status = 'completed') x
        ORDER BY x.position;
END
$$;
REVOKE ALL ON FUNCTION lokbackup_copy_locations(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_copy_locations(bigint) TO lokbackup_admin;
COMMENT ON FUNCTION lokbackup_copy_locations(bigint) IS
    'where the completed copies of a completed backup are, in the order a restore tries them: the primary, then the copy in lokbackup.storage_copy; a path or a presigned URL for the object and its manifest, with its checksum and size (audited)';

-- Records a copy that `lokbackup copy` made of a completed backup into the second destination:
-- only into lokbackup.storage_copy as it is set now, and only of the very object the backup
-- stored (its size and checksum).
CREATE FUNCTION lokbackup_record_copy(backup_id bigint, storage text, s3_endpoint text,
                                      s3_region text, s3_path_style boolean, size bigint,
                                      sha256 text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups :=
        lokbackup_internal.lock_backup(lokbackup_record_copy.backup_id);
    d record;
BEGIN
    SELECT * INTO d FROM lokbackup_internal.storage_copy_in_force();
    IF d.storage IS NULL THEN
        RAISE EXCEPTION 'there is no second destination to record a copy in'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Set lokbackup.storage_copy (an absolute directory or s3://bucket/prefix) and reload the configuration.';
    END IF;
    -- The settings as they read ('' for no endpoint; a directory's S3 settings mean nothing) or
    -- as a row records them (NULL).
    IF lokbackup_record_copy.storage IS DISTINCT FROM d.storage
       OR nullif(lokbackup_record_copy.s3_endpoint, '') IS DISTINCT FROM d.s3_endpoint
       OR (d.s3_region IS NOT NULL
           AND (lokbackup_record_copy.s3_region IS DISTINCT FROM d.s3_region
                OR coalesce(lokbackup_record_copy.s3_path_style, false) <> d.s3_path_style)) THEN
        RAISE EXCEPTION 'the copy was not made to lokbackup.storage_copy'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Given: %s (endpoint %s, region %s, path style %s); lokbackup.storage_copy: %s (endpoint %s, region %s, path style %s).',
                                  lokbackup_record_copy.storage, coalesce(nullif(lokbackup_record_copy.s3_endpoint, ''), 'none'),
                                  coalesce(lokbackup_record_copy.s3_region, 'none'),
                                  coalesce(lokbackup_record_copy.s3_path_style::text, 'none'),
                                  d.storage, coalesce(d.s3_endpoint, 'none'), coalesce(d.s3_region, 'none'),
                                  coalesce(d.s3_path_style::text, 'none')),
                  HINT = 'Only a copy in the second destination in force is recorded.';
    END IF;
    IF b.status <> 'completed' THEN
        RAISE EXCEPTION 'backup % is %, not completed', b.id, b.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Only a completed backup can be copied.';
    END IF;
    IF lokbackup_record_copy.size IS DISTINCT FROM b.size
       OR lokbackup_record_copy.sha256 IS DISTINCT FROM b.sha256 THEN
        RAISE EXCEPTION 'the copy is not the object of backup %', b.id
            USING ERRCODE = 'data_corrupted',
                  DETAIL = format('The copy has %s bytes, sha256 %s; the backup has %s bytes, sha256 %s.',
                                  coalesce(lokbackup_record_copy.size::text, 'NULL'),
                                  coalesce(lokbackup_record_copy.sha256, 'NULL'), b.size, b.sha256),
                  HINT = 'Copy the backup again.';
    END IF;
    -- A removal still queued for an earlier copy there (a failed one) would remove this one.
    DELETE FROM @extschema@.lokbackup_removals r
    WHERE r.backup_id = b.id AND r.storage = d.storage
      AND r.s3_endpoint IS NOT DISTINCT FROM d.s3_endpoint;
    INSERT INTO @extschema@.lokbackup_copies AS c
        (backup_id, storage, s3_endpoint, s3_region, s3_path_style, object_key, required, status,
         size, sha256, stored_at)
    VALUES (b.id, d.storage, d.s3_endpoint, d.s3_region, d.s3_path_style, b.object_key,
            current_setting('lokbackup.storage_copy_required')::boolean, 'completed', b.size,
            b.sha256, now())
    ON CONFLICT ON CONSTRAINT lokbackup_copies_pkey DO UPDATE
    SET s3_endpoint = excluded.s3_endpoint, s3_region = excluded.s3_region,
        s3_path_style = excluded.s3_path_style, object_key = excluded.object_key,
        status = 'completed', size = excluded.size, sha256 = excluded.sha256, error = NULL,
        stored_at = excluded.stored_at, verification = NULL, verified_at = NULL,
        verification_error = NULL;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'record_copy', b.id, jsonb_build_object('storage', d.storage));
END
$$;
REVOKE ALL ON FUNCTION lokbackup_record_copy(bigint, text, text, text, boolean, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_record_copy(bigint, text, text, text, boolean, bigint, text) TO lokbackup_admin;
COMMENT ON FUNCTION lokbackup_record_copy(bigint, text, text, text, boolean, bigint, text) IS
    'records a copy that lokbackup copy made of a completed backup in lokbackup.storage_copy (the destination in force, the backup''s size and checksum only; audited)';

-- The outcome of `lokbackup verify` of a backup's copy in the second destination.
CREATE FUNCTION lokbackup_record_copy_verification(backup_id bigint, storage text, ok boolean,
                                                   error text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups :=
        lokbackup_internal.lock_backup(lokbackup_record_copy_verification.backup_id);
    c @extschema@.lokbackup_copies;
BEGIN
    IF ok IS NULL THEN
        RAISE EXCEPTION 'ok must not be NULL'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass true when the copy verified, false with the error when it did not.';
    END IF;
    IF ok = (lokbackup_record_copy_verification.error IS NOT NULL) THEN
        RAISE EXCEPTION 'a % verification %', CASE WHEN ok THEN 'passed' ELSE 'failed' END,
                        CASE WHEN ok THEN 'has no error' ELSE 'needs the error that failed it' END
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO c FROM @extschema@.lokbackup_copies x
    WHERE x.backup_id = b.id AND x.storage = lokbackup_record_copy_verification.storage
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'backup % has no copy in %', b.id, lokbackup_record_copy_verification.storage
            USING ERRCODE = 'no_data_found',
                  HINT = 'lokbackup_backup_copies shows the copies of each backup.';
    END IF;
    IF c.status <> 'completed' THEN
        RAISE EXCEPTION 'the copy of backup % in % is %, not completed', b.id, c.storage, c.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Only a completed copy can be verified.';
    END IF;
    UPDATE @extschema@.lokbackup_copies x
    SET verified_at = now(), verification = CASE WHEN ok THEN 'ok' ELSE 'failed' END,
        verification_error = lokbackup_record_copy_verification.error
    WHERE x.backup_id = c.backup_id AND x.storage = c.storage;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'verify_copy', b.id,
            jsonb_build_object('storage', c.storage, 'ok', ok,
                               'error', lokbackup_record_copy_verification.error,
                               'previous', c.verification));
END
$$;
REVOKE ALL ON FUNCTION lokbackup_record_copy_verification(bigint, text, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_record_copy_verification(bigint, text, boolean, text) TO lokbackup_admin;
COMMENT ON FUNCTION lokbackup_record_copy_verification(bigint, text, boolean, text) IS
    'records the outcome of lokbackup verify of a backup''s copy in the second destination (audited)';

-- Queues the removal of a backup's copies in the second destination that are not deleted yet,
-- each a removal of its own, retried on its own; a first attempt is made once the transaction
-- commits. The copies of a deleted backup are marked deleted; those of a failed one stay failed.
CREATE FUNCTION lokbackup_internal.queue_copy_removal(backup_id bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r @extschema@.lokbackup_removals;
BEGIN
    FOR r IN
        INSERT INTO @extschema@.lokbackup_removals AS x
            (backup_id, object_key, storage, s3_endpoint, s3_region, s3_path_style)
        SELECT c.backup_id, c.object_key, c.storage, c.s3_endpoint, c.s3_region, c.s3_path_style
        FROM @extschema@.lokbackup_copies c
        WHERE c.backup_id = queue_copy_removal.backup_id AND c.status <> 'deleted'
        RETURNING x.*
    LOOP
        PERFORM lokbackup_internal.storage_remove(r.storage, r.s3_endpoint, r.s3_region,
                                                  r.s3_path_style, r.object_key);
    END LOOP;
    UPDATE @extschema@.lokbackup_copies c SET status = 'deleted'
    FROM @extschema@.lokbackup_backups b
    WHERE c.backup_id = queue_copy_removal.backup_id AND b.id = c.backup_id
      AND b.status = 'deleted';
END
$$;
REVOKE ALL ON FUNCTION lokbackup_internal.queue_copy_removal(bigint) FROM PUBLIC;
COMMENT ON FUNCTION lokbackup_internal.queue_copy_removal(bigint) IS
    'queues the removal of a backup''s copies in the second destination (each retried on its own) and makes a first attempt after commit';

-- A backup's removal removes every copy of it.
CREATE OR REPLACE FUNCTION lokbackup_internal.queue_removal(backup_id bigint) RETURNS void
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
    PERFORM lokbackup_internal.queue_copy_removal(queue_removal.backup_id);
END
$$;
COMMENT ON FUNCTION lokbackup_internal.queue_removal(bigint) IS
    'queues the removal of a backup''s objects in lokbackup_removals, its copy in the second destination''s too, and makes a first attempt after commit';

-- A download URL is signed for the first copy that can give a sound one, primary first: a copy in
-- a bucket whose verification did not fail. A backup kept in a directory with a copy in a bucket
-- is downloaded from the bucket; one whose primary failed verification, from its copy. With no
-- such copy, the primary is signed as before (a directory's refusal says why).
CREATE OR REPLACE FUNCTION lokbackup_download_url(id bigint, valid_for interval DEFAULT '1 hour') RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups;
    seconds bigint := ceil(extract(epoch FROM valid_for))::bigint;
    chosen record;
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
    SELECT x.* INTO chosen
    FROM (SELECT 1 AS position, 'primary' AS destination, b.storage, b.s3_endpoint, b.s3_region,
                 b.s3_path_style, b.object_key, b.verification
          UNION ALL
          SELECT 2, 'copy', c.storage, c.s3_endpoint, c.s3_region, c.s3_path_style, c.object_key,
                 c.verification
          FROM @extschema@.lokbackup_copies c
          WHERE c.backup_id = b.id AND c.status = 'completed') x
    WHERE x.storage LIKE 's3://%' AND x.verification IS DISTINCT FROM 'failed'
    ORDER BY x.position
    LIMIT 1;
    IF NOT FOUND THEN
        SELECT 'primary' AS destination, b.storage, b.s3_endpoint, b.s3_region, b.s3_path_style,
               b.object_key
        INTO chosen;
    END IF;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'download_url', b.id,
            jsonb_build_object('valid_for_seconds', seconds, 'destination', chosen.destination,
                               'storage', chosen.storage));
    RETURN lokbackup_internal.storage_url(chosen.storage, chosen.s3_endpoint, chosen.s3_region,
                                          chosen.s3_path_style, chosen.object_key, seconds);
END
$$;
COMMENT ON FUNCTION lokbackup_download_url(bigint, interval) IS
    'a presigned GET URL of a backup, valid for valid_for (at most 7 days): of its first copy in a bucket whose verification did not fail, primary first; audited with the copy it signs';

-- 'latest' passes over a backup that failed verification only when every copy of it did: one
-- whose primary failed but whose copy is sound is still the newest that restores (from the copy).
CREATE OR REPLACE FUNCTION lokbackup_internal.find_backup(backup text, database text)
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
          AND (b.verification IS DISTINCT FROM 'failed'
               OR EXISTS (SELECT FROM @extschema@.lokbackup_copies c
                          WHERE c.backup_id = b.id AND c.status = 'completed'
                            AND c.verification IS DISTINCT FROM 'failed'))
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
COMMENT ON FUNCTION lokbackup_internal.find_backup(text, text) IS
    'the completed backup that ''latest'' (of a database: the newest with a copy that did not fail verification and no failed drill) or an id names, or an error that says why there is none';

-- A restore plan points at the first copy that did not fail verification, primary first: since
-- 'latest' may name a backup whose primary failed while its copy passed, a script that restores
-- from the plan's location must be sent to the copy. (The program tries every copy, from
-- lokbackup_copy_locations().)
CREATE OR REPLACE FUNCTION lokbackup_restore_plan(backup text DEFAULT 'latest', database text DEFAULT NULL)
    RETURNS SETOF @extschema@.lokbackup_plan
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := lokbackup_internal.find_backup(backup, database);
    catalog text := current_setting('lokbackup.database');
    chosen record;
BEGIN
    PERFORM lokbackup_internal.refuse_base_backup(b, 'lokbackup restore replays a dump into a database');
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (lokbackup_internal.actor(), 'restore_plan', b.id, jsonb_build_object('requested', backup));
    SELECT x.* INTO chosen
    FROM (SELECT 1 AS position, b.storage, b.s3_endpoint, b.s3_region, b.s3_path_style,
                 b.object_key, b.verification
          UNION ALL
          SELECT 2, c.storage, c.s3_endpoint, c.s3_region, c.s3_path_style, c.object_key,
                 c.verification
          FROM @extschema@.lokbackup_copies c
          WHERE c.backup_id = b.id AND c.status = 'completed') x
    ORDER BY x.verification IS NOT DISTINCT FROM 'failed', x.position
    LIMIT 1;
    RETURN QUERY SELECT
        b.id, b.database, b.contents,
        lokbackup_internal.storage_location(chosen.storage, chosen.s3_endpoint, chosen.s3_region,
                                            chosen.s3_path_style, chosen.object_key),
        -- The manifest's key is the object's plus this suffix (manifest_key() in core).
        lokbackup_internal.storage_location(chosen.storage, chosen.s3_endpoint, chosen.s3_region,
                                            chosen.s3_path_style, chosen.object_key || '.manifest.json'),
        b.sha256, b.size, b.raw_size, b.format, b.compression, catalog, b.requested_at,
        format('lokbackup restore %s %s%s', b.id,
               lokbackup_internal.shell_quote('--dbname=' || coalesce(b.database, catalog)),
               CASE WHEN catalog <> 'postgres'
                    THEN ' ' || lokbackup_internal.shell_quote('--catalog-dbname=' || catalog)
                    ELSE '' END);
END
$$;
