# lokbackup.s3_sse and lokbackup.s3_sse_kms_key_id: an unknown encryption is refused where it is
# set, with the allowed ones; aws:kms with a key goes, signed, with every object (a multipart
# upload and the manifests too) to s3rver, which checks each signature, and the backup completes
# and verifies; Swift's S3 API, built without encryption, refuses AES256, which shows the header
# is sent, and the backup fails with Swift's answer; a key id without aws:kms fails the backup with
# an error that says what to set.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $s3rver = S3TestServer->start_s3rver('sse');
my $bucket = 'lokbackup-sse';
$s3rver->create_bucket($bucket);

my $node = create_node(
    's3_sse',
    settings => {
        $s3rver->settings($bucket, 'encrypted'),
        'lokbackup.databases' => 'app',
        'lokbackup.s3_part_size' => '5MB', });
$node->safe_psql('postgres', 'CREATE DATABASE app');
# Random hex compresses to about half: some 7 MB stored, two parts of 5 MiB.
$node->safe_psql('app',
        'CREATE TABLE t AS SELECT md5(random()::text) || md5(random()::text) AS v'
      . ' FROM generate_series(1, 200000)');

# --- an unknown encryption is refused, with the allowed ones ---
for my $bad ('aes256', 'KMS', 'aws:kms:dsse')
{
    my ($ret, $stdout, $stderr) =
      $node->psql('postgres', "ALTER SYSTEM SET lokbackup.s3_sse = '$bad'");
    isnt($ret, 0, "ALTER SYSTEM refuses server-side encryption $bad");
    like(
        $stderr,
        qr/invalid value for parameter "lokbackup.s3_sse": "\Q$bad\E".*DETAIL:  Allowed values are AES256 \(keys managed by S3\) and aws:kms/s,
        "the error names $bad and the allowed values");
}

# --- aws:kms with a key: every object sent with it, signed, and accepted ---
reload_settings(
    $node,
    'lokbackup.s3_sse' => 'aws:kms',
    'lokbackup.s3_sse_kms_key_id' => 'alias/lokbackup-test');
my $ids = run_backup($node);
is_deeply(
    [ map { $_->{status} } @{ run_backups($node, $ids) } ],
    [ 'completed', 'completed' ],
    'with aws:kms and a key id, the run completes on s3rver, which checked every signature');
my $app = backup_of($node, $ids, 'app');
cmp_ok($app->{size}, '>', 5 * 1024 * 1024, 'the database\'s object took a multipart upload');
my $verify = run_lokbackup($node, [ 'verify', $app->{id} ]);
is($verify->{exit}, 0, 'lokbackup verify reads it back') or diag("stderr: $verify->{stderr}");

# --- a key id without aws:kms: the backup fails and says what to set ---
reload_settings($node, 'lokbackup.s3_sse' => 'AES256');
$ids = run_backup_allow_failures($node);
for my $backup (@{ run_backups($node, $ids) })
{
    my $what = defined $backup->{database} ? 'the app backup' : 'the roles dump';
    is($backup->{status}, 'failed', "a key id with AES256 fails $what");
    like(
        $backup->{error},
        qr/lokbackup.s3_sse_kms_key_id names a KMS key, but lokbackup.s3_sse is 'AES256': set lokbackup.s3_sse = 'aws:kms'/,
        'with an error that says what to set');
}

# --- Swift without encryption refuses the header: it is sent ---
my $swift = S3TestServer->start('sse');
my $swift_bucket = 'lokbackup-sse-swift';
$swift->create_bucket($swift_bucket);
reload_settings(
    $node,
    $swift->settings($swift_bucket, 'encrypted'),
    'lokbackup.s3_sse' => 'AES256',
    'lokbackup.s3_sse_kms_key_id' => '');
$ids = run_backup_allow_failures($node);
my $roles = backup_of($node, $ids, undef);
is($roles->{status}, 'failed', 'Swift without encryption refuses AES256: the backup fails');
like($roles->{error}, qr/NotImplemented.*Server-side encryption is not supported/s,
    "with Swift's answer");

reload_settings($node, 'lokbackup.s3_sse' => '');
$ids = run_backup($node);
is_deeply(
    [ map { $_->{status} } @{ run_backups($node, $ids) } ],
    [ 'completed', 'completed' ],
    'without lokbackup.s3_sse, the same Swift takes the backup');

done_testing();
