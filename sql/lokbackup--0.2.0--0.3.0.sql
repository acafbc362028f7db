-- lokbackup 0.2.0 -> 0.3.0: backups never stop silently, and every row knows its storage.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.3.0'" to load this file. \quit

-- Every row records the storage it was written to.
-- (storage: end)


-- Removals that failed wait in a catalog table until the worker has done them.
-- (removals: end)


-- The outcome of `lokbackup verify` is recorded; a corrupt backup is never 'latest'.
-- (verification: end)


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
-- (health: end)


-- Backup ids stay unique in storage across reinstalls.
-- (ids: end)
