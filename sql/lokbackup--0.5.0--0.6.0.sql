-- lokbackup 0.5.0 -> 0.6.0: point-in-time recovery (archived WAL, base backups, restore to a
-- point). Each part of the release keeps its statements in a section of its own.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.6.0'" to load this file. \quit

-- base backups
--
-- A base backup of the whole cluster (pg_basebackup, a tar archive) is a row whose contents is
-- 'cluster', with no database, format 'tar', and the WAL it needs: recovery starts at start_lsn
-- on `timeline`, and is consistent once it has replayed up to stop_lsn; retention keeps every
-- archived segment from start_wal_file on.
ALTER TABLE lokbackup_backups DROP CONSTRAINT lokbackup_backups_contents_check,
    ADD CONSTRAINT lokbackup_backups_contents_check
        CHECK (contents IN ('database', 'roles', 'cluster'));
-- 0.1.0 left this check unnamed, and PostgreSQL named it after the table alone (it reads two
-- columns): it is found by what it says.
DO $$
DECLARE
    name text;
BEGIN
    SELECT c.conname INTO STRICT name FROM pg_catalog.pg_constraint c
    WHERE c.conrelid = '@extschema@.lokbackup_backups'::pg_catalog.regclass AND c.contype = 'c'
      AND pg_catalog.pg_get_constraintdef(c.oid) = 'CHECK (((contents = ''roles''::text) = (database IS NULL)))';
    EXECUTE pg_catalog.format('ALTER TABLE @extschema@.lokbackup_backups DROP CONSTRAINT %I', name);
END
$$;
ALTER TABLE lokbackup_backups ADD CONSTRAINT lokbackup_backups_database_check
    CHECK ((contents = 'database') = (database IS NOT NULL));
ALTER TABLE lokbackup_backups DROP CONSTRAINT lokbackup_backups_format_check,
    ADD CONSTRAINT lokbackup_backups_format_check
        CHECK (format IN ('plain', 'custom', 'tar') AND (format = 'tar') = (contents = 'cluster'));
ALTER TABLE lokbackup_backups
    ADD COLUMN timeline integer CHECK (timeline > 0),
    ADD COLUMN start_lsn pg_lsn,
    ADD COLUMN stop_lsn pg_lsn,
    ADD COLUMN start_wal_file text CHECK (start_wal_file ~ '^[0-9A-F]{24}$'),
    ADD CONSTRAINT lokbackup_backups_wal_range_check
        CHECK (status <> 'completed' OR (contents = 'cluster') = (start_wal_file IS NOT NULL
               AND timeline IS NOT NULL AND start_lsn IS NOT NULL AND stop_lsn IS NOT NULL));
COMMENT ON COLUMN lokbackup_backups.timeline IS
    'of a base backup (contents cluster): the timeline it was taken on; NULL for dumps';
COMMENT ON COLUMN lokbackup_backups.start_lsn IS
    'of a base backup: where recovery from it starts (pg_basebackup''s write-ahead log start point); NULL for dumps';
COMMENT ON COLUMN lokbackup_backups.stop_lsn IS
    'of a base backup: how far recovery must replay for it to be consistent (the end point); NULL for dumps';
COMMENT ON COLUMN lokbackup_backups.start_wal_file IS
    'of a base backup: the WAL segment that holds start_lsn, the oldest one it needs from the archive; NULL for dumps';

-- kind => 'physical' asks for one base backup of the cluster instead of the dumps.
DROP FUNCTION lokbackup_run(text, boolean);
CREATE FUNCTION lokbackup_run(type text DEFAULT 'manual', wait boolean DEFAULT false,
                              kind text DEFAULT 'logical')
    RETURNS bigint[]
    LANGUAGE c SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'lokbackup_run';
REVOKE ALL ON FUNCTION lokbackup_run(text, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_run(text, boolean, text) TO lokbackup_admin;
COMMENT ON FUNCTION lokbackup_run(text, boolean, text) IS
    'request a backup: kind logical (the default) dumps every configured database and the roles, kind physical takes one base backup of the cluster; returns the ids of the new backups';

-- A base backup is named "(cluster)" wherever a backup's database is shown; its WAL range is
-- at the end of the view.
CREATE OR REPLACE VIEW lokbackup_status AS
SELECT b.id, b.type, b.status,
       CASE b.contents WHEN 'roles' THEN '(roles)' WHEN 'cluster' THEN '(cluster)'
                       ELSE b.database END AS database, b.object_key,
       b.format, b.compression, b.size, pg_catalog.pg_size_pretty(b.size) AS size_pretty,
       b.raw_size, pg_catalog.pg_size_pretty(b.raw_size) AS raw_size_pretty, b.sha256,
       b.requested_by, b.requested_at, b.started_at, b.finished_at, b.duration,
       lokbackup_internal.pretty_duration(b.duration) AS duration_pretty, b.error,
       b.verification, b.verified_at, b.verification_error, b.encrypted_to,
       d.finished_at AS last_drill, d.status AS drill_status, d.failed_check AS drill_failed_check,
       d.restore_seconds AS drill_restore_seconds,
       b.timeline, b.start_lsn, b.stop_lsn, b.start_wal_file
FROM lokbackup_backups b
LEFT JOIN LATERAL lokbackup_internal.last_drill(b.id) d ON d.id IS NOT NULL;
COMMENT ON VIEW lokbackup_status IS
    'every backup with sizes and duration in readable form, its error, its verification, whom it is encrypted to, its last restore drill and, for a base backup ("(cluster)"), its WAL range';

-- A base backup is restored by lokbackup restore-pitr, never replayed into a database.
CREATE FUNCTION lokbackup_internal.refuse_base_backup(b @extschema@.lokbackup_backups, what text)
    RETURNS void
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF b.contents = 'cluster' THEN
        RAISE EXCEPTION 'backup % is a base backup of the cluster: %; it is restored with lokbackup restore-pitr', b.id, what
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Restore the cluster into an empty data directory with lokbackup restore-pitr --pgdata DIR and --target-time, --target-lsn or --target latest.';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION lokbackup_internal.refuse_base_backup(@extschema@.lokbackup_backups, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_internal.refuse_base_backup(@extschema@.lokbackup_backups, text) TO lokbackup_admin;
COMMENT ON FUNCTION lokbackup_internal.refuse_base_backup(@extschema@.lokbackup_backups, text) IS
    'raises an error pointing to lokbackup restore-pitr when the backup is a base backup';

CREATE OR REPLACE FUNCTION lokbackup_restore_plan(backup text DEFAULT 'latest', database text DEFAULT NULL)
    RETURNS SETOF @extschema@.lokbackup_plan
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := lokbackup_internal.find_backup(backup, database);
    catalog text := current_setting('lokbackup.database');
BEGIN
    PERFORM lokbackup_internal.refuse_base_backup(b, 'lokbackup restore replays a dump into a database');
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

CREATE OR REPLACE FUNCTION lokbackup_drill(backup text DEFAULT 'latest', database text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := lokbackup_internal.find_backup(backup, database);
BEGIN
    PERFORM lokbackup_internal.refuse_base_backup(b, 'a restore drill restores a database backup');
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

-- The roles' row of lokbackup_health() counted the base backups as its own (no database either):
-- they are left out of it, as they are of every database's.
CREATE OR REPLACE FUNCTION lokbackup_health()
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
                WHERE b.status = 'failed' AND b.database IS NOT DISTINCT FROM t.name AND b.contents <> 'cluster'
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
            WHERE b.status = 'completed' AND b.database IS NOT DISTINCT FROM t.name AND b.contents <> 'cluster'
            ORDER BY b.finished_at DESC, b.id DESC LIMIT 1) l ON true
        LEFT JOIN LATERAL (
            SELECT b.finished_at, b.error FROM @extschema@.lokbackup_backups b
            WHERE b.status = 'failed' AND b.database IS NOT DISTINCT FROM t.name AND b.contents <> 'cluster'
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

-- The size of the WAL archive (~wal/ in the storage in force) as the worker measured it after
-- its last retention pass: one row, replaced each time.
CREATE TABLE lokbackup_internal.wal_archive_size (
    measured_at timestamptz NOT NULL,
    objects bigint NOT NULL CHECK (objects >= 0),
    bytes bigint NOT NULL CHECK (bytes >= 0),
    oldest_wal text,
    newest_wal text
);
CREATE UNIQUE INDEX wal_archive_size_one_row ON lokbackup_internal.wal_archive_size ((true));
REVOKE ALL ON lokbackup_internal.wal_archive_size FROM PUBLIC;
GRANT SELECT ON lokbackup_internal.wal_archive_size TO lokbackup_admin;
COMMENT ON TABLE lokbackup_internal.wal_archive_size IS
    'the archived WAL in storage (~wal/) as the worker last measured it after WAL retention: objects, bytes, the oldest and newest file';
-- end of base backups

-- WAL archiving
-- What the archiver (archive_library = 'lokbackup') recorded in shared memory since the server
-- started: extension/wal_archive_status.hpp.
CREATE FUNCTION lokbackup_internal.wal_archive_state(
    OUT archived_count bigint, OUT archived_bytes bigint, OUT stored_bytes bigint,
    OUT last_archived_wal text, OUT last_archived_at timestamptz, OUT last_failed_wal text,
    OUT last_failed_at timestamptz, OUT last_error text, OUT failing_since timestamptz,
    OUT child_pid integer)
    RETURNS record
    AS 'MODULE_PATHNAME', 'lokbackup_wal_archive_state' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION lokbackup_internal.wal_archive_state() FROM PUBLIC;
COMMENT ON FUNCTION lokbackup_internal.wal_archive_state() IS
    'what the archiver recorded in shared memory since the server started: files and bytes archived, the last failure and since when archiving fails, the WAL archive child''s process id';

-- The LSN where the segment that a file of pg_wal names (or begins with: a partial segment, a
-- backup history file) ends; NULL for a timeline history file.
CREATE FUNCTION lokbackup_internal.wal_segment_end(file text) RETURNS pg_lsn
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN file ~ '^[0-9A-F]{24}' THEN
        '0/0'::pg_lsn
        + ('x' || substr(file, 9, 8))::bit(32)::bigint::numeric * 4294967296
        + (('x' || substr(file, 17, 8))::bit(32)::bigint + 1)::numeric
          * pg_size_bytes(current_setting('wal_segment_size'))
    END
$$;
COMMENT ON FUNCTION lokbackup_internal.wal_segment_end(text) IS
    'the LSN where the WAL segment that a file name begins with ends; NULL for a timeline history file';

-- The size of the archive in storage, as the worker last measured it: NULL until it has.
CREATE FUNCTION lokbackup_internal.wal_archive_size_measured(
    OUT objects bigint, OUT bytes bigint, OUT measured_at timestamptz)
    RETURNS record
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    SELECT s.objects, s.bytes, s.measured_at INTO objects, bytes, measured_at
    FROM lokbackup_internal.wal_archive_size s;
END;
$$;
COMMENT ON FUNCTION lokbackup_internal.wal_archive_size_measured() IS
    'the number of objects and bytes of archived WAL in storage, as last measured (lokbackup_internal.wal_archive_size); NULL until measured';

CREATE FUNCTION lokbackup_wal_status(
    OUT archive_library_in_use boolean, OUT last_archived_wal text,
    OUT last_archived_at timestamptz, OUT seconds_since_last_archived double precision,
    OUT current_wal text, OUT lag_segments bigint, OUT lag_bytes numeric,
    OUT failed_count bigint, OUT last_failed_wal text, OUT last_failed_at timestamptz,
    OUT last_error text, OUT failing_since timestamptz, OUT archived_count bigint,
    OUT archived_bytes bigint, OUT stored_bytes bigint, OUT child_pid integer,
    OUT archive_objects bigint, OUT archive_bytes bigint, OUT archive_measured_at timestamptz)
    RETURNS record
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    WITH a AS (SELECT * FROM pg_stat_archiver),
         s AS (SELECT * FROM lokbackup_internal.wal_archive_state()),
         m AS (SELECT * FROM lokbackup_internal.wal_archive_size_measured()),
         w AS (SELECT CASE WHEN pg_is_in_recovery() THEN NULL
                           ELSE pg_current_wal_insert_lsn() END AS insert_lsn,
                      pg_size_bytes(current_setting('wal_segment_size')) AS segment_size),
         l AS (SELECT w.insert_lsn - lokbackup_internal.wal_segment_end(a.last_archived_wal)
                          AS lag_bytes
               FROM w, a)
    SELECT current_setting('archive_mode') <> 'off'
               AND current_setting('archive_library') = 'lokbackup',
           a.last_archived_wal, a.last_archived_time,
           extract(epoch FROM clock_timestamp() - a.last_archived_time)::double precision,
           CASE WHEN w.insert_lsn IS NOT NULL THEN pg_walfile_name(w.insert_lsn) END,
           floor(greatest(l.lag_bytes, 0) / w.segment_size)::bigint, greatest(l.lag_bytes, 0),
           a.failed_count, a.last_failed_wal, a.last_failed_time,
           CASE WHEN s.last_failed_wal = a.last_failed_wal THEN s.last_error END,
           s.failing_since, s.archived_count, s.archived_bytes, s.stored_bytes,
           nullif(s.child_pid, 0), m.objects, m.bytes, m.measured_at
    FROM a, s, m, w, l
$$;
REVOKE ALL ON FUNCTION lokbackup_wal_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lokbackup_wal_status() TO lokbackup_admin;
COMMENT ON FUNCTION lokbackup_wal_status() IS
    'WAL archiving (archive_library = ''lokbackup''): the last archived file and how long ago (the RPO), the lag behind the WAL being written, failures and since when archiving fails, what was archived since the server started, and the size of the archive in storage';

CREATE VIEW lokbackup_wal_status AS SELECT * FROM lokbackup_wal_status();
REVOKE ALL ON lokbackup_wal_status FROM PUBLIC;
GRANT SELECT ON lokbackup_wal_status TO lokbackup_admin;
COMMENT ON VIEW lokbackup_wal_status IS
    'lokbackup_wal_status() as a view: the state of WAL archiving in one row';
