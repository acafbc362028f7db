# A backup interrupted by a server stop, fast or immediate, is failed with the reason and leaves no
# partial object; nothing stays pending or in progress, and the next backup works.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('restart', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE held (id int); INSERT INTO held VALUES (1)');

# After the server came back: the interrupted backup failed for `reason`, nothing is left
# unfinished or partial, and a new run completes.
sub recovered
{
    my ($what, $app, $reason) = @_;
    ok( poll_until(
            $node,
            "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')",
            '0'),
        "$what: no backup is pending or in progress");
    my $row = backup_row($node, $app->{id});
    is($row->{status}, 'failed', "$what: the interrupted backup is failed");
    like($row->{error} // '', $reason, "$what: its error says why");
    ok(defined $row->{finished_at}, "$what: it has a finish time");
    ok(no_partial_files($node), "$what: no partial object is left in storage");
    ok(!-e storage_dir($node) . "/$app->{object_key}", "$what: no object is left under its key");

    my $ids = run_backup($node);
    is(join(',', map { $_->{status} } @{ run_backups($node, $ids) }),
        'completed,completed', "$what: the next run completes");
    return;
}

# --- fast shutdown (restart) ---
{
    my ($lock, $app) = start_held_backup($node, 'app', 'held');
    $node->restart;    # fast: the lock session is terminated with the rest
    eval { $lock->quit };
    recovered('fast restart', $app, stop_failure_pattern('fast'));
}

# --- immediate shutdown: the worker is killed, the next one fails the backup at start ---
{
    my ($lock, $app) = start_held_backup($node, 'app', 'held');
    my $child = backup_child_pid($node);
    my @processes = ($child, descendant_pids($child));
    $node->stop('immediate');
    eval { $lock->quit };
    ok(wait_for_exit(@processes), 'immediate stop: the backup child and its pg_dump are gone');
    $node->start;
    recovered('immediate stop', $app, stop_failure_pattern('immediate'));
}

$node->stop;
done_testing();
