# Only one backup run at a time: of 20 sessions that call lokbackup_run() at once, exactly one gets
# its ids and the other 19 are told a backup is already pending or running; the run then finishes
# and nothing stays pending or in progress. Within the run, the roles dump runs alongside the
# database's backup: it completes while the database's is held.
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $sessions = 20;

my $node = create_node('one_run', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE held (id int); INSERT INTO held VALUES (1)');

# The first run to get through blocks on this lock, so every other caller meets it unfinished.
my $lock = hold_lock($node, 'app', 'held');

# Connects every session first and only then sends each its lokbackup_run(), so that the calls
# really overlap.
my @callers;
{
    local %ENV = node_env($node, PGAPPNAME => 'lokbackup_race');
    for my $i (1 .. $sessions)
    {
        my $caller = { stdin => '', stdout => '', stderr => '' };
        $caller->{harness} = IPC::Run::start(
            [ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres' ],
            '<',
            \$caller->{stdin},
            '>',
            \$caller->{stdout},
            '2>',
            \$caller->{stderr},
            IPC::Run::timeout($LokbackupTest::default_timeout));
        push @callers, $caller;
    }
}
ok( poll_until(
        $node, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lokbackup_race'",
        $sessions),
    "$sessions sessions are connected");
$_->{stdin} .= "SELECT lokbackup_run();\n\\q\n" for @callers;
$_->{harness}->pump_nb for @callers;
$_->{harness}->finish for @callers;

my @winners = grep { $_->{harness}->result(0) == 0 } @callers;
my @refused = grep { $_->{harness}->result(0) != 0 } @callers;
is(scalar(@winners), 1, 'exactly one call returns');
is(scalar(@refused), $sessions - 1, 'every other call fails');
is( scalar(grep { $_->{stderr} =~ /a backup is already (pending|running)/ } @refused),
    $sessions - 1,
    'each refusal says a backup is already pending or running'
) or diag(join("\n", map { $_->{stderr} } @refused));

my ($winner) = @winners;
my ($ids_text) = ($winner // { stdout => '' })->{stdout} =~ /^\{([\d,]+)\}$/m;
my @ids = split /,/, $ids_text // '';
is(scalar(@ids), 2, 'the winner gets the ids of the roles and app backups');
is( $node->safe_psql(
        'postgres', 'SELECT count(DISTINCT run_id) || \' \' || count(*) FROM lokbackup_backups'),
    '1 2',
    'the catalog holds one run of two backups');
ok(wait_until_dump_blocked($node, 'app'), 'the run is held by the lock');
ok(poll_until($node, "SELECT status FROM lokbackup_backups WHERE id = $ids[0]", 'completed'),
    'the roles backup completes meanwhile');
is( $node->safe_psql(
        'postgres',
        "SELECT d.status || ' ' || (r.finished_at > d.started_at)"
          . " FROM lokbackup_backups r, lokbackup_backups d WHERE r.id = $ids[0] AND d.id = $ids[1]"
    ),
    'in_progress true',
    'it ran alongside the database backup, which is still in progress');
is($node->safe_psql('postgres', 'SELECT backup_id || \' \' || database FROM lokbackup_running'),
    "$ids[1] app", 'the progress shown is the database backup\'s');

release_lock($lock);
ok( poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')", '0'),
    'after the lock is released nothing is pending or in progress');
is( $node->safe_psql(
        'postgres', "SELECT string_agg(status, ',' ORDER BY id) FROM lokbackup_backups"),
    'completed,completed',
    'both backups of the run completed');

# The slot is free again: a new run is accepted.
my $next = run_backup($node);
is(scalar(@$next), 2, 'a new run is accepted once the first one finished');

$node->stop;
done_testing();
