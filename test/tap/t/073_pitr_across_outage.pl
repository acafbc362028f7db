# Point-in-time recovery across a storage outage: a cluster archives its WAL into S3 with
# archive_library = 'lokbackup' and has a base backup there; then S3 refuses every connection for
# a minute while pgbench writes and segments are switched. The failure shows while it lasts; once
# S3 is back every segment is archived, without a gap, and a recovery to a time after the outage
# (through the catalog) has exactly the rows committed up to that time, as does one to the end of
# the archive (from the bucket alone).
use strict;
use warnings FATAL => 'all';

use File::Path ();
use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

my $why = S3TestServer::available();
plan skip_all => "no S3 server: $why" if $why;

my $outage_seconds = 60;
my $s3 = S3TestServer->start('outage');
my $bucket = 'pitr-outage';
$s3->create_bucket($bucket);
my $node = create_node(
    'outage',
    streaming => 1,
    settings => {
        archive_mode => 'on',
        archive_library => 'lokbackup',
        $s3->settings($bucket, 'prod'),
        'lokbackup.s3_stall_timeout' => '5s',
        'lokbackup.wal_upload_timeout' => '30s' });

sub sql { return $node->safe_psql('postgres', $_[0]) }

sub now_utc
{
    return sql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
          . "'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
}

sub mark { sql("INSERT INTO marks VALUES ($_[0])") }

# The names of the WAL files archived in the bucket, as a set.
sub archived_files
{
    return { map { m{/([0-9A-F]{24})-[0-9a-f]{64}\.zst$} ? ($1 => 1) : () }
          @{ $s3->keys($bucket, 'prod/~wal/') } };
}

$node->command_ok([ 'pgbench', '-i', '-s', '1', '-q', 'postgres' ], 'pgbench tables');
sql('CREATE TABLE marks (id int PRIMARY KEY)');

my ($ret, $out, $err) = $node->psql('postgres',
    "SELECT lokbackup_run(kind => 'physical', wait => true)", timeout => 180);
is($ret, 0, 'a base backup into S3') or diag $err;
my $first = sql(
    "SELECT start_wal_file FROM lokbackup_backups WHERE contents = 'cluster' AND status = 'completed'");
like($first, qr/^[0-9A-F]{24}$/, 'the base backup is completed and names its first WAL file');
mark($_) for 1 .. 3;

# --- S3 down for a minute while pgbench writes ---
my $failed_before = sql('SELECT failed_count FROM pg_stat_archiver');
$s3->stop_proxy;
my $pgbench = IPC::Run::start(
    [ 'pgbench', '-n', '-h', $node->host, '-p', $node->port, '-c', '2', '-R', '100', '-T',
      $outage_seconds, 'postgres' ],
    '>', \my $pgbench_out, '2>', \my $pgbench_err);
my $next_mark = 4;
my @switched;
# A mark and a new segment for every 1000 transactions pgbench commits (about 10 s at -R 100),
# until it ends.
# (pump_nb dies once pgbench has gone: that is its end too.)
my $ended = sub { !$pgbench->pumpable || !eval { $pgbench->pump_nb; 1 } || !$pgbench->pumpable };
while (!$ended->())
{
    mark($next_mark++);
    push @switched, sql('SELECT pg_walfile_name(pg_switch_wal())');
    my $target = sql('SELECT count(*) FROM pgbench_history') + 1000;
    wait_until(sub { sql("SELECT count(*) >= $target FROM pgbench_history") eq 't' }, $ended);
}
ok($pgbench->finish, "pgbench wrote for $outage_seconds s") or diag $pgbench_err;
cmp_ok(scalar @switched, '>=', 5, 'segments were completed during the outage');
ok(poll_until($node, "SELECT failed_count > $failed_before FROM pg_stat_archiver", 't'),
    'S3 down: the archiver counts failures');
ok(poll_until($node, 'SELECT failing_since IS NOT NULL FROM lokbackup_wal_status', 't'),
    'S3 down: lokbackup_wal_status says since when archiving fails');
cmp_ok(sql('SELECT lag_segments FROM lokbackup_wal_status'), '>=', 2,
    'S3 down: the completed segments wait in pg_wal');
is(sql("SELECT coalesce(last_archived_wal < '$switched[0]', true) FROM pg_stat_archiver"), 't',
    'no segment of the outage counts as archived');

# --- S3 back: every segment archived; a point T after the outage ---
$s3->start_proxy;
mark($next_mark++);
my $t = now_utc();
my $marks_at_t = $next_mark - 1;
my $history_at_t = sql('SELECT count(*) FROM pgbench_history');
my $balance_at_t = sql('SELECT sum(abalance) FROM pgbench_accounts');
mark($next_mark++) for 1 .. 2;
my $last = sql('SELECT pg_walfile_name(pg_switch_wal())');
ok(poll_until($node, "SELECT last_archived_wal >= '$last' FROM pg_stat_archiver", 't', 300),
    "S3 back: archived up to $last");
ok(poll_until($node, 'SELECT failing_since IS NULL FROM lokbackup_wal_status', 't'),
    'and lokbackup_wal_status no longer shows a failure');
my $archived = archived_files();
my @missing = grep { !$archived->{$_} } segments_between($first, $last);
is_deeply(\@missing, [], "no gap: every segment from $first to $last is in the bucket");
cmp_ok($history_at_t, '>', 1000, 'pgbench committed transactions during the outage');

sub restored_cluster
{
    my ($name, @arguments) = @_;
    my $restored = PostgreSQL::Test::Cluster->new($name);
    File::Path::make_path($restored->basedir);
    my $result = run_lokbackup($node,
        [ 'restore-pitr', '--pgdata', $restored->data_dir, @arguments ],
        env => { $s3->client_env });
    is($result->{exit}, 0, "$name: restore-pitr succeeded") or diag $result->{stderr};
    $restored->append_conf('postgresql.conf',
        "port = " . $restored->port . "\narchive_mode = off\nshared_preload_libraries = ''\n");
    {
        # wal-fetch gets the keys from the file restore-pitr wrote, not from the environment.
        local $ENV{AWS_ACCESS_KEY_ID};
        local $ENV{AWS_SECRET_ACCESS_KEY};
        $restored->start;
    }
    ok(poll_until($restored, 'SELECT NOT pg_is_in_recovery()', 't', 300),
        "$name: recovery ended, promoted");
    return $restored;
}

# --- to T, through the catalog ---
{
    my $restored = restored_cluster('after_outage', '--target-time', $t);
    is($restored->safe_psql('postgres', 'SELECT count(*), min(id), max(id) FROM marks'),
        "$marks_at_t|1|$marks_at_t", 'to T: every mark up to T, those of the outage included');
    is($restored->safe_psql('postgres', 'SELECT count(*) FROM pgbench_history'),
        $history_at_t, "to T: pgbench's $history_at_t transactions");
    is($restored->safe_psql('postgres', 'SELECT sum(abalance) FROM pgbench_accounts'),
        $balance_at_t, 'to T: the balances as they were');
    $restored->stop;
}

# --- to the end of the archive, from the bucket alone ---
{
    my $restored = restored_cluster('latest_from_bucket', '--target', 'latest', '--from',
        "s3://$bucket/prod", '--s3-endpoint', $s3->endpoint, '--s3-path-style', '--s3-region',
        $S3TestServer::region);
    my $all = $next_mark - 1;
    is($restored->safe_psql('postgres', 'SELECT count(*), max(id) FROM marks'),
        "$all|$all", 'latest: every mark');
    $restored->stop;
}

unlike(slurp_file($node->logfile), qr/\Q${\ $s3->secret }\E/,
    'the S3 secret key is not in the server log');
$node->stop('fast');
done_testing();
