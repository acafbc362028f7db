\set SHOW_CONTEXT never
-- The extension installs only in the catalog database (lokbackup.database).
CREATE DATABASE lokbackup_elsewhere;
\c lokbackup_elsewhere
CREATE EXTENSION lokbackup;
\c contrib_regression
DROP DATABASE lokbackup_elsewhere;

CREATE EXTENSION lokbackup;
SELECT extname, extversion FROM pg_extension WHERE extname = 'lokbackup';

-- What a user calls is in the extension's schema, each with a comment that says what it is for;
-- the internals are in lokbackup_internal, out of the way.
SELECT n.nspname, count(*) AS functions,
       count(*) FILTER (WHERE obj_description(p.oid, 'pg_proc') IS NULL) AS without_comment
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'lokbackup'
JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE d.deptype = 'e'
GROUP BY n.nspname ORDER BY n.nspname;
SELECT c.relname, c.relkind
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'lokbackup'
JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
WHERE d.deptype = 'e' AND c.relkind IN ('r', 'v') AND obj_description(c.oid, 'pg_class') IS NULL;
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
ALTER SYSTEM SET lokbackup.wal_upload_timeout = 0;
ALTER SYSTEM SET lokbackup.wal_failure_notify_after = -1;
ALTER SYSTEM SET lokbackup.backup_timeout = '-5min';
ALTER SYSTEM SET lokbackup.storage = 'relative/dir';
ALTER SYSTEM SET lokbackup.databases = 'a,,b';
SELECT pg_read_file('postgresql.auto.conf') LIKE '%lokbackup%' AS auto_conf_touched;
SET lokbackup.compression = 'gzip';
SHOW lokbackup.compression;
