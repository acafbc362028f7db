# The server is lost, the bucket is not: `lokbackup restore --from s3://bucket/prefix latest` finds
# the newest backup of a database from the manifests in the bucket and restores it into a fresh
# cluster that has never had lokbackup, with the S3 keys from the environment. The server that
# made the backups took its keys from its environment too (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, the fallback when the settings are empty).
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

my $s3 = S3TestServer->start('bucket_only');
my $bucket = 'lokbackup-bucket-only';
my $prefix = 'prod/eu';
$s3->create_bucket($bucket);

# The lost server: S3 settings without keys; the keys are in the server's environment.
my %settings = $s3->settings($bucket, $prefix);
delete @settings{qw(lokbackup.s3_access_key_id lokbackup.s3_secret_access_key)};
my $lost;
{
    local $ENV{AWS_ACCESS_KEY_ID} = $s3->access_key;
    local $ENV{AWS_SECRET_ACCESS_KEY} = $s3->secret;
    $lost = create_node('lost', settings => { %settings, 'lokbackup.databases' => 'app' });
}
is($lost->safe_psql('postgres', 'SHOW lokbackup.s3_secret_access_key'),
    '', 'the lost server has no secret in its settings');
populate_app_database($lost, 'app');

my $first = backup_of($lost, run_backup($lost), 'app');
is($first->{status}, 'completed', 'a backup with the keys from the environment completes');
$lost->safe_psql('app',
    q{INSERT INTO public.plain_table (label) VALUES ('after the first backup')});
my $latest = backup_of($lost, run_backup($lost), 'app');
is($latest->{status}, 'completed', 'a second backup completes');
my $source_dump = dump_database($lost, 'app');
like($source_dump, qr/after the first backup/, 'the source has the row the second backup holds');
$lost->stop;

ok((grep { $_ eq "$prefix/$latest->{object_key}.manifest.json" } @{ $s3->keys($bucket) }),
    'the bucket holds the manifests');

# A fresh cluster, without lokbackup: no catalog anywhere.
my $fresh = create_node('fresh', preload => 0);
my @from = (
    'restore', '--from', "s3://$bucket/$prefix", 'latest',
    '--database', 'app', '--dbname', 'app',
    '--create', '--yes', '--s3-endpoint', $s3->endpoint,
    '--s3-path-style', '--s3-region', $S3TestServer::region);

my $keyless =
  run_lokbackup($fresh, \@from, env => { AWS_ACCESS_KEY_ID => '', AWS_SECRET_ACCESS_KEY => '' });
isnt($keyless->{exit}, 0, 'restore --from s3:// without keys fails');
like($keyless->{stderr}, qr/AWS_ACCESS_KEY_ID/,
    'it says that the keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
is($fresh->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'app'}),
    '0', 'and creates no database');

my $restore = run_lokbackup($fresh, \@from,
    env => { AWS_ACCESS_KEY_ID => $s3->access_key, AWS_SECRET_ACCESS_KEY => $s3->secret });
is($restore->{exit}, 0, 'lokbackup restore --from s3://bucket/prefix latest exits 0')
  or diag("stderr: $restore->{stderr}");
like(
    $restore->{stdout},
    qr/restored backup $latest->{id}\b/,
    "it says which backup it restored ($latest->{id}, the newest)");
dumps_equal(eval { dump_database($fresh, 'app') } // "(no database: $@)",
    $source_dump, 'pg_dump of the database restored from the bucket alone equals the source');

$fresh->stop;
$s3->stop;
done_testing();
