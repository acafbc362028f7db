# WAL archiving with archive_library = 'lokbackup', on local storage and on S3: every segment the
# server writes is stored under ~wal/<timeline>/ and decompresses to exactly the bytes of pg_wal;
# one child archives them all; the same file again is fine, another content under its name is
# refused and nothing is overwritten; storage that fails makes pg_stat_archiver and
# lokbackup_wal_status show it and the webhook hear of it, and once it is back every segment is
# archived, without gaps; a stalled store does not hold up a fast shutdown; no secret reaches the
# server log.
use strict;
use warnings FATAL => 'all';

use Digest::SHA ();
use File::Find ();
use IPC::Run ();
use JSON::PP ();
use LokbackupTest;
use NotificationSinks qw(start_webhook_sink log_offset wait_for_log_line);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;
use Time::HiRes ();

my $hook = start_webhook_sink();
my %archiving = (
    wal_level => 'replica',
    archive_mode => 'on',
    archive_library => 'lokbackup',
    # Every archived segment stays in pg_wal to be compared with what was stored.
    wal_keep_size => '2GB',
    'lokbackup.wal_failure_notify_after' => '2s',
    'lokbackup.notify_webhook' => 'http://127.0.0.1:' . $hook->port . '/wal');

sub sql
{
    my ($node, $query) = @_;
    return $node->safe_psql('postgres', $query);
}

sub pgbench
{
    my ($node, @arguments) = @_;
    $node->command_ok([ 'pgbench', '-n', @arguments, 'postgres' ], "pgbench @arguments");
    return;
}

# Writes some WAL, ends the segment, and returns its name.
sub write_and_switch
{
    my ($node) = @_;
    pgbench($node, '-t', '200');
    # The segment the switch completed.
    return sql($node, 'SELECT pg_walfile_name(pg_switch_wal())');
}

sub wait_archived
{
    my ($node, $name, $timeout) = @_;
    return poll_until($node,
        "SELECT last_archived_wal >= '$name' FROM pg_stat_archiver", 't', $timeout);
}

sub wal_status
{
    my ($node) = @_;
    return LokbackupTest::decode_rows(
        sql($node, 'SELECT row_to_json(s) FROM lokbackup_wal_status s'))->[0];
}

sub sha256_of { return Digest::SHA::sha256_hex($_[0]) }

sub zstd_decompress
{
    my ($bytes) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'zstd', '-dc' ], '<', \$bytes, '>', \$out, '2>', \$err)
      or die "zstd -dc failed: $err";
    return $out;
}

# The archiver's WAL archive child(ren): `lokbackup wal-archive-child` below the archiver.
sub archive_children
{
    my ($node) = @_;
    my $archiver =
      sql($node, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'archiver'");
    return $archiver eq '' ? () : LokbackupTest::children_of($archiver, 'lokbackup wal-archive-child');
}

# Checks every segment archived so far against pg_wal: `stored->(name)` returns the keys stored
# for it (name => bytes). Returns the names checked.
sub check_archived_segments
{
    my ($node, $what, $stored) = @_;
    my $datadir = $node->data_dir;
    opendir my $dh, "$datadir/pg_wal/archive_status" or die "cannot read archive_status: $!";
    my @done = sort map { /^([0-9A-F]{24})\.done$/ ? $1 : () } readdir $dh;
    closedir $dh;
    my @bad;
    for my $name (@done)
    {
        my $raw = slurp_bytes("$datadir/pg_wal/$name");
        my $objects = $stored->($name);
        my @keys = keys %$objects;
        my $expected = "~wal/" . substr($name, 0, 8) . "/$name-" . sha256_of($raw) . '.zst';
        if (@keys != 1 || $keys[0] ne $expected)
        {
            push @bad, "$name: stored as (@keys), expected $expected";
            next;
        }
        push @bad, "$name: the object does not decompress to the segment"
          unless zstd_decompress($objects->{ $keys[0] }) eq $raw;
    }
    ok(@done >= 3, "$what: several segments were archived (" . scalar(@done) . ')');
    is_deeply(\@bad, [], "$what: each is stored once under ~wal/<timeline>/<name>-<sha256>.zst "
          . 'and decompresses to the bytes of pg_wal');
    return @done;
}

# Feeds requests to `lokbackup wal-archive-child` as the archiver does; returns its answers.
sub child_answers
{
    my ($node, $settings, @requests) = @_;
    my $stdin = join("\n", JSON::PP::encode_json($settings),
        map { JSON::PP::encode_json($_) } @requests) . "\n";
    my $result = run_lokbackup($node, ['wal-archive-child'], stdin => $stdin);
    return [ map { JSON::PP::decode_json($_) } split /\n/, $result->{stdout} ];
}

# ---------------------------------------------------------------- local storage
my $node = create_node('wal_local', settings => {%archiving});
my $storage = storage_dir($node);
sub local_objects
{
    my ($name) = @_;
    my %found;
    my $dir = "$storage/~wal/" . substr($name, 0, 8);
    return {} unless -d $dir;
    opendir my $dh, $dir or die "cannot read $dir: $!";
    for my $file (readdir $dh)
    {
        $found{"~wal/" . substr($name, 0, 8) . "/$file"} = slurp_bytes("$dir/$file")
          if index($file, "$name-") == 0;
    }
    closedir $dh;
    return \%found;
}

pgbench($node, '-i', '-s', '2');
# initdb's segment is the first.
my $first = '000000010000000000000001';
my $last;
$last = write_and_switch($node) for 1 .. 4;
ok(wait_archived($node, $last), "local: segments up to $last are archived");
my @children = archive_children($node);
is(scalar @children, 1, 'one WAL archive child runs');
my $status = wal_status($node);
ok($status->{archive_library_in_use}, 'lokbackup_wal_status: the archive library is in use');
is($status->{last_archived_wal}, $last, 'lokbackup_wal_status: the last archived file');
ok(defined $status->{seconds_since_last_archived}
      && $status->{seconds_since_last_archived} < 120,
    'lokbackup_wal_status: seconds since the last archived file');
is($status->{lag_segments}, 0, 'lokbackup_wal_status: no complete segment waits');
ok($status->{archived_count} >= 4, 'lokbackup_wal_status: files archived since the start');
is($status->{child_pid}, $children[0], 'lokbackup_wal_status: the child\'s pid');
ok(!defined $status->{archive_bytes}, 'archive_bytes is NULL until the worker measured it');
$last = write_and_switch($node) for 1 .. 3;
ok(wait_archived($node, $last), 'more segments are archived');
is_deeply([ archive_children($node) ], \@children, 'by the same child: none per segment');
my @done = check_archived_segments($node, 'local', \&local_objects);

# --- the same file again; another content under its name ---
my %local_settings = (
    storage => $storage,
    compression => 'zstd',
    compression_level => 0,
    (map { ("s3_$_" => '') } qw(endpoint region access_key_id secret_access_key session_token)),
    s3_path_style => JSON::PP::false,
    (map { ("s3_$_" => 1) } qw(part_size max_attempts retry_deadline_seconds stall_timeout_seconds)));
my $segment = $done[-1];
my $segment_path = $node->data_dir . "/pg_wal/$segment";
my $before = local_objects($segment);
my $impostor = $node->basedir . "/impostor";
my $bytes = slurp_bytes($segment_path);
substr($bytes, 100, 1) = chr(ord(substr($bytes, 100, 1)) ^ 0xff);
write_bytes($impostor, $bytes);
my $answers = child_answers($node, \%local_settings,
    { path => $segment_path, name => $segment },
    { path => $impostor, name => $segment },
    { path => $impostor, name => '../../etc/passwd' });
is($answers->[0]{result}, 'already stored', 'the same file again: already stored, nothing written');
is($answers->[1]{result}, 'failed', 'another content under the same name is refused');
like($answers->[1]{error},
    qr/a different WAL file named $segment is already archived .*nothing was overwritten/,
    'and the error says so');
like($answers->[2]{error}, qr/allowed are a segment/, 'a name that is no WAL file is refused');
is_deeply(local_objects($segment), $before, 'the stored object is unchanged');

# --- storage that fails, then comes back ---
my $wal_dir = "$storage/~wal/00000001";
chmod 0500, $wal_dir or die "chmod: $!";
chmod 0500, $storage or die "chmod: $!";
my $offset = log_offset($node);
my $failed_before = sql($node, 'SELECT failed_count FROM pg_stat_archiver');
my $during = write_and_switch($node);
ok(poll_until($node, "SELECT failed_count > $failed_before FROM pg_stat_archiver", 't'),
    'storage unwritable: pg_stat_archiver.failed_count grows');
ok(poll_until($node, 'SELECT failing_since IS NOT NULL FROM lokbackup_wal_status', 't'),
    'lokbackup_wal_status shows since when archiving fails');
$status = wal_status($node);
is($status->{last_failed_wal}, $during, 'and the file that failed');
like($status->{last_error} // '', qr/Permission denied/, 'and why');
ok(wait_for_log_line($node, qr/WARNING:.*lokbackup could not archive WAL file "$during"/, $offset),
    'the server log says which file could not be archived');
my $posts = $hook->wait_for(1);
my ($notice) = grep { ($_->{json}{contents} // '') eq 'wal' } @$posts;
ok($notice, 'the webhook hears that WAL archiving keeps failing');
is($notice->{json}{wal_file}, $during, 'the notice names the file') if $notice;
like($notice->{json}{error} // '', qr/Permission denied/, 'and the error') if $notice;
ok(wait_for_log_line($node, qr/WARNING:.*WAL archiving has been failing since/, $offset),
    'the worker warns once the failure lasts');
$last = write_and_switch($node);
ok($hook->stays_at(scalar @$posts, 3), 'one notice per failure episode');
chmod 0700, $storage;
chmod 0700, $wal_dir;
ok(wait_archived($node, $last), 'storage back: the segments written meanwhile are archived');
ok(poll_until($node, 'SELECT failing_since IS NULL FROM lokbackup_wal_status', 't'),
    'and lokbackup_wal_status no longer shows a failure');
my @missing = grep { !%{ local_objects($_) } } segments_between($first, $last);
is_deeply(\@missing, [], "no gap: every segment from $first to $last is stored");
check_archived_segments($node, 'local, after the outage', \&local_objects);
$node->stop('fast');

# ---------------------------------------------------------------- S3
SKIP:
{
    my $why = S3TestServer::available();
    skip "no S3 server: $why", 12 if $why;
    my $s3 = S3TestServer->start('wal');
    my $bucket = 'lokbackup-wal';
    $s3->create_bucket($bucket);
    my $s3_node = create_node(
        'wal_s3',
        settings => {
            %archiving, $s3->settings($bucket, 'cluster1'),
            'lokbackup.s3_stall_timeout' => '5s',
            'lokbackup.wal_upload_timeout' => '30s' });
    my $s3_objects = sub {
        my ($name) = @_;
        my $prefix = 'cluster1/~wal/' . substr($name, 0, 8) . "/$name-";
        return { map { substr($_, length 'cluster1/') => $s3->object_bytes($bucket, $_) }
              @{ $s3->keys($bucket, $prefix) } };
    };
    pgbench($s3_node, '-i', '-s', '1');
    my $s3_first = $first;
    my $s3_last;
    $s3_last = write_and_switch($s3_node) for 1 .. 3;
    ok(wait_archived($s3_node, $s3_last), "S3: segments up to $s3_last are archived");
    check_archived_segments($s3_node, 'S3', $s3_objects);

    # Storage down: the proxy killed, connections refused.
    $s3->stop_proxy;
    my $s3_failed = sql($s3_node, 'SELECT failed_count FROM pg_stat_archiver');
    $s3_last = write_and_switch($s3_node) for 1 .. 2;
    ok(poll_until($s3_node, "SELECT failed_count > $s3_failed FROM pg_stat_archiver", 't'),
        'S3 down: archiving fails');
    ok(poll_until($s3_node, 'SELECT failing_since IS NOT NULL FROM lokbackup_wal_status', 't'),
        'S3 down: lokbackup_wal_status shows it');
    $s3->start_proxy;
    ok(wait_archived($s3_node, $s3_last), 'S3 back: every segment is archived');
    @missing = grep { !%{ $s3_objects->($_) } } segments_between($s3_first, $s3_last);
    is_deeply(\@missing, [], "S3: no gap from $s3_first to $s3_last");

    # A stalled store: the proxy stopped (SIGSTOP) accepts connections and answers nothing.
    my $proxy = $s3->{pids}{proxy};
    kill 'STOP', $proxy;
    my $stall_offset = log_offset($s3_node);
    write_and_switch($s3_node);
    ok(poll_until($s3_node,
            "SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'archiver' "
              . "AND wait_event_type = 'Extension'", 't', 60),
        'stalled S3: the archiver waits for the child');
    my $started = Time::HiRes::time();
    $s3_node->stop('fast');
    my $took = Time::HiRes::time() - $started;
    ok($took < 30, sprintf('a fast stop finishes while S3 stalls (%.1f s)', $took));
    kill 'CONT', $proxy;

    my $log = slurp_file($s3_node->logfile);
    unlike($log, qr/\Q${\ $s3->secret }\E/, 'the S3 secret key is not in the server log');
    $s3_node->start;
    my $after = write_and_switch($s3_node);
    ok(wait_archived($s3_node, $after), 'after the restart, archiving goes on');
    @missing = grep { !%{ $s3_objects->($_) } } segments_between($s3_first, $after);
    is_deeply(\@missing, [], "S3: still no gap from $s3_first to $after");
    $s3_node->stop('fast');
}

my $local_log = slurp_file($node->logfile);
unlike($local_log, qr/secret_access_key/, 'no S3 option is logged');

done_testing();
