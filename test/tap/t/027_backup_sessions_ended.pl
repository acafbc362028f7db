# A backup the worker ends (lokbackup.backup_timeout, or the worker stopped) takes its server
# sessions along: pg_dump's session, which waits for a lock and holds an old snapshot, and the
# child's snapshot session are terminated, found by their application_name `lokbackup backup <id>`.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('sessions',
    settings => { 'lokbackup.databases' => 'app', 'lokbackup.backup_timeout' => '10s' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE held (id int); INSERT INTO held VALUES (1)');

sub sessions_of
{
    my ($id) = @_;
    return "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lokbackup backup $id'";
}

# --- timeout ---
{
    my ($lock, $app) = start_held_backup($node, 'app', 'held');
    is($node->safe_psql('postgres', sessions_of($app->{id})),
        '2', 'pg_dump and the snapshot session run as lokbackup backup <id>');
    ok(wait_for_status($node, $app->{id}, 'failed'), 'the held backup fails');
    like(backup_row($node, $app->{id})->{error}, qr/timed out/, 'because it timed out');
    ok(poll_until($node, sessions_of($app->{id}), '0'),
        'no server session of the timed-out backup is left');
    is( $node->safe_psql('postgres',
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'app' AND wait_event_type = 'Lock'"),
        '0',
        'nothing waits for the lock any more');
    release_lock($lock);
}

# --- the worker stopped ---
reload_settings($node, 'lokbackup.backup_timeout' => '30min');
{
    my ($lock, $app) = start_held_backup($node, 'app', 'held');
    my $worker = worker_pid($node);
    $node->safe_psql('postgres', "SELECT pg_terminate_backend($worker)");
    ok(wait_for_status($node, $app->{id}, 'failed'), 'the backup of a terminated worker fails');
    ok(poll_until($node, sessions_of($app->{id}), '0'),
        'no server session of the cancelled backup is left');
    release_lock($lock);
}

$node->stop;
done_testing();
