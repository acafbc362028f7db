# A run uses the settings in force when it was requested, even when the reload reached the worker
# while it looked after the storage. Here the worker retries a queued removal against a stalled S3
# endpoint; meanwhile the compression is changed, the configuration reloaded and a run requested.
# Once the endpoint answers, the run takes the new compression (before, it took the old one: the
# worker applied the reload only after it had taken the run, and a storage it had listed already
# lets a run start its backups at once).
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

my $why = S3TestServer::available();
plan skip_all => "no S3 server: $why" if $why;

my $s3 = S3TestServer->start('upkeep');
my $bucket = 'lokbackup-upkeep';
$s3->create_bucket($bucket);
my $node = create_node(
    'upkeep',
    settings => {
        $s3->settings($bucket, 'prod'),
        'lokbackup.databases' => 'postgres',
        'lokbackup.compression' => 'zstd' });
my $first = run_backup($node);

# Whether a connection to the S3 endpoint's port is established (the kernel completes it while the
# endpoint's process is stopped; the request then waits for an answer).
sub connected_to_endpoint
{
    my $port = sprintf('%04X', $s3->port);
    open my $tcp, '<', '/proc/net/tcp' or die "cannot read /proc/net/tcp: $!";
    while (my $line = <$tcp>)
    {
        my (undef, undef, $remote, $state) = split ' ', $line;
        return 1 if $remote =~ /:$port$/ && $state eq '01';
    }
    return 0;
}

# A removal that fails while S3 is down waits for the worker; the endpoint comes back stopped
# (SIGSTOP), so the worker's retry hangs. The endpoint comes back only after the worker's second
# failed try: its next one is 20 s away, time enough to start the endpoint and stop it before.
$s3->stop_proxy;
$node->psql('postgres', "SELECT lokbackup_delete($first->[0])");
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_removals'),
    '1', 'a removal waits for the worker');
ok(poll_until($node, 'SELECT attempts >= 2 FROM lokbackup_removals', 't'),
    'the worker tried it twice while S3 was down');
$s3->start_proxy;
my $endpoint = $s3->{pids}{proxy};
kill 'STOP', $endpoint;
ok(wait_until(\&connected_to_endpoint), "the worker's retry waits for the stalled endpoint");

reload_settings($node, 'lokbackup.compression' => 'gzip');
# lokbackup_run() waits for the worker to take the request: it is sent from a session of its own.
my $request = IPC::Run::start(
    [ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
      'SELECT lokbackup_run(wait => true)' ],
    '>', \my $run_out, '2>', \my $run_err);
ok( poll_until(
        $node,
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT lokbackup_run%' "
          . "AND wait_event_type = 'Extension'",
        '1'),
    'a run is requested while the worker waits');
kill 'CONT', $endpoint;
ok($request->finish, 'the run completes once the endpoint answers') or diag $run_err;
my $ids = LokbackupTest::parse_ids($run_out);
is( $node->safe_psql(
        'postgres',
        'SELECT string_agg(DISTINCT compression, \',\') FROM lokbackup_backups WHERE id IN ('
          . join(',', @$ids) . ')'),
    'gzip',
    'the run took the compression reloaded while the worker waited on the storage');

$node->stop;
done_testing();
