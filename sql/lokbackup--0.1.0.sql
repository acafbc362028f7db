-- lokbackup 0.1.0: the catalog, the SQL functions and the views.

\echo Use "CREATE EXTENSION lokbackup" to load this file. \quit

-- The catalog lives in one database, the one the background worker connects to. Another
-- database may hold a copy (a restored backup of the catalog database): it can be read, and the
-- functions that act on storage or the worker refuse there.
DO $check$
DECLARE
    catalog_database text := current_setting('lokbackup.database', true);
BEGIN
    IF catalog_database IS NULL THEN
        RAISE EXCEPTION 'lokbackup is not loaded'
            USING HINT = 'Add lokbackup to shared_preload_libraries in postgresql.conf and restart the server.';
    END IF;
    IF current_database() <> catalog_database THEN
        RAISE WARNING 'lokbackup acts only in database "%", its catalog database', catalog_database
            USING DETAIL = format('The catalog created in database "%s" is a copy, to be read only: lokbackup_run(), lokbackup_delete(), lokbackup_rotate() and lokbackup_download_url() refuse here.', current_database()),
                  HINT = 'If this is not a restored copy of the catalog, DROP EXTENSION lokbackup here and create it in that database (or change lokbackup.database in postgresql.conf and restart the server).';
    END IF;
END
$check$;

DO $role$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'lokbackup_admin') THEN
        CREATE ROLE lokbackup_admin NOLOGIN;
    END IF;
END
$role$;

CREATE SEQUENCE lokbackup_run_seq;

CREATE TABLE lokbackup_backups (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL,
    type text NOT NULL CHECK (type IN ('daily', 'weekly', 'monthly', 'manual')),
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_progress', 'completed', 'failed', 'deleted')),
    contents text NOT NULL CHECK (contents IN ('database', 'roles')),
    database text CHECK ((contents = 'roles') = (database IS NULL)),
    object_key text,
    format text NOT NULL CHECK (format IN ('plain', 'custom')),
    compression text NOT NULL CHECK (compression IN ('zstd', 'gzip', 'none')),
    compression_level integer NOT NULL,
    size bigint,
    raw_size bigint,
    sha256 text,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    duration interval GENERATED ALWAYS AS (finished_at - started_at) STORED,
    error text,
    pinned boolean NOT NULL DEFAULT false,
    CHECK (status <> 'completed' OR (size IS NOT NULL AND raw_size IS NOT NULL AND sha256 IS NOT NULL))
);
CREATE INDEX ON lokbackup_backups (status);
CREATE INDEX ON lokbackup_backups (database, finished_at);

CREATE TABLE lokbackup_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL
        CHECK (action IN ('run', 'delete', 'restore_plan', 'download_url', 'rotate', 'keep')),
    backup_id bigint REFERENCES lokbackup_backups (id),
    detail jsonb
);
CREATE INDEX ON lokbackup_audit (backup_id);

-- Internal: the C side of the SQL surface. Only the extension's own functions call these.
CREATE FUNCTION lokbackup_storage_location(object_key text) RETURNS text
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'lokbackup_storage_location';
CREATE FUNCTION lokbackup_storage_remove(object_key text) RETURNS void
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'lokbackup_storage_remove';

CREATE FUNCTION lokbackup_run(type text DEFAULT 'manual', wait boolean DEFAULT false)
    RETURNS bigint[]
    LANGUAGE c SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'lokbackup_run';
COMMENT ON FUNCTION lokbackup_run(text, boolean) IS
    'request a backup of every configured database and of the roles; returns the ids of the new backups';

CREATE FUNCTION lokbackup_progress()
    RETURNS TABLE (backup_id bigint, database text, started_at timestamptz, raw_bytes bigint,
                   stored_bytes bigint, raw_pretty text, stored_pretty text)
    LANGUAGE c AS 'MODULE_PATHNAME', 'lokbackup_progress';

CREATE FUNCTION lokbackup_next_run() RETURNS timestamptz
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'lokbackup_next_run';
COMMENT ON FUNCTION lokbackup_next_run() IS 'when the next scheduled backup runs (NULL: none)';

-- "1.2 MB", "3 min 04 s": the forms an admin reads.
CREATE FUNCTION lokbackup_pretty_duration(d interval) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN d IS NULL THEN NULL
        WHEN d < interval '1 minute' THEN to_char(extract(epoch FROM d), 'FM990.0') || ' s'
        WHEN d < interval '1 hour' THEN to_char(d, 'FMMI "min" SS "s"')
        ELSE to_char(d, 'FMHH24 "h" MI "min"')
    END;

-- Who is acting, for the audit trail: the role set with SET ROLE, else the login role. (Inside the
-- SECURITY DEFINER functions current_user is the extension's owner.)
CREATE FUNCTION lokbackup_actor() RETURNS text
    LANGUAGE sql STABLE
    RETURN CASE WHEN current_setting('role') = 'none' THEN session_user::text
                ELSE current_setting('role') END;

CREATE FUNCTION lokbackup_check_choice(setting text, value text, allowed text[]) RETURNS void
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF value IS NOT NULL AND NOT value = ANY (allowed) THEN
        RAISE EXCEPTION 'invalid % "%"', setting, value
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Allowed values are %s, or NULL for all.', array_to_string(allowed, ', '));
    END IF;
END
$$;

CREATE VIEW lokbackup_status AS
SELECT b.id, b.type, b.status, coalesce(b.database, '(roles)') AS database, b.object_key,
       b.format, b.compression, b.size, pg_catalog.pg_size_pretty(b.size) AS size_pretty,
       b.raw_size, pg_catalog.pg_size_pretty(b.raw_size) AS raw_size_pretty, b.sha256,
       b.requested_by, b.requested_at, b.started_at, b.finished_at, b.duration,
       lokbackup_pretty_duration(b.duration) AS duration_pretty, b.error
FROM lokbackup_backups b;

-- Result row types: named types, because the functions' parameters share the columns' names.
CREATE TYPE lokbackup_listing AS (
    id bigint, type text, status text, database text, size text, raw_size text,
    created_at timestamptz, duration text, sha256 text, error text);

CREATE TYPE lokbackup_plan AS (
    backup_id bigint, database text, contents text, location text, manifest_location text,
    sha256 text, size bigint,
    raw_size bigint, format text, compression text, catalog_database text,
    created_at timestamptz, command text);

CREATE FUNCTION lokbackup_list(type text DEFAULT NULL, status text DEFAULT NULL,
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
    RETURN QUERY
        SELECT s.id, s.type, s.status, s.database, s.size_pretty, s.raw_size_pretty, s.requested_at,
               s.duration_pretty, left(s.sha256, 12), s.error
        FROM @extschema@.lokbackup_status s
        WHERE (lokbackup_list.type IS NULL OR s.type = lokbackup_list.type)
          AND (lokbackup_list.status IS NULL OR s.status = lokbackup_list.status)
        ORDER BY s.id DESC
        LIMIT lim OFFSET off;
END
$$;

CREATE FUNCTION lokbackup_stats()
    RETURNS TABLE (total_size bigint, total_size_pretty text, completed bigint, failed bigint,
                   in_progress bigint, last_backup timestamptz, success_rate numeric)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT coalesce(sum(size) FILTER (WHERE status = 'completed'), 0)::bigint,
           pg_size_pretty(coalesce(sum(size) FILTER (WHERE status = 'completed'), 0)),
           count(*) FILTER (WHERE status = 'completed'),
           count(*) FILTER (WHERE status = 'failed'),
           count(*) FILTER (WHERE status IN ('pending', 'in_progress')),
           max(finished_at) FILTER (WHERE status = 'completed'),
           round(100.0 * count(*) FILTER (WHERE status = 'completed')
                 / nullif(count(*) FILTER (WHERE status IN ('completed', 'failed')), 0), 1)
    FROM @extschema@.lokbackup_backups
    WHERE status <> 'deleted';
END;

CREATE VIEW lokbackup_dashboard AS
SELECT s.*, @extschema@.lokbackup_next_run() AS next_scheduled_run FROM lokbackup_stats() s;
CREATE VIEW lokbackup_running AS SELECT * FROM lokbackup_progress();

-- Finds one completed backup: 'latest' (of a database) or an id.
CREATE FUNCTION lokbackup_find_backup(backup text, database text) RETURNS @extschema@.lokbackup_backups
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    chosen @extschema@.lokbackup_backups;
    wanted bigint;
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
        ORDER BY b.finished_at DESC, b.id DESC LIMIT 1;
        IF NOT FOUND THEN
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

CREATE FUNCTION lokbackup_restore_plan(backup text DEFAULT 'latest', database text DEFAULT NULL)
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
        b.id, b.database, b.contents, @extschema@.lokbackup_storage_location(b.object_key),
        -- The manifest's key is the object's plus this suffix (manifest_key() in core).
        @extschema@.lokbackup_storage_location(b.object_key || '.manifest.json'),
        b.sha256, b.size, b.raw_size, b.format, b.compression, catalog, b.requested_at,
        format('lokbackup restore %s --dbname %s%s', b.id,
               quote_ident(coalesce(b.database, catalog)),
               CASE WHEN catalog <> 'postgres' THEN ' --catalog-dbname ' || quote_ident(catalog) ELSE '' END);
END
$$;

-- Locks the row of a backup that is still there (not deleted) for a change; raises an error that
-- says what is wrong otherwise.
CREATE FUNCTION lokbackup_lock_backup(id bigint) RETURNS @extschema@.lokbackup_backups
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups;
BEGIN
    IF id IS NULL THEN
        RAISE EXCEPTION 'backup id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO b FROM @extschema@.lokbackup_backups x WHERE x.id = lokbackup_lock_backup.id FOR UPDATE;
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

CREATE FUNCTION lokbackup_delete(id bigint) RETURNS void
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
    -- Storage is touched only once this transaction commits (lokbackup_storage_remove).
    IF b.object_key IS NOT NULL THEN
        PERFORM @extschema@.lokbackup_storage_remove(b.object_key);
    END IF;
END
$$;

CREATE FUNCTION lokbackup_storage_url(object_key text, valid_for_seconds bigint) RETURNS text
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'lokbackup_storage_url';

CREATE FUNCTION lokbackup_download_url(id bigint, valid_for interval DEFAULT '1 hour') RETURNS text
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
    RETURN @extschema@.lokbackup_storage_url(b.object_key, seconds);
END
$$;
COMMENT ON FUNCTION lokbackup_download_url(bigint, interval) IS
    'a presigned URL that downloads the backup object without S3 keys (S3 storage only)';

CREATE FUNCTION lokbackup_rotate(dry_run boolean DEFAULT false)
    RETURNS TABLE (backup_id bigint, database text, type text, finished_at timestamptz, reason text)
    LANGUAGE c SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'lokbackup_rotate';
COMMENT ON FUNCTION lokbackup_rotate(boolean) IS
    'delete the backups the retention policy expires (with dry_run => true, only list them)';

CREATE FUNCTION lokbackup_keep(id bigint, keep boolean DEFAULT true) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := @extschema@.lokbackup_lock_backup(id);
BEGIN
    IF keep IS NULL THEN
        RAISE EXCEPTION 'keep must not be NULL'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass true to pin the backup, false to unpin it.';
    END IF;
    UPDATE @extschema@.lokbackup_backups x SET pinned = keep WHERE x.id = b.id;
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (@extschema@.lokbackup_actor(), 'keep', b.id, jsonb_build_object('pinned', keep));
END
$$;
COMMENT ON FUNCTION lokbackup_keep(bigint, boolean) IS
    'pin a backup so that rotation never deletes it (keep => false unpins it)';

-- Permissions: nothing for PUBLIC; lokbackup_admin gets what an admin needs.
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON FUNCTION lokbackup_storage_location(text), lokbackup_storage_remove(text),
    lokbackup_storage_url(text, bigint), lokbackup_download_url(bigint, interval),
    lokbackup_run(text, boolean), lokbackup_progress(), lokbackup_pretty_duration(interval),
    lokbackup_actor(), lokbackup_check_choice(text, text, text[]), lokbackup_list(text, text, integer, integer),
    lokbackup_stats(), lokbackup_find_backup(text, text), lokbackup_restore_plan(text, text),
    lokbackup_lock_backup(bigint), lokbackup_delete(bigint), lokbackup_rotate(boolean),
    lokbackup_keep(bigint, boolean), lokbackup_next_run()
    FROM PUBLIC;
REVOKE ALL ON SEQUENCE lokbackup_run_seq FROM PUBLIC;
GRANT SELECT ON lokbackup_backups, lokbackup_audit, lokbackup_status, lokbackup_dashboard,
    lokbackup_running TO lokbackup_admin;
GRANT EXECUTE ON FUNCTION lokbackup_run(text, boolean), lokbackup_progress(),
    lokbackup_pretty_duration(interval), lokbackup_actor(), lokbackup_check_choice(text, text, text[]),
    lokbackup_list(text, text, integer, integer), lokbackup_stats(),
    lokbackup_find_backup(text, text), lokbackup_restore_plan(text, text), lokbackup_delete(bigint),
    lokbackup_rotate(boolean), lokbackup_keep(bigint, boolean), lokbackup_next_run(),
    lokbackup_download_url(bigint, interval)
    TO lokbackup_admin;
