# `lokbackup verify` records its outcome in the catalog. A backup whose object was damaged (a byte
# flipped, truncated, deleted) is marked failed verification: it is never 'latest' again, and a
# restore that names it by id is refused with what to do. Verifying it again once the object is
# intact clears the mark. A verify that cannot reach storage (the S3 endpoint down) says nothing
# about the backup and records nothing; neither does a verify with --from.
use strict;
use warnings FATAL => 'all';

use File::Copy ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

my $node = create_node('verify_recorded', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', "CREATE TABLE made (backup text); INSERT INTO made VALUES ('older')");
my $older = backup_of($node, run_backup($node), 'app');
$node->safe_psql('app', "UPDATE made SET backup = 'newer'");
my $newer = backup_of($node, run_backup($node), 'app');

# "verification verified_at? verification_error" of a backup, as lokbackup_status shows it.
sub verification_of
{
    my ($id) = @_;
    return $node->safe_psql('postgres',
            "SELECT coalesce(verification, 'none') || ' ' || (verified_at IS NOT NULL) || ' ' "
          . "|| coalesce(verification_error, '') FROM lokbackup_status WHERE id = $id");
}

sub latest_plan
{
    my ($stdout, $stderr) = ('', '');
    $node->psql('postgres', "SELECT backup_id FROM lokbackup_restore_plan('latest', 'app')",
        stdout => \$stdout, stderr => \$stderr);
    return $stdout eq '' ? $stderr : $stdout;
}

sub verify_audits
{
    my ($id) = @_;
    return $node->safe_psql('postgres',
        "SELECT string_agg(detail->>'passed', ',' ORDER BY id) FROM lokbackup_audit "
          . "WHERE action = 'verify' AND backup_id = $id");
}

my $object = object_path($node, $newer->{object_key});
my $intact = $node->basedir . '/intact-copy';
File::Copy::copy($object, $intact) or die "cannot copy $object: $!";

my $verified = run_lokbackup($node, [ 'verify', $newer->{id} ]);
is($verified->{exit}, 0, 'verify of the intact backup exits 0') or diag($verified->{stderr});
is(verification_of($newer->{id}), 'passed true ', 'a passing verify is recorded as passed');
is(latest_plan(), $newer->{id}, 'the newer backup is latest');

my $restore_count = 0;
for my $case (
    [ 'one byte flipped', \&flip_byte, qr/checksum mismatch|corrupt/ ],
    [ 'truncated', sub { truncate_file($_[0], int((-s $_[0]) / 2)) }, qr/size mismatch/ ],
    [ 'deleted', sub { unlink $_[0] or die "cannot remove $_[0]: $!" }, qr/not found/ ])
{
    my ($what, $damage, $message) = @$case;
    $damage->($object);

    my $verify = run_lokbackup($node, [ 'verify', $newer->{id} ]);
    isnt($verify->{exit}, 0, "$what: verify exits non-zero");
    like($verify->{stderr}, $message, "$what: verify says why");
    like($verify->{stderr}, qr/recorded in the catalog: backup $newer->{id} failed verification/,
        "$what: verify says that it recorded the failure");
    like(verification_of($newer->{id}), qr/^failed true .*$message/s,
        "$what: the backup is marked failed verification, with the error");
    is(latest_plan(), $older->{id},
        "$what: lokbackup_restore_plan('latest') now picks the previous good backup");

    my $target = 'target_' . ++$restore_count;
    my $latest = run_lokbackup($node,
        [ 'restore', 'latest', '--database', 'app', '--dbname', $target, '--create', '--yes' ]);
    is($latest->{exit}, 0, "$what: a restore of latest works") or diag($latest->{stderr});
    like($latest->{stdout}, qr/restored backup $older->{id} /, "$what: it restored the older backup");
    is($node->safe_psql($target, 'SELECT backup FROM made'),
        'older', "$what: the target holds the older backup's data");

    my $by_id = run_lokbackup($node,
        [ 'restore', $newer->{id}, '--dbname', "${target}_by_id", '--create', '--yes' ]);
    isnt($by_id->{exit}, 0, "$what: a restore of the damaged backup by its id is refused");
    like(
        $by_id->{stderr},
        qr/backup $newer->{id} failed verification at .*$message.*lokbackup verify $newer->{id}/s,
        "$what: the refusal says why and how to clear it");

    File::Copy::copy($intact, $object) or die "cannot copy $intact: $!";
    my $again = run_lokbackup($node, [ 'verify', $newer->{id} ]);
    is($again->{exit}, 0, "$what: verify of the restored object exits 0") or diag($again->{stderr});
    is(verification_of($newer->{id}), 'passed true ', "$what: a later passing verify clears the mark");
    is(latest_plan(), $newer->{id}, "$what: the newer backup is latest again");
}
is(verify_audits($newer->{id}), 'true,false,true,false,true,false,true',
    'every recorded verification is audited');

# Every completed backup failed verification: 'latest' finds none, and says why.
unlink $object or die "cannot remove $object: $!";
my $older_object = object_path($node, $older->{object_key});
rename $older_object, "$older_object.away" or die "cannot move $older_object: $!";
isnt(run_lokbackup($node, [ 'verify', $newer->{id} ])->{exit}, 0, 'the newer one fails');
isnt(run_lokbackup($node, [ 'verify', $older->{id} ])->{exit}, 0, 'the older one fails');
like(latest_plan(), qr/no completed backup of database "app" that did not fail verification/,
    "with every backup failed, lokbackup_restore_plan('latest') says there is none that passed");
rename "$older_object.away", $older_object or die "cannot move $older_object back: $!";

# --from reads no catalog and records nothing.
File::Copy::copy($intact, $object) or die "cannot copy $intact: $!";
my $from = run_lokbackup($node, [ 'verify', '--from', storage_dir($node), $newer->{id} ]);
is($from->{exit}, 0, 'verify --from of the intact object exits 0') or diag($from->{stderr});
like(verification_of($newer->{id}), qr/^failed /, 'verify --from records nothing');

$node->stop;

# --- S3: an endpoint that is down is no finding about the backup ---
SKIP:
{
    my $missing = S3TestServer::available();
    skip "S3 test server not available: $missing", 4 if $missing;
    my $s3 = S3TestServer->start('verify');
    my $bucket = 'lokbackup-verify';
    $s3->create_bucket($bucket);
    my $s3_node = create_node('verify_s3',
        settings => { $s3->settings($bucket), 'lokbackup.databases' => 'app' });
    $s3_node->safe_psql('postgres', 'CREATE DATABASE app');
    my $backup = backup_of($s3_node, run_backup($s3_node), 'app');
    is(run_lokbackup($s3_node, [ 'verify', $backup->{id} ])->{exit}, 0, 'S3: verify passes');

    $s3->stop_proxy;
    my $down = run_lokbackup($s3_node, [ 'verify', $backup->{id} ]);
    isnt($down->{exit}, 0, 'S3: verify with the endpoint down exits non-zero');
    like($down->{stderr}, qr/not recorded in the catalog/, 'S3: and says that it recorded nothing');
    is( $s3_node->safe_psql('postgres',
            "SELECT verification FROM lokbackup_backups WHERE id = $backup->{id}"),
        'passed',
        'S3: the backup keeps its earlier outcome, not a failure');
    $s3_node->stop;
    $s3->stop;
}

done_testing();
