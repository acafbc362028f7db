# A standby takes no scheduled backup, even with lokbackup.schedule = '* * * * *' and a run long
# overdue: it runs no worker. Once promoted, its worker takes the overdue run at once (one
# catch-up run) and schedules the next.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The primary has no schedule; its catalog says the last scheduled run was two hours ago, so a
# worker with '* * * * *' would start a catch-up run as soon as it came up.
my $primary = create_node('sched_primary', streaming => 1);
my $last = fabricate_backup(
    $primary,
    database => 'postgres',
    type => 'daily',
    finished => "now() - interval '2 hours'");
my $history_end = $last->{id};
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('sched_standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "lokbackup.schedule = '* * * * *'\n");
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't',
    'the standby is in recovery');
is($standby->safe_psql('postgres', 'SHOW lokbackup.schedule'),
    '* * * * *', "its lokbackup.schedule is '* * * * *'");

# A negative check, so a bounded wait: longer than the worker's idle wake-up (10 s), after which
# a worker would have noticed the catalog and started the overdue run.
my $watch_until = $standby->safe_psql('postgres', "SELECT clock_timestamp() + interval '12 s'");
ok( poll_until(
        $standby,
        "SELECT count(*) > 0 OR clock_timestamp() > '$watch_until' FROM pg_stat_activity "
          . "WHERE backend_type = 'lokbackup worker'",
        't',
        60),
    'watched the standby for 12 s');
is( $standby->safe_psql(
        'postgres', "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'"
    ),
    '0',
    'no lokbackup worker runs on the standby');
is($standby->safe_psql('postgres', 'SELECT lokbackup_next_run() IS NULL'),
    't', 'lokbackup_next_run() is NULL on the standby: nothing is scheduled there');
is($standby->safe_psql('postgres', 'SELECT next_scheduled_run IS NULL FROM lokbackup_dashboard'),
    't', 'and the dashboard says so');
$primary->wait_for_catchup($standby);
is( $standby->safe_psql(
        'postgres', "SELECT count(*) FROM lokbackup_backups WHERE id > $history_end"),
    '0',
    'the standby catalog has no backup newer than the primary history');
is( $primary->safe_psql(
        'postgres', "SELECT count(*) FROM lokbackup_backups WHERE id > $history_end"),
    '0',
    'and neither has the primary, which has no schedule');

# --- promoted: the worker starts and takes the overdue run ---
$standby->promote;
ok( poll_until(
        $standby,
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'", '1'),
    'after promotion the worker starts');
ok( poll_until(
        $standby,
        "SELECT count(*) > 0 FROM lokbackup_backups WHERE id > $history_end "
          . "AND requested_by = 'lokbackup schedule'",
        't',
        60),
    'and takes the overdue scheduled run');
ok( poll_until(
        $standby,
        "SELECT count(*) FROM lokbackup_backups WHERE id > $history_end "
          . "AND status IN ('pending', 'in_progress')",
        '0'),
    'the run finishes');
# The first run after promotion: a minute boundary passing meanwhile may start another.
my $rows = backup_rows($standby,
    "run_id = (SELECT min(run_id) FROM lokbackup_backups WHERE id > $history_end)");
is( join(',', map { ($_->{database} // '(roles)') . " $_->{status}" } @$rows),
    '(roles) completed,postgres completed',
    'the promoted server backed up the roles and postgres');

# (Should a minute boundary pass meanwhile, '* * * * *' fires again: compare with the latest run.)
is( $standby->safe_psql(
        'postgres',
        "SELECT lokbackup_next_run() = "
          . "date_trunc('minute', max(requested_at)) + interval '1 minute' "
          . "FROM lokbackup_backups WHERE requested_by = 'lokbackup schedule'"),
    't',
    'then the next run is the next full minute');

$standby->stop;
$primary->stop;
done_testing();
