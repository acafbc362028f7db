-- lokbackup 0.2.0 -> 0.3.0: backups never stop silently, and every row knows its storage.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.3.0'" to load this file. \quit

-- Every row records the storage it was written to.
-- (storage: end)


-- Removals that failed wait in a catalog table until the worker has done them.
-- (removals: end)


-- The outcome of `lokbackup verify` is recorded; a corrupt backup is never 'latest'.
-- (verification: end)


-- Health: per database, how old its newest completed backup is, against the schedule.
-- (health: end)


-- Backup ids stay unique in storage across reinstalls.
-- (ids: end)


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
-- (progress: end)
