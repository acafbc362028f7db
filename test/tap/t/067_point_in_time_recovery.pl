# Point-in-time recovery: lokbackup restore-pitr unpacks a base backup into a new data directory
# and sets it up to recover from the WAL archive through lokbackup wal-fetch, to a time, an LSN or
# the end of the archive; a damaged WAL object stops recovery rather than end it early.
#
# The WAL is archived by archive_library = 'lokbackup'. Most of the file reads a base backup
# --from storage, made here as lokbackup stores one (the output of a real pg_basebackup -Ft -X
# none, compressed with zstd, a manifest with wal_range beside it), so that its object can be
# damaged and put back; the last part takes one with lokbackup_run(kind => 'physical') and
# restores through the catalog, as the README tells a DBA.
use strict;
use warnings FATAL => 'all';

use Digest::SHA ();
use File::Path ();
use File::Spec;
use IPC::Run ();
use JSON::PP ();
use LokbackupTest;
use S3TestServer;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $work = File::Spec->rel2abs(PostgreSQL::Test::Utils::tempdir);
# A storage path that the settings must quote for the configuration file, for PostgreSQL's %
# substitution and for the shell.
my $archive = "$work/archive it's 100%f \$(touch pwned)";
mkdir $archive, 0700 or die "mkdir $archive: $!";

# WAL archived by lokbackup's archive module into that storage.
my $node = create_node(
    'pitr',
    streaming => 1,
    settings => {
        archive_mode => 'on',
        archive_library => 'lokbackup',
        'lokbackup.storage' => $archive });
$node->safe_psql('postgres', 'CREATE TABLE events (id int PRIMARY KEY)');

sub insert_rows
{
    my ($from, $to) = @_;
    $node->safe_psql('postgres', "INSERT INTO events SELECT generate_series($from, $to)");
}

sub now_utc
{
    return $node->safe_psql('postgres',
        "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
}

# Switches to a new segment and waits until the archiver has stored the one it ended.
sub archive_current_segment
{
    my $ended = $node->safe_psql('postgres', 'SELECT pg_walfile_name(pg_switch_wal())');
    ok(poll_until($node, "SELECT last_archived_wal >= '$ended' FROM pg_stat_archiver", 't'),
        "segment $ended archived");
}

# --- a base backup, as pg_basebackup streams it, with a manifest beside it ---
insert_rows(1, 5);
my $before_base_backup = now_utc();
my $tar = "$work/base.tar";
IPC::Run::run([ 'pg_basebackup', '-h', $node->host, '-p', $node->port, '-D', '-', '-Ft',
        '-X', 'none', '-c', 'fast' ], '>', $tar)
  or die "pg_basebackup failed";
my $finished_at = POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime);
my $pg_manifest = '';
IPC::Run::run([ 'tar', '-xOf', $tar, 'backup_manifest' ], '>', \$pg_manifest)
  or die "no backup_manifest in the tar";
my $range = JSON::PP::decode_json($pg_manifest)->{'WAL-Ranges'}[0];
my $start_lsn = $range->{'Start-LSN'};
my $start_wal_file = $node->safe_psql('postgres', "SELECT pg_walfile_name('$start_lsn')");

my $object_key = '~cluster/' . POSIX::strftime('%Y/%m', gmtime)
  . '/cluster-manual-' . POSIX::strftime('%Y%m%dT%H%M%SZ', gmtime) . '-1.tar.zst';
File::Path::make_path($archive . '/~cluster/' . POSIX::strftime('%Y/%m', gmtime));
IPC::Run::run([ 'zstd', '-q', '-c', $tar ], '>', "$archive/$object_key") or die "zstd failed";
my $stored = LokbackupTest::slurp_bytes("$archive/$object_key");
my $manifest = {
    format_version => 1,
    contents => 'cluster',
    id => 1,
    database => '',
    type => 'manual',
    object_key => $object_key,
    format => 'tar',
    compression => 'zstd',
    compression_level => 0,
    started_at => $finished_at,
    server_version => $node->safe_psql('postgres', 'SHOW server_version'),
    finished_at => $finished_at,
    sha256 => Digest::SHA::sha256_hex($stored),
    size => length($stored),
    raw_size => -s $tar,
    wal_range => {
        timeline => $range->{Timeline},
        start_lsn => $start_lsn,
        stop_lsn => $range->{'End-LSN'},
        start_wal_file => $start_wal_file } };
LokbackupTest::write_bytes("$archive/$object_key.manifest.json",
    JSON::PP->new->canonical->pretty->encode($manifest));

# Recovery cannot stop before the backup's end, which its manifest records to the second.
ok(poll_until($node,
        "SELECT clock_timestamp() > '$finished_at'::timestamptz + interval '1.1 seconds'", 't'),
    'a point after the base backup');

# --- rows after the base backup; a point in time T; more rows; an LSN L; more rows ---
insert_rows(6, 10);
my $t = now_utc();
insert_rows(11, 12);
my $damaged_segment = $node->safe_psql('postgres', 'SELECT pg_walfile_name(pg_current_wal_lsn())');
insert_rows(13, 15);
my $lsn = $node->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
insert_rows(16, 20);
archive_current_segment();

sub restore_pitr
{
    my ($pgdata, @arguments) = @_;
    return run_lokbackup($node, [ 'restore-pitr', '--pgdata', $pgdata, @arguments ]);
}

# A server on the restored directory, on a port of its own, that neither archives nor loads
# lokbackup (unless `archiving`: then it archives into the same storage, as the old server did):
# its WAL must not mix with the archive the tests read.
sub start_restored
{
    my ($name, %options) = @_;
    my $restored = PostgreSQL::Test::Cluster->new($name);
    File::Path::make_path($restored->basedir);
    my $result = restore_pitr($restored->data_dir, '--from', $archive, @{ $options{arguments} });
    is($result->{exit}, 0, "$name: restore-pitr succeeded") or diag $result->{stderr};
    $restored->append_conf('postgresql.conf',
        "port = " . $restored->port . "\n"
          . ($options{archiving} ? '' : "archive_mode = off\nshared_preload_libraries = ''\n"));
    # Looked at before the start: a short recovery ends, and removes recovery.signal, at once.
    $result->{recovery_signal_size} = -s $restored->data_dir . '/recovery.signal';
    $restored->start(fail_ok => $options{may_fail} // 0);
    return ($restored, $result);
}

sub rows_after_recovery
{
    my ($restored) = @_;
    ok(!-e $restored->data_dir . '/pwned', $restored->name . ': the hostile storage path ran nothing');
    ok(poll_until($restored, 'SELECT NOT pg_is_in_recovery()', 't'),
        $restored->name . ': recovery ended, promoted');
    return $restored->safe_psql('postgres', 'SELECT count(*), min(id), max(id) FROM events');
}

# --- refusals change nothing ---
{
    my $full = "$work/not-empty";
    mkdir $full or die;
    LokbackupTest::write_bytes("$full/keep", 'mine');
    my $result = restore_pitr($full, '--from', $archive, '--target', 'latest');
    isnt($result->{exit}, 0, 'a non-empty directory is refused');
    like($result->{stderr}, qr/is not empty.*nothing was changed/, '... saying so');
    is(join(',', map { s{.*/}{}r } glob("$full/*")), 'keep', '... and it is left as it was');

    my $before = restore_pitr("$work/too-early", '--from', $archive,
        '--target-time', $before_base_backup);
    isnt($before->{exit}, 0, 'a target before the first base backup is refused');
    like($before->{stderr}, qr/earliest point that can be restored is time \S+ \S+ \(the end of base backup 1\)/,
        '... naming the earliest point');
    ok(!-e "$work/too-early", '... and no directory is made');

    my $both = restore_pitr("$work/both", '--from', $archive, '--target-time', $t,
        '--target-lsn', $lsn);
    is($both->{exit}, 2, 'two targets are a usage error');
    like($both->{stderr}, qr/exactly one target/, '... saying so');
    ok(!-e "$work/both", '... and no directory is made');

    # A damaged base backup: exit 3, and what was unpacked before the end is removed.
    my $base_object = "$archive/$object_key";
    my $intact_base = LokbackupTest::slurp_bytes($base_object);
    LokbackupTest::flip_byte($base_object);
    my $damaged = restore_pitr("$work/damaged", '--from', $archive, '--target', 'latest');
    is($damaged->{exit}, 3, 'a damaged base backup exits 3');
    like($damaged->{stderr}, qr/checksum mismatch.*was removed/s, '... saying what was removed');
    ok(!-e "$work/damaged", '... and the directory it made is gone');
    LokbackupTest::write_bytes($base_object, $intact_base);

    my $no_zone = restore_pitr("$work/no-zone", '--from', $archive, '--target-time',
        '2026-12-03 21:40:00');
    is($no_zone->{exit}, 2, 'a time without its zone is refused');
    like($no_zone->{stderr}, qr/with its zone/, '... saying what is allowed');
}

# --- to the point in time T ---
{
    my ($restored, $result) =
      start_restored('to_time', arguments => [ '--target-time', $t ]);
    like($result->{stdout}, qr/base backup 1 .*for a recovery to time/, 'says which backup');
    like($result->{stdout}, qr/pg_ctl -D/, 'says how to start the server');
    is($result->{recovery_signal_size}, 0, 'recovery.signal is there, empty');
    my $mode = (stat $restored->data_dir)[2] & 07777;
    is(sprintf('%04o', $mode), '0700', 'the data directory is 0700');
    is(rows_after_recovery($restored), '10|1|10', 'exactly the rows committed up to T');
    like(slurp_file($restored->logfile), qr/recovery stopping before commit/,
        'recovery stopped at the target');
    $restored->stop;
}

# --- to the end of the archive ---
{
    my ($restored) = start_restored('to_latest', arguments => [ '--target', 'latest' ]);
    is(rows_after_recovery($restored), '20|1|20', 'latest: every archived row');
    $restored->stop;
}

# --- to an LSN ---
{
    my ($restored) = start_restored('to_lsn', arguments => [ '--target-lsn', $lsn ]);
    is(rows_after_recovery($restored), '15|1|15', 'LSN: the rows committed before it');
    $restored->stop;
}

# --- a damaged WAL object stops recovery; the server does not open with rows missing ---
# The names in a directory.
sub files_in
{
    my ($directory) = @_;
    opendir my $dh, $directory or die "cannot list $directory: $!";
    return sort grep { !/^\.\.?$/ } readdir $dh;
}
my ($damaged_object) = map { "$archive/~wal/00000001/$_" }
  grep { /^\Q$damaged_segment\E-/ } files_in("$archive/~wal/00000001");
ok(defined $damaged_object && -f $damaged_object, "the object of $damaged_segment is archived");
my $intact = LokbackupTest::slurp_bytes($damaged_object);

sub check_recovery_stopped
{
    my ($restored, $what, $message) = @_;
    my $log = slurp_file($restored->logfile);
    like($log, $message, "$what: wal-fetch's message is in the server log");
    like($log, qr/FATAL:.*could not restore file "$damaged_segment" from archive/,
        "$what: recovery stopped with a FATAL error");
    ok(wait_until(sub { !-e $restored->data_dir . '/postmaster.pid' }),
        "$what: the server is not running");
    unlike($log, qr/database system is ready to accept connections/,
        "$what: it never opened for writes");
}

{
    LokbackupTest::flip_byte($damaged_object);
    my ($restored) = start_restored('flipped', arguments => [ '--target', 'latest' ],
        may_fail => 1);
    check_recovery_stopped($restored, 'a flipped byte',
        qr/lokbackup wal-fetch: error: \Q$damaged_segment\E \(object .*\Q$damaged_segment\E.*exit status 200/s);
}

{
    # Valid zstd, other content: only the SHA-256 in the key tells.
    my $raw = '';
    IPC::Run::run([ 'zstd', '-q', '-d', '-c' ], '<', \$intact, '>', \$raw) or die;
    substr($raw, 100, 1) = chr(ord(substr($raw, 100, 1)) ^ 1);
    my $tampered = '';
    IPC::Run::run([ 'zstd', '-q', '-c' ], '<', \$raw, '>', \$tampered) or die;
    LokbackupTest::write_bytes($damaged_object, $tampered);
    my ($restored) = start_restored('tampered', arguments => [ '--target', 'latest' ],
        may_fail => 1);
    my ($expected) = $damaged_object =~ /-([0-9a-f]{64})\.zst$/;
    check_recovery_stopped($restored, 'other content',
        qr/checksum mismatch for WAL file \Q$damaged_segment\E.*expected SHA-256 $expected, found (?!$expected)[0-9a-f]{64}/);
    is(join(',', grep { /RECOVERYXLOG/ } files_in($restored->data_dir . '/pg_wal')), '',
        'no partial file is left for PostgreSQL');
}
LokbackupTest::write_bytes($damaged_object, $intact);

# --- a timeline switch: a server restored to T is promoted onto timeline 2, archives into the
# same archive, and a later recovery to latest follows it ---
{
    my ($branch) = start_restored('branch', arguments => [ '--target-time', $t ],
        archiving => 1);
    is(rows_after_recovery($branch), '10|1|10', 'the branch starts from T');
    is($branch->safe_psql('postgres', 'SELECT timeline_id FROM pg_control_checkpoint()'), '2',
        'the promoted branch is on timeline 2');
    $branch->safe_psql('postgres', 'INSERT INTO events VALUES (100)');
    my $ended = $branch->safe_psql('postgres', 'SELECT pg_walfile_name(pg_switch_wal())');
    ok(poll_until($branch, "SELECT last_archived_wal >= '$ended' FROM pg_stat_archiver", 't'),
        'the branch archived its segment');
    ok(-f "$archive/~wal/00000002/00000002.history-" . Digest::SHA::sha256_hex(
            LokbackupTest::slurp_bytes($branch->data_dir . '/pg_wal/00000002.history')) . '.zst',
        'the history file of timeline 2 is archived');
    $branch->stop;

    my ($follower) = start_restored('follows', arguments => [ '--target', 'latest' ]);
    is(rows_after_recovery($follower), '11|1|100',
        'latest follows timeline 2: the rows up to T and the branch\'s own');
    $follower->stop;
}

# --- wal-fetch on its own: its exit statuses are what PostgreSQL's rules need ---
{
    mkdir "$work/fetched" or die;
    my $missing = run_lokbackup($node,
        [ 'wal-fetch', '00000001000000FF000000FF', "$work/fetched/RECOVERYXLOG", '--from', $archive ]);
    is($missing->{exit}, 1, 'a file not in the archive: exit 1 (the end of the archive)');
    is(scalar(() = $missing->{stderr} =~ /\n/g), 1, '... with one line');
    my $hostile = run_lokbackup($node,
        [ 'wal-fetch', '../../etc/passwd', "$work/fetched/RECOVERYXLOG", '--from', $archive ]);
    is($hostile->{exit}, 200, 'a name that is no WAL file stops recovery (200)');
    my $fetched = run_lokbackup($node,
        [ 'wal-fetch', $damaged_segment, "$work/fetched/RECOVERYXLOG", '--from', $archive ]);
    is($fetched->{exit}, 0, 'an archived segment is fetched');
    is(-s "$work/fetched/RECOVERYXLOG", 16 * 1024 * 1024, '... whole');
    LokbackupTest::write_bytes("$work/keys.env", "AWS_ACCESS_KEY_ID=x\n");
    chmod 0640, "$work/keys.env";
    my $readable = run_lokbackup($node,
        [ 'wal-fetch', $damaged_segment, "$work/fetched/other", '--from', $archive,
          '--credentials-file', "$work/keys.env" ]);
    is($readable->{exit}, 200, 'a credentials file others may read is refused (200)');
    like($readable->{stderr}, qr/mode 0640: group or others may read/, '... saying why');
}

# --- from S3 alone: the keys reach wal-fetch through a 0600 file, never the configuration ---
SKIP:
{
    my $missing = S3TestServer::available();
    skip "S3 server: $missing", 7 if $missing;
    my $s3 = S3TestServer->start('pitr');
    $s3->create_bucket('pitr');
    $s3->aws_ok('s3', 'cp', '--recursive', '--quiet', $archive, 's3://pitr/prod/');
    my $restored = PostgreSQL::Test::Cluster->new('from_s3');
    File::Path::make_path($restored->basedir);
    my $result = run_lokbackup(
        $node,
        [ 'restore-pitr', '--pgdata', $restored->data_dir, '--target-time', $t,
          '--from', 's3://pitr/prod', '--s3-endpoint', $s3->endpoint, '--s3-path-style',
          '--s3-region', $S3TestServer::region ],
        env => { AWS_ACCESS_KEY_ID => $s3->access_key, AWS_SECRET_ACCESS_KEY => $s3->secret });
    is($result->{exit}, 0, 'S3: restore-pitr succeeded') or diag $result->{stderr};
    my $env_file = $restored->data_dir . '/lokbackup-wal-fetch.env';
    is(sprintf('%04o', (stat $env_file)[2] & 07777), '0600', 'S3: the keys are in a 0600 file');
    my $auto = slurp_file($restored->data_dir . '/postgresql.auto.conf');
    unlike($auto, qr/\Q@{[ $s3->secret ]}\E/, 'S3: the secret is not in postgresql.auto.conf');
    $restored->append_conf('postgresql.conf',
        "port = " . $restored->port . "\nshared_preload_libraries = ''\narchive_mode = off\n");
    {
        # The server's environment has no keys: only the file gives them.
        local $ENV{AWS_ACCESS_KEY_ID};
        local $ENV{AWS_SECRET_ACCESS_KEY};
        $restored->start;
    }
    is(rows_after_recovery($restored), '10|1|10', 'S3: the rows up to T');
    ok(wait_until(sub { !-e $env_file }), 'S3: recovery_end_command removed the keys');
    $restored->stop;
}

ok(!-e "$work/pwned" && !-e 'pwned', 'the hostile storage path ran nothing');

# --- the whole path through the catalog, as the README tells a DBA: a base backup taken by
# lokbackup_run(kind => 'physical') on a cluster of its own, rows after it, and restore-pitr with
# no --from (the catalog says where the backup and its WAL are) ---
{
    my $catalog_archive = "$work/catalog archive";
    mkdir $catalog_archive, 0700 or die "mkdir $catalog_archive: $!";
    my $primary = create_node(
        'pitr_catalog',
        streaming => 1,
        settings => {
            archive_mode => 'on',
            archive_library => 'lokbackup',
            'lokbackup.storage' => $catalog_archive });
    $primary->safe_psql('postgres',
        'CREATE TABLE events (id int PRIMARY KEY); INSERT INTO events SELECT generate_series(1, 5)');
    my ($ret, $out, $err) = $primary->psql('postgres',
        "SELECT lokbackup_run(kind => 'physical', wait => true)", timeout => 180);
    is($ret, 0, 'catalog: lokbackup_run(kind => physical) took a base backup') or diag $err;
    is($primary->safe_psql('postgres',
            "SELECT status || ' ' || format FROM lokbackup_backups WHERE contents = 'cluster'"),
        'completed tar', 'catalog: the base backup is completed');
    $primary->safe_psql('postgres', 'INSERT INTO events SELECT generate_series(6, 9)');
    my $ended = $primary->safe_psql('postgres', 'SELECT pg_walfile_name(pg_switch_wal())');
    ok(poll_until($primary, "SELECT last_archived_wal >= '$ended' FROM pg_stat_archiver", 't'),
        "catalog: segment $ended archived");

    my $restored = PostgreSQL::Test::Cluster->new('from_catalog');
    File::Path::make_path($restored->basedir);
    my $result = run_lokbackup($primary,
        [ 'restore-pitr', '--pgdata', $restored->data_dir, '--target', 'latest' ]);
    is($result->{exit}, 0, 'catalog: restore-pitr without --from succeeded')
      or diag $result->{stderr};
    $restored->append_conf('postgresql.conf',
        "port = " . $restored->port . "\narchive_mode = off\nshared_preload_libraries = ''\n");
    $restored->start;
    ok(poll_until($restored, 'SELECT NOT pg_is_in_recovery()', 't'),
        'catalog: recovery ended, promoted');
    is($restored->safe_psql('postgres', 'SELECT count(*), min(id), max(id) FROM events'),
        '9|1|9', 'catalog: every row, those after the base backup included');
    $restored->stop;
    $primary->stop;
}

done_testing();
