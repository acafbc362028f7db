# A run uses the settings in force when it starts: a reload that reached the worker while it was
# busy (here: blocked on a lock while it recorded the end of the previous run) is applied before
# the next run is taken, not after it. The next run is the schedule's, which the worker takes the
# moment the previous one ends.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('reload_before_run', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE held (id int); INSERT INTO held VALUES (1)');

# The first scheduled run blocks on this lock.
my $app_lock = hold_lock($node, 'app', 'held');
reload_settings($node, 'lokbackup.schedule' => '* * * * *');
ok(poll_until($node, "SELECT count(*) FROM lokbackup_backups WHERE database = 'app'", '1', 90),
    'the schedule fires a run');
my $first = backup_rows($node, 'true');
my ($roles, $app) = @$first;
ok(wait_until_dump_blocked($node, 'app'), 'its backup of app waits for the lock');
ok(wait_for_status($node, $roles->{id}, 'completed'), 'its roles backup completed');

# The worker records the end of the backup of app in lokbackup_backups: a SHARE lock on the table
# keeps it waiting there, busy, after the backup itself has ended.
my $catalog_lock = hold_lock($node, 'postgres', 'lokbackup_backups', 'SHARE');
release_lock($app_lock);
ok( poll_until(
        $node,
        "SELECT wait_event_type FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'",
        'Lock'),
    'the worker waits for the catalog lock to record the backup of app');

reload_settings($node, 'lokbackup.compression' => 'gzip');
ok( poll_until($node, 'SELECT now() > lokbackup_next_run()', 't', 90),
    'the next scheduled run is due while the worker is busy');
release_lock($catalog_lock);

ok(wait_for_status($node, $app->{id}, 'completed'), 'the first run completes');
ok( poll_until(
        $node, "SELECT count(*) FROM lokbackup_backups WHERE id > $app->{id} AND database = 'app'",
        '1'),
    'the next scheduled run starts');
reload_settings($node, 'lokbackup.schedule' => '');
ok( poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')", '0'),
    'it finishes');
is( $node->safe_psql(
        'postgres',
        "SELECT string_agg(DISTINCT compression, ',') FROM lokbackup_backups WHERE id > $app->{id}"),
    'gzip',
    'its backups use the compression reloaded while the worker was busy');
is($node->safe_psql('postgres', "SELECT compression FROM lokbackup_backups WHERE id = $app->{id}"),
    'zstd', 'the backups of the first run kept theirs');

$node->stop;
done_testing();
