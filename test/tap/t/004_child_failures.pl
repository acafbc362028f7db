# A backup child that dies or runs too long fails its backup, leaves no partial object, and never
# takes the server down; the next backup works. Of the two children of a run that run at once
# (the roles dump's and a database's), one that dies leaves the other to complete.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('child_failures', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app',
    'CREATE TABLE held (id int); INSERT INTO held SELECT generate_series(1, 1000)');
my $postmaster_started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

sub server_survived
{
    my ($what) = @_;
    is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
        $postmaster_started, "$what: the server did not restart");
    ok(!$node->log_contains('terminating any other active server processes'),
        "$what: no crash restart in the server log");
    return;
}

# --- SIGKILL of the backup child ---
{
    my ($lock, $app) = start_held_backup($node, 'app', 'held');
    my $child = backup_child_pid($node);
    ok(defined $child, 'the backup child runs');
    my @below = descendant_pids($child);
    ok(scalar(@below) >= 1, 'the backup child runs pg_dump');

    kill 'KILL', $child;
    ok(wait_for_status($node, $app->{id}, 'failed'), 'the killed backup becomes failed');
    like(backup_row($node, $app->{id})->{error}, qr/signal 9|killed/i,
        'its error names the signal');
    ok(no_partial_files($node), 'no partial object is left in storage');
    ok(!-e storage_dir($node) . "/$app->{object_key}", 'no object is left under its key');
    ok(wait_for_exit(@below), "the child's pg_dump is gone too");
    server_survived('SIGKILL of the child');
    release_lock($lock);
}

# --- timeout ---
reload_settings($node, 'lokbackup.backup_timeout' => '10s');
{
    my ($lock, $app) = start_held_backup($node, 'app', 'held');
    my $child = backup_child_pid($node);
    ok(defined $child, 'the backup child runs');
    my @processes = ($child, descendant_pids($child));
    ok( wait_for_status($node, $app->{id}, 'failed'),
        'the held backup fails once the timeout passed');
    my $row = backup_row($node, $app->{id});
    like($row->{error}, qr/timed out/, 'its error says it timed out');
    ok(no_partial_files($node), 'no partial object is left in storage');
    ok(wait_for_exit(@processes), 'the backup child and its pg_dump are gone');
    server_survived('timeout');
    release_lock($lock);
}

# --- the next backup completes ---
reload_settings($node, 'lokbackup.backup_timeout' => '30min');
my $ids = run_backup($node);
is(join(',', map { $_->{status} } @{ run_backups($node, $ids) }),
    'completed,completed', 'the next run completes');
is(scalar(grep { -f storage_dir($node) . "/$_->{object_key}" } @{ run_backups($node, $ids) }),
    2, 'its objects are in storage');

# --- two children at once: the roles dump's is killed, the database's goes on and completes ---
{
    my $roles_lock = hold_roles_dump($node);
    my ($app_lock, $app, $ids) = start_held_backup($node, 'app', 'held');
    my $roles = backup_of($node, $ids, undef);
    ok( wait_until_dump_blocked($node, catalog_database($node)),
        'two children: pg_dumpall waits for its lock too');
    is(backup_row($node, $roles->{id})->{status}, 'in_progress', 'the roles backup is in progress');
    ok( poll_until(
            $node,
            "SELECT query FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'",
            'lokbackup: backing up the roles and app'),
        'pg_stat_activity shows the worker backing up both');
    my $roles_child = backup_child_pid($node, 'pg_dumpall');
    ok(defined $roles_child && defined backup_child_pid($node), 'both backup children run');
    kill 'KILL', $roles_child;
    ok(wait_for_status($node, $roles->{id}, 'failed'), 'the killed roles backup fails');
    like(
        backup_row($node, $roles->{id})->{error},
        qr/signal 9|killed/i,
        'its error names the signal');
    is(backup_row($node, $app->{id})->{status}, 'in_progress', 'the database backup goes on');
    ok( poll_until(
            $node,
            "SELECT query FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'",
            'lokbackup: backing up app'),
        'and pg_stat_activity shows it alone');
    release_lock($roles_lock);
    release_lock($app_lock);
    ok(wait_for_status($node, $app->{id}, 'completed'), 'and completes');
    ok(-f storage_dir($node) . "/$app->{object_key}", 'its object is in storage');
    ok(!-e storage_dir($node) . "/$roles->{object_key}", 'the failed roles backup left no object');
    server_survived('SIGKILL of one of two children');
}

$node->stop;
done_testing();
