-- lokbackup 0.3.0 -> 0.4.0: the catalog records each database backup's properties.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.4.0'" to load this file. \quit

-- The worker writes what the backup child read from the dumped database once its dump was done;
-- the manifest in storage holds a copy, which a restore from the catalog does not need to trust.
-- Rows written before 0.4.0 have none: their restores take the manifest's, as before.
ALTER TABLE lokbackup_backups ADD COLUMN database_properties jsonb;
COMMENT ON COLUMN lokbackup_backups.database_properties IS
    'the database''s encoding, locale, owner, ACL, comment, connection limit and ALTER DATABASE SET values when it was backed up (NULL: the roles, or a backup made before 0.4.0)';
