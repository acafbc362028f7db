\set SHOW_CONTEXT never
-- Nothing is granted to PUBLIC; lokbackup_admin gets what an admin needs.
CREATE ROLE lokbackup_nobody LOGIN;
CREATE ROLE lokbackup_alice LOGIN IN ROLE lokbackup_admin;
SET ROLE lokbackup_nobody;
SELECT * FROM lokbackup_list();
SELECT * FROM lokbackup_stats();
SELECT lokbackup_run();
SELECT * FROM lokbackup_restore_plan('latest', 'postgres');
SELECT lokbackup_delete(1);
SELECT count(*) FROM lokbackup_backups;
SELECT count(*) FROM lokbackup_audit;
SELECT * FROM lokbackup_dashboard;
SELECT lokbackup_internal.storage_location('x', NULL, NULL, NULL, 'x');
SELECT lokbackup_internal.storage_remove('x', NULL, NULL, NULL, 'x');
SELECT lokbackup_internal.queue_removal(1);
SELECT count(*) FROM lokbackup_removals;
RESET ROLE;

-- An admin can read and plan, but not reach the internal storage functions or write the catalog.
SET ROLE lokbackup_alice;
SELECT count(*) > 0 AS can_list FROM lokbackup_list();
SELECT completed > 0 AS can_read_stats FROM lokbackup_stats();
SELECT backup_id > 0 AS can_plan FROM lokbackup_restore_plan('latest', 'contrib_regression');
SELECT lokbackup_internal.storage_remove('x', NULL, NULL, NULL, 'x');
SELECT lokbackup_internal.queue_removal(1);
SELECT count(*) >= 0 AS can_see_removals FROM lokbackup_removals;
DELETE FROM lokbackup_removals;
DELETE FROM lokbackup_audit;
UPDATE lokbackup_backups SET status = 'completed';
RESET ROLE;
SELECT actor, action FROM lokbackup_audit ORDER BY id DESC LIMIT 1;

-- A run requested under SET ROLE is recorded as that role's.
SET ROLE lokbackup_alice;
SELECT cardinality(lokbackup_run(wait => true)) > 0 AS ran;
RESET ROLE;
SELECT DISTINCT requested_by FROM lokbackup_backups WHERE id = (SELECT max(id) FROM lokbackup_backups);

DROP ROLE lokbackup_nobody;
DROP ROLE lokbackup_alice;
