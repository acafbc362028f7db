# A backup written to S3 stays in S3 after lokbackup.storage moves to a directory: its download
# URL is signed for its bucket, `lokbackup verify` reads it there, and its removal, when S3 is
# down, waits in lokbackup_removals and is done in its bucket once S3 is back. (Before, the URL was
# refused, as a directory has none, and the removal went to the directory.)
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

# The lokbackup program must find its way through the plan's presigned URLs alone.
delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $s3 = S3TestServer->start('row_storage');
my $bucket = 'lokbackup-row-storage';
my $prefix = 'cluster-a';
$s3->create_bucket($bucket);

# One attempt per request: a removal with S3 away fails at once.
my $node = create_node(
    'row_storage_s3',
    settings => {
        $s3->settings($bucket, $prefix),
        'lokbackup.databases' => 'app',
        'lokbackup.s3_max_attempts' => '1'
    });
$node->safe_psql('postgres', 'CREATE DATABASE app');
my $backup = backup_of($node, run_backup($node), 'app');
my $key = "$prefix/$backup->{object_key}";
ok((grep { $_ eq $key } @{ $s3->keys($bucket) }), 'the backup is in the bucket');
is( $node->safe_psql('postgres',
        "SELECT concat_ws(' ', storage, s3_endpoint, s3_region, s3_path_style) "
          . "FROM lokbackup_backups WHERE id = $backup->{id}"),
    "s3://$bucket/$prefix " . $s3->endpoint . " us-east-1 t",
    'its row records the bucket, prefix, endpoint, region and addressing');
unlike($node->safe_psql('postgres', 'SELECT row_to_json(b) FROM lokbackup_backups b'),
    qr/\Q@{[ $s3->secret ]}\E/, 'and no secret');

reload_settings($node, 'lokbackup.storage' => storage_dir($node));

# --- the download URL is signed for the row's bucket ---
my $url = $node->safe_psql('postgres', "SELECT lokbackup_download_url($backup->{id})");
like($url, qr{^\Q@{[ $s3->endpoint ]}/$bucket/$key\E\?}, 'lokbackup_download_url() signs a URL for the bucket');
my $download = PostgreSQL::Test::Utils::tempdir('download') . '/object';
my $status = '';
IPC::Run::run([ 'curl', '-sS', '-o', $download, '-w', '%{http_code}', $url ], '>', \$status);
is($status, '200', 'the URL downloads the object');
my $sha256 = '';
IPC::Run::run([ 'sha256sum', $download ], '>', \$sha256);
is((split ' ', $sha256)[0], $backup->{sha256}, 'with the checksum of the catalog');

my $verify = run_lokbackup($node, [ 'verify', $backup->{id} ]);
is($verify->{exit}, 0, 'lokbackup verify reads the backup in the bucket') or diag($verify->{stderr});

# --- a removal with S3 down waits, and is done in the bucket ---
$s3->stop_proxy;
my ($exit, $stdout, $stderr) = $node->psql('postgres', "SELECT lokbackup_delete($backup->{id})");
is($exit, 0, 'lokbackup_delete() succeeds while S3 is down');
like($stderr, qr/WARNING:  lokbackup: could not remove backup object/, 'it warns that the removal failed');
is( $node->safe_psql('postgres',
        "SELECT storage FROM lokbackup_removals WHERE backup_id = $backup->{id}"),
    "s3://$bucket/$prefix", 'the removal waits in lokbackup_removals, for the bucket');
ok(poll_until($node,
        "SELECT attempts >= 1 FROM lokbackup_removals WHERE backup_id = $backup->{id}", 't'),
    'the worker tries it while S3 is down, and records the failure');
like($node->safe_psql('postgres',
        "SELECT last_error FROM lokbackup_removals WHERE backup_id = $backup->{id}"),
    qr/\S/, 'with its error');

$s3->start_proxy;
ok(poll_until($node,
        "SELECT count(*) FROM lokbackup_removals WHERE backup_id = $backup->{id}", '0'),
    'once S3 is back, the worker does the removal and drops its row');
is_deeply([ grep { index($_, $key) == 0 } @{ $s3->keys($bucket) } ], [],
    'the object and its manifest are gone from the bucket');
is_deeply([ glob(storage_dir($node) . '/*') ], [], 'nothing was looked for in the directory');

$node->stop;
done_testing();
