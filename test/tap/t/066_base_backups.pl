# Base backups of the cluster: lokbackup_run(kind => 'physical') runs the server's own
# pg_basebackup in the backup child and streams its tar through the pipeline (compression,
# encryption, SHA-256, storage). The row records contents cluster, format tar, the WAL range and
# the checksum of the stored object; the object is a tar with backup_label, global/pg_control and
# PostgreSQL's backup_manifest; the manifest beside it carries the WAL range. Without WAL
# archiving a base backup is refused before any row exists; a bad kind is refused with the
# allowed ones; a killed pg_basebackup fails its backup, none is left in progress. Restores and
# drills refuse a base backup, pointing to restore-pitr. lokbackup.base_backup_schedule fires
# base backups typed daily/weekly/monthly.
use strict;
use warnings FATAL => 'all';

use Digest::SHA;
use File::Path qw(make_path);
use IPC::Run ();
use JSON::PP;
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $node = create_node('base', streaming => 1, settings => { 'lokbackup.databases' => 'postgres' });
my $archive = $node->basedir . '/archive';
make_path($archive);
# While this file exists, archiving fails: pg_basebackup then waits for its last segment.
my $hold = $node->basedir . '/hold_archiving';

sub physical_run
{
    my ($extra) = @_;
    return $node->psql('postgres',
        "SELECT lokbackup_run(kind => 'physical', wait => true$extra)",
        timeout => 180);
}

# --- refusals that leave nothing behind ---
my ($ret, $stdout, $stderr) = $node->psql('postgres', "SELECT lokbackup_run(kind => 'incremental')");
isnt($ret, 0, 'a bad kind is refused');
like($stderr, qr/invalid backup kind "incremental".*HINT:  Allowed kinds are logical .* and physical/s,
    'naming the allowed kinds');
($ret, $stdout, $stderr) = $node->psql('postgres', "SELECT lokbackup_run(kind => NULL)");
like($stderr, qr/kind must not be NULL/, 'a NULL kind is refused');

($ret, $stdout, $stderr) = physical_run('');
isnt($ret, 0, 'without WAL archiving a base backup is refused');
like($stderr,
    qr/a base backup cannot be restored without the WAL archive: set archive_mode = on and archive_library = 'lokbackup'/,
    'with the reason and what to set');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_backups'),
    '0', 'and no row is left');

$node->append_conf('postgresql.conf',
        "archive_mode = on\n"
      . "archive_command = 'test ! -f " . $hold . " && cp %p " . $archive . "/%f'\n");
$node->restart;

# --- WAL retention: fake but valid WAL objects in storage, as the archiver names them ---
my $wal_sha = 'ab' x 32;
sub wal_object
{
    my ($name) = @_;
    return storage_dir($node) . '/~wal/' . substr($name, 0, 8) . "/$name-$wal_sha.zst";
}
sub place_wal
{
    for my $name (@_)
    {
        my $path = wal_object($name);
        make_path($path =~ s{/[^/]+$}{}r);
        write_bytes($path, "not really WAL: $name");
    }
    return;
}
sub segment_at
{
    my ($timeline, $position) = @_;
    return sprintf('%08X%016s', $timeline, $position);
}
# Runs `run` and waits for the WAL retention pass that follows it: the run is over for its
# caller before rotation and retention (lokbackup_run(wait => true) returns at once).
sub with_retention_pass
{
    my ($run) = @_;
    my $before = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
    my @result = $run->();
    poll_until($node,
        "SELECT count(*) FROM lokbackup_internal.wal_archive_size WHERE measured_at > '$before'",
        '1')
      or die 'no WAL retention pass after the run';
    return @result;
}
my @ancient = ('000000010000000000000001', '000000010000000000000001.00000028.backup',
    '000000020000000000000001.partial');
my @always = ('00000002.history', '00000001000000FF00000000', '00000002000000FF00000000');
place_wal(@ancient, @always);
with_retention_pass(sub { run_backup($node) });
ok(!grep({ !-f wal_object($_) } @ancient, @always),
    'without a completed base backup, a run removes no archived WAL');
is( $node->safe_psql('postgres',
        'SELECT objects, oldest_wal, newest_wal FROM lokbackup_internal.wal_archive_size'),
    '6|000000010000000000000001|00000002000000FF00000000',
    'and records what the archive holds');

# Segments switched, so that the base backup starts well after segment 1.
$node->safe_psql('postgres',
    'CREATE TABLE filler AS SELECT 1; SELECT pg_switch_wal(); INSERT INTO filler SELECT 2; SELECT pg_switch_wal()');

# --- a base backup ---
($ret, $stdout, $stderr) = with_retention_pass(sub { physical_run('') });
is($ret, 0, 'lokbackup_run(kind => physical, wait => true) completes') or diag $stderr;
my $ids = LokbackupTest::parse_ids($stdout);
is(scalar @$ids, 1, 'a physical run is one backup');
my $base = backup_row($node, $ids->[0]);
is($base->{status}, 'completed', 'it completed');
is($base->{contents}, 'cluster', 'of the cluster');
ok(!defined $base->{database}, 'with no database');
is($base->{format}, 'tar', 'in format tar');
is($base->{timeline}, 1, 'on timeline 1');
like($base->{start_lsn}, qr{^[0-9A-F]+/[0-9A-F]+$}, 'its start LSN is recorded');
like($base->{stop_lsn}, qr{^[0-9A-F]+/[0-9A-F]+$}, 'and its stop LSN');
like($base->{start_wal_file}, qr/^00000001[0-9A-F]{16}$/, 'and the first WAL segment it needs');
is( $node->safe_psql('postgres',
        "SELECT pg_walfile_name(start_lsn) = start_wal_file AND stop_lsn >= start_lsn "
          . "FROM lokbackup_backups WHERE id = $base->{id}"),
    't', 'which is the segment of its start LSN');
like($base->{object_key}, qr{^~cluster/\d{4}/\d\d/cluster-manual-\d{8}T\d{6}Z-$base->{id}\.tar\.zst$},
    'its object is under ~cluster');
my $object = storage_dir($node) . "/$base->{object_key}";
is(Digest::SHA->new(256)->addfile($object)->hexdigest, $base->{sha256},
    "the row's SHA-256 is the stored object's");

# The members of the tar that the chained commands write.
sub tar_members
{
    my (@commands) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run((map { ($_, '|') } @commands), [ 'tar', '-tf', '-' ], '>', \$out, '2>', \$err)
      or die "listing the tar failed: $err";
    return { map { s{^\./}{}r => 1 } split /\n/, $out };
}
my $members = tar_members([ 'zstd', '-dc', $object ]);
ok($members->{backup_label}, 'the object is a tar with backup_label');
ok($members->{'global/pg_control'}, 'global/pg_control');
ok($members->{backup_manifest}, "and PostgreSQL's backup_manifest");

my $manifest = decode_json(slurp_file("$object.manifest.json"));
is($manifest->{contents}, 'cluster', 'the manifest says contents cluster');
is_deeply(
    $manifest->{wal_range},
    {   timeline => 1,
        start_lsn => $base->{start_lsn},
        stop_lsn => $base->{stop_lsn},
        start_wal_file => $base->{start_wal_file} },
    'and carries the WAL range of the row');
ok(-f "$archive/$base->{start_wal_file}", 'the segment it starts in was archived');

ok(!grep({ -f wal_object($_) } @ancient),
    'after the base backup, the archived WAL before its first segment is gone');
ok(!grep({ !-f wal_object($_) } @always),
    'the history file and the WAL after it stay');

is( $node->safe_psql('postgres',
        "SELECT database || ' ' || timeline FROM lokbackup_status WHERE id = $base->{id}"),
    '(cluster) 1', 'lokbackup_status names it (cluster), with its timeline');
is($node->safe_psql('postgres', "SELECT database FROM lokbackup_list() WHERE id = $base->{id}"),
    '(cluster)', 'and so does lokbackup_list()');

# --- what restores and drills say ---
($ret, $stdout, $stderr) =
  $node->psql('postgres', "SELECT * FROM lokbackup_restore_plan('$base->{id}')");
like($stderr, qr/backup $base->{id} is a base backup of the cluster.*HINT:  .*lokbackup restore-pitr/s,
    'lokbackup_restore_plan() refuses a base backup, pointing to restore-pitr');
($ret, $stdout, $stderr) = $node->psql('postgres', "SELECT lokbackup_drill('$base->{id}')");
like($stderr, qr/backup $base->{id} is a base backup of the cluster: a restore drill/,
    'lokbackup_drill() refuses it');
my $restore = run_lokbackup($node, [ 'restore', $base->{id}, '--dbname=postgres', '--yes' ]);
isnt($restore->{exit}, 0, 'lokbackup restore refuses it');
like($restore->{stderr}, qr/restore-pitr/, 'pointing to restore-pitr');
$restore = run_lokbackup($node,
    [ 'restore', $base->{id}, '--from', storage_dir($node), '--dbname=scratch', '--yes' ]);
like($restore->{stderr}, qr/is a base backup of the cluster, not a database dump; nothing was restored/,
    'and so does lokbackup restore --from STORAGE, from the manifest');
my $verify = run_lokbackup($node, [ 'verify', '--from', storage_dir($node), $base->{id} ]);
is($verify->{exit}, 0, 'lokbackup verify --from checks a base backup');
my $listed = run_lokbackup($node, [ 'list', '--from', storage_dir($node), '--database', '(cluster)' ]);
like($listed->{stdout}, qr/^\s*$base->{id}\s*\|\s*manual\s*\|\s*\(cluster\)\s*\|/m,
    'lokbackup list --from names it (cluster)');

# --- encrypted ---
my ($keygen_out, $keygen_err) = ('', '');
my $identity = $node->basedir . '/identity.txt';
IPC::Run::run([ 'age-keygen', '-o', $identity ], '>', \$keygen_out, '2>', \$keygen_err)
  or die "age-keygen failed: $keygen_err";
my ($recipient) = $keygen_err =~ /Public key: (age1\S+)/ or die "no public key in $keygen_err";
reload_settings($node, 'lokbackup.encrypt_to' => $recipient);
($ret, $stdout, $stderr) = with_retention_pass(sub { physical_run('') });
is($ret, 0, 'an encrypted base backup completes') or diag $stderr;
my $encrypted = backup_row($node, LokbackupTest::parse_ids($stdout)->[0]);
like($encrypted->{object_key}, qr/\.tar\.zst\.age$/, 'its object is named .age');
my $encrypted_object = storage_dir($node) . "/$encrypted->{object_key}";
is(Digest::SHA->new(256)->addfile($encrypted_object)->hexdigest, $encrypted->{sha256},
    'its SHA-256 is of the stored (encrypted) bytes');
$members = tar_members([ 'age', '-d', '-i', $identity, $encrypted_object ], [ 'zstd', '-dc' ]);
ok($members->{backup_label} && $members->{backup_manifest},
    'it decrypts with stock age and decompresses to the tar');
reload_settings($node, 'lokbackup.encrypt_to' => '');

# Deleting the older base backup frees the WAL up to the newer one's first segment, no more.
ok(substr($encrypted->{start_wal_file}, 8) gt substr($base->{start_wal_file}, 8),
    'the newer base backup starts in a later segment');
my @between = ($base->{start_wal_file}, "$base->{start_wal_file}.00000028.backup");
my @needed = ($encrypted->{start_wal_file}, segment_at(2, substr($encrypted->{start_wal_file}, 8)));
place_wal(@between, @needed);
with_retention_pass(sub { run_backup($node) });
ok(!grep({ !-f wal_object($_) } @between, @needed),
    'while the older base backup is kept, the WAL it needs stays');
$node->safe_psql('postgres', "SELECT lokbackup_delete($base->{id})");
with_retention_pass(sub { run_backup($node) });
ok(!grep({ -f wal_object($_) } @between), 'once it is deleted, the WAL only it needed is removed');
ok(!grep({ !-f wal_object($_) } @needed, @always),
    "the newer one's first segment (on every timeline), the history and later WAL stay");

# --- pg_basebackup killed while the server waits for its last segment to be archived ---
open my $fh, '>', $hold or die "cannot create $hold: $!";
close $fh;
my $failed_id =
  LokbackupTest::parse_ids($node->safe_psql('postgres', "SELECT lokbackup_run(kind => 'physical')"))->[0];
my $basebackup;
ok( wait_until(
        sub {
            my $worker = worker_pid($node) // return 0;
            ($basebackup) =
              grep { `cat /proc/$_/cmdline 2>/dev/null` =~ /pg_basebackup/ } descendant_pids($worker);
            return $basebackup;
        }),
    'pg_basebackup runs (and waits for archiving)');
kill 'KILL', $basebackup if $basebackup;
ok(wait_for_status($node, $failed_id, 'failed'), 'a killed pg_basebackup fails its backup');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')"),
    '0', 'no backup is left in progress');
like($node->safe_psql('postgres', "SELECT error FROM lokbackup_backups WHERE id = $failed_id"),
    qr/pg_basebackup/, "its error names pg_basebackup");
is($node->safe_psql('postgres', "SELECT status FROM lokbackup_health() WHERE database = '(roles)'"),
    'ok', "a failed base backup is not counted as the roles' (which have no database either)");
unlink $hold;

# --- the schedule ---
reload_settings($node, 'lokbackup.base_backup_schedule' => '* * * * *');
ok( poll_until(
        $node,
        "SELECT count(*) > 0 FROM lokbackup_backups WHERE contents = 'cluster' "
          . "AND type IN ('daily', 'weekly', 'monthly') AND status = 'completed'",
        't', 180),
    'lokbackup.base_backup_schedule fires a base backup, typed like scheduled dumps');
reload_settings($node, 'lokbackup.base_backup_schedule' => '');
# A firing just before the schedule was cleared may still be running.
ok( poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')", '0'),
    'no scheduled base backup is left running');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_backups WHERE contents <> 'cluster' AND type <> 'manual'"),
    '0', 'and it runs no dumps');

# --- S3 (Swift): the base backup, and WAL retention listing and removing there ---
my $s3 = S3TestServer->start('base_backups');
my $bucket = 'lokbackup-base';
$s3->create_bucket($bucket);
reload_settings($node, $s3->settings($bucket, 'pitr'));
my $scratch = PostgreSQL::Test::Utils::tempdir('s3_objects');
my $s3_wal = "pitr/~wal/00000001";
my $high = '00000001000000FF00000000';
for my $name ('000000010000000000000001', $high)
{
    write_bytes("$scratch/$name", 'x' x 1000);
    $s3->aws_ok('s3', 'cp', '--only-show-errors', "$scratch/$name",
        "s3://$bucket/$s3_wal/$name-$wal_sha.zst");
}
($ret, $stdout, $stderr) = physical_run('');
is($ret, 0, 'a base backup into S3 completes') or diag $stderr;
my $in_s3 = backup_row($node, LokbackupTest::parse_ids($stdout)->[0]);
like($in_s3->{storage}, qr{^s3://$bucket/pitr$}, 'its row records the bucket');
my $downloaded = $s3->download($bucket, "pitr/$in_s3->{object_key}", "$scratch/base.tar.zst");
is(Digest::SHA->new(256)->addfile($downloaded)->hexdigest, $in_s3->{sha256},
    "the row's SHA-256 is the object's in the bucket");
$members = tar_members([ 'zstd', '-dc', $downloaded ]);
ok($members->{backup_label} && $members->{'global/pg_control'} && $members->{backup_manifest},
    'it is the tar of the cluster');
ok( wait_until(sub { join(',', @{ $s3->keys($bucket, "pitr/~wal/") }) eq "$s3_wal/$high-$wal_sha.zst" }),
    'WAL retention removed the WAL before it from the bucket, and kept the later WAL');
ok( poll_until($node,
        'SELECT objects, bytes, oldest_wal, newest_wal FROM lokbackup_internal.wal_archive_size',
        "1|1000|$high|$high"),
    "and measured the bucket's archive");

$node->stop;
done_testing();
