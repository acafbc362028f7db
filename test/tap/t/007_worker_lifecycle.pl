# The worker follows its configuration on reload, limits a run to lokbackup.databases, and stops
# promptly with the server even in the middle of a backup, taking the backup child and pg_dump
# with it.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $node = create_node('lifecycle');
for my $database (qw(app other))
{
    $node->safe_psql('postgres', "CREATE DATABASE $database");
    $node->safe_psql($database, 'CREATE TABLE held (id int); INSERT INTO held VALUES (1)');
}

# --- every connectable database by default ---
my $all = run_backups($node, run_backup($node));
is(join(',', map { $_->{database} // '(roles)' } @$all),
    '(roles),app,other,postgres',
    'by default a run backs up the roles and every connectable database, templates excluded');
is( join(',', map { $_->{status} } @$all),
    'completed,completed,completed,completed',
    'every backup of that run completed');
like($_->{object_key}, qr/\.sql\.zst$/, "backup $_->{id}: zstd by default") for @$all;

# --- lokbackup.databases limits the run ---
reload_settings($node, 'lokbackup.databases' => 'app');
my $limited = run_backups($node, run_backup($node));
is(join(',', map { $_->{database} // '(roles)' } @$limited),
    '(roles),app', "lokbackup.databases = 'app' limits a run to the roles and app");
is(join(',', map { $_->{status} } @$limited),
    'completed,completed', 'both backups of that run completed');

# --- SIGHUP changes the compression of the next backup ---
reload_settings($node, 'lokbackup.compression' => 'gzip');
my $gzip = run_backups($node, run_backup($node));
is( join(',', map { "$_->{status} $_->{compression}" } @$gzip),
    'completed gzip,completed gzip',
    'after a reload with compression gzip the next run completes, gzip-compressed');
is(scalar(grep { $_->{object_key} =~ /\.sql\.gz$/ } @$gzip), 2, 'its objects end in .sql.gz');
is(scalar(grep { -f object_path($node, $_->{object_key}) } @$gzip),
    scalar(@$gzip), 'the gzip objects are in storage');

# --- the server stops promptly in the middle of a backup ---
my ($lock, $held) = start_held_backup($node, 'app', 'held');
my $worker = worker_pid($node);
my $child = backup_child_pid($node);
ok(defined $child, 'the backup child runs');
my @dumps = descendant_pids($child);
ok(scalar(@dumps) >= 1, 'the backup child runs pg_dump');

my $started = Time::HiRes::time();
$node->stop('fast');
my $took = Time::HiRes::time() - $started;
eval { $lock->quit };
cmp_ok($took, '<', 10, sprintf('the server stops promptly (%.1f s)', $took));
ok(!pid_alive($worker), 'the worker is gone');
ok(!pid_alive($child), 'the backup child is gone once the server has stopped');
ok(wait_for_exit(@dumps), 'its pg_dump is gone too');

$node->start;
my $app = backup_row($node, $held->{id});
is($app->{status}, 'failed', 'the stopped backup is failed');
like($app->{error} // '', stop_failure_pattern('fast'), 'its error says the worker was stopped');

# pg_terminate_backend() of the worker, while it runs two backup children (the roles dump's and
# the database's), fails both backups and ends both children; the postmaster starts it again.
my $roles_lock = hold_roles_dump($node);
($lock, $held, my $ids) = start_held_backup($node, 'app', 'held');
my $roles_held = backup_of($node, $ids, undef);
ok(wait_until_dump_blocked($node, catalog_database($node)), 'the roles dump is held too');
my @both = grep { defined } map { backup_child_pid($node, $_) } qw(pg_dump pg_dumpall);
is(scalar(@both), 2, 'two backup children run');
my @both_processes = map { ($_, descendant_pids($_)) } @both;
my $terminated = worker_pid($node);
$node->safe_psql('postgres', "SELECT pg_terminate_backend($terminated)");

for my $backup ($held, $roles_held)
{
    ok( wait_for_status($node, $backup->{id}, 'failed'),
        "backup $backup->{id} of the terminated worker is failed");
    like(
        backup_row($node, $backup->{id})->{error} // '',
        qr/the lokbackup worker was stopped/,
        'its error says the worker was stopped');
}
ok(wait_for_exit(@both_processes), 'both backup children and their dumps are gone');
release_lock($roles_lock);
ok( poll_until(
        $node,
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'lokbackup worker' "
          . "AND pid <> $terminated",
        '1'),
    'a new worker starts');
release_lock($lock);
my $after = run_backups($node, run_backup($node));
is_deeply(
    [ sort map { $_->{status} } @$after ],
    [ map { 'completed' } @$after ],
    'the new worker completes the next run');

$node->stop;
done_testing();
