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


-- The catalog is in the catalog database's dump: pg_dump of that database (lokbackup's own backup
-- of it too) writes the rows of the backups and of the audit trail, and where the runs' numbers
-- stand, so that they are not lost on a dump and restore of the catalog database.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_backups', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_audit', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.lokbackup_run_seq', '');
-- (catalog dump: end)
