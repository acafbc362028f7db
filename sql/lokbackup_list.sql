\set SHOW_CONTEXT never
-- lokbackup_list(): newest first, filters, paging, and clear errors for bad input.
SELECT type, status, database, size IS NOT NULL AS has_size, duration IS NOT NULL AS has_duration,
       length(sha256) AS sha256_shown
FROM lokbackup_list() ORDER BY id;
SELECT count(*) FROM lokbackup_list(status => 'completed');
SELECT count(*) FROM lokbackup_list(type => 'daily');
SELECT count(*) FROM lokbackup_list(lim => 1);
SELECT count(*) FROM lokbackup_list(lim => 2, off => 2);
SELECT (SELECT max(id) FROM lokbackup_list(lim => 1)) = (SELECT max(id) FROM lokbackup_backups)
    AS newest_first;
SELECT * FROM lokbackup_list(type => 'hourly');
SELECT * FROM lokbackup_list(status => 'done');
SELECT * FROM lokbackup_list(lim => 0);
SELECT * FROM lokbackup_list(lim => -1);
SELECT * FROM lokbackup_list(lim => 1000000);
SELECT * FROM lokbackup_list(lim => NULL);
SELECT * FROM lokbackup_list(off => -1);

-- lokbackup_stats() and the dashboard view.
SELECT total_size > 0 AS has_total, total_size_pretty IS NOT NULL AS has_pretty, completed, failed,
       in_progress, last_backup IS NOT NULL AS has_last, success_rate
FROM lokbackup_stats();
SELECT completed, failed FROM lokbackup_dashboard;
