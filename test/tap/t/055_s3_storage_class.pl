# lokbackup.s3_storage_class: an unknown class is refused where it is set, with the allowed ones;
# STANDARD goes, signed, with the backup objects to a real S3 (Swift's S3 API) and the backup
# completes and verifies; GLACIER, which Swift does not offer, fails the database's backup, which
# shows the header is sent, while the roles dump, under 128 kB like every manifest, keeps the
# bucket's default class and completes.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

my $s3 = S3TestServer->start('storage_class');
my $bucket = 'lokbackup-storage-class';
$s3->create_bucket($bucket);

my $node = create_node('s3_storage_class',
    settings => { $s3->settings($bucket, 'classed'), 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
# Random hex compresses to about half: some 700 kB stored, well over 128 kB.
$node->safe_psql('app',
        'CREATE TABLE t AS SELECT md5(random()::text) || md5(random()::text) AS v'
      . ' FROM generate_series(1, 20000)');

# --- an unknown class is refused, with the allowed ones ---
for my $bad ('GLACIER_DEEP', 'standard')
{
    my ($ret, $stdout, $stderr) =
      $node->psql('postgres', "ALTER SYSTEM SET lokbackup.s3_storage_class = '$bad'");
    isnt($ret, 0, "ALTER SYSTEM refuses storage class $bad");
    like(
        $stderr,
        qr/invalid value for parameter "lokbackup.s3_storage_class": "$bad".*DETAIL:  Allowed values are STANDARD, REDUCED_REDUNDANCY, .*, InfrequentAccess/s,
        "the error names $bad and the allowed classes");
}
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', "SET lokbackup.s3_storage_class = 'STANDARD_IA'");
isnt($ret, 0, 'SET refuses it in a session: it is a server setting');

# --- STANDARD: sent, signed, accepted ---
reload_settings($node, 'lokbackup.s3_storage_class' => 'STANDARD');
my $ids = run_backup($node);
is_deeply(
    [ map { $_->{status} } @{ run_backups($node, $ids) } ],
    [ 'completed', 'completed' ],
    'a run with storage class STANDARD completes');
my $app = backup_of($node, $ids, 'app');
cmp_ok($app->{size}, '>', 128 * 1024, 'the database\'s object is over 128 kB: it had the class');
my $verify = run_lokbackup($node, [ 'verify', $app->{id} ]);
is($verify->{exit}, 0, 'lokbackup verify reads it back') or diag("stderr: $verify->{stderr}");

# --- GLACIER: Swift refuses it on the object, not on the small roles dump ---
reload_settings($node, 'lokbackup.s3_storage_class' => 'GLACIER');
$ids = run_backup_allow_failures($node);
my $refused = backup_of($node, $ids, 'app');
is($refused->{status}, 'failed', 'with GLACIER, which Swift does not offer, the app backup fails');
like($refused->{error}, qr/InvalidStorageClass/, 'with S3\'s InvalidStorageClass');
is(backup_of($node, $ids, undef)->{status},
    'completed', 'the roles dump, under 128 kB, keeps the default class and completes');

done_testing();
