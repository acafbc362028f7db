\set SHOW_CONTEXT never
-- The extension installs only in the catalog database (lokbackup.database).
CREATE DATABASE lokbackup_elsewhere;
\c lokbackup_elsewhere
CREATE EXTENSION lokbackup;
\c contrib_regression
DROP DATABASE lokbackup_elsewhere;

CREATE EXTENSION lokbackup;
SELECT extname, extversion FROM pg_extension WHERE extname = 'lokbackup';
SHOW lokbackup.database;
SHOW lokbackup.compression;
SHOW lokbackup.format;
SHOW lokbackup.backup_timeout;

-- A typo in a lokbackup.* name is an error, not a silent placeholder.
SET lokbackup.shedule = '0 3 * * *';

-- Settings are validated when set, and a rejected value changes nothing.
ALTER SYSTEM SET lokbackup.compression = 'lz4';
ALTER SYSTEM SET lokbackup.format = 'directory';
ALTER SYSTEM SET lokbackup.compression_level = 25;
ALTER SYSTEM SET lokbackup.compression_level = -1;
ALTER SYSTEM SET lokbackup.backup_timeout = 0;
ALTER SYSTEM SET lokbackup.backup_timeout = '-5min';
ALTER SYSTEM SET lokbackup.storage = 'relative/dir';
ALTER SYSTEM SET lokbackup.databases = 'a,,b';
SELECT pg_read_file('postgresql.auto.conf') LIKE '%lokbackup%' AS auto_conf_touched;
SET lokbackup.compression = 'gzip';
SHOW lokbackup.compression;
