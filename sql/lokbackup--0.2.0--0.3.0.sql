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
