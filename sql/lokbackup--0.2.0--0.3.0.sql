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
-- (ids: end)
