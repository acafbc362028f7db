# A backup that a crash interrupted is recorded as finished when the worker last saw it running
# (the catalog's alive_at, refreshed every 10 s while it runs), not when the restarted server found
# it: its duration leaves out the time the server was down, and its error says both times.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $node = create_node('interrupted_times', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE held (id int); INSERT INTO held VALUES (1)');

my ($lock, $app) = start_held_backup($node, 'app', 'held');
ok( poll_until(
        $node,
        "SELECT alive_at >= started_at + interval '10 s' FROM lokbackup_backups "
          . "WHERE id = $app->{id}",
        't'),
    'the worker records that the running backup is alive, again and again');

my $child = backup_child_pid($node);
my @processes = ($child, descendant_pids($child));
my $stopped_at = $node->safe_psql('postgres', 'SELECT now()');
$node->stop('immediate');
eval { $lock->quit };
ok(wait_for_exit(@processes), 'the crash ended the backup child and its pg_dump');

# The server stays down for a while: time that is no part of the backup.
my $down_until = Time::HiRes::time() + 5;
Time::HiRes::sleep(0.1) while Time::HiRes::time() < $down_until;
$node->start;

ok( poll_until(
        $node, "SELECT status FROM lokbackup_backups WHERE id = $app->{id}", 'failed'),
    'after the restart the interrupted backup is failed');
my $times = $node->safe_psql(
    'postgres',
    "SELECT finished_at <= '$stopped_at', finished_at >= '$stopped_at'::timestamptz - "
      . "interval '15 s', finished_at >= started_at, duration < now() - started_at - "
      . "interval '4 s' FROM lokbackup_backups WHERE id = $app->{id}");
is( $times,
    't|t|t|t',
    'its finish time is when it was last seen running (at most one heartbeat before the crash), '
      . 'and its duration leaves out the downtime');
like(
    backup_row($node, $app->{id})->{error},
    qr/^interrupted by server restart; last seen running at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, found interrupted at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    'its error says when it was last seen running and when the interruption was found');

my $ids = run_backup($node);
is(backup_of($node, $ids, 'app')->{status}, 'completed', 'the next backup completes');

$node->stop;
done_testing();
