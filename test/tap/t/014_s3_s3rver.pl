# A second S3 implementation, s3rver, which checks SigV4 signatures but can neither list nor abort
# multipart uploads (it answers NotImplemented): backups, multipart included, land with the
# catalog's checksum; a restore through the plan's presigned URLs gives the same database; and
# lokbackup_delete() still removes object and manifest, although the search for incomplete
# uploads that goes with a removal is not possible there.
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $s3 = S3TestServer->start_s3rver('light');
my $bucket = 'lokbackup-light';
$s3->create_bucket($bucket);

my $node = create_node(
    's3rver',
    settings => {
        $s3->settings($bucket, 'pg'),
        'lokbackup.databases' => 'app,big',
        'lokbackup.s3_part_size' => '5MB', });
populate_app_database($node, 'app');
$node->safe_psql('postgres', 'CREATE DATABASE big');
$node->safe_psql('big',
        'CREATE TABLE filler (id int, a text, b text); '
      . 'INSERT INTO filler SELECT i, md5(i::text), md5((-i)::text) '
      . 'FROM generate_series(1, 260000) i');
my $source_dump = dump_database($node, 'app');
my $scratch = PostgreSQL::Test::Utils::tempdir('downloads');

my $list = $s3->aws([ 's3api', 'list-multipart-uploads', '--bucket', $bucket ]);
like($list->{stderr}, qr/NotImplemented/, 's3rver cannot list multipart uploads');

# zstd: big's ~19 MB of md5 text shrinks to about half, still more than one part of 5 MiB.
my $ids = run_backup($node);
is_deeply(
    [ map { $_->{status} } @{ run_backups($node, $ids) } ],
    [ 'completed', 'completed', 'completed' ],
    'a run to s3rver completes: roles, app and big');
for my $database (qw(app big))
{
    my $row = backup_of($node, $ids, $database);
    my $path = "$scratch/$database";
    $s3->download($bucket, "pg/$row->{object_key}", $path);
    my $out = '';
    IPC::Run::run([ 'sha256sum', $path ], '>', \$out);
    is((split ' ', $out)[0],
        $row->{sha256}, "$database: the object in s3rver has the recorded sha256");
    ok((grep { $_ eq "pg/$row->{object_key}.manifest.json" } @{ $s3->keys($bucket) }),
        "$database: its manifest is there");
}
my $big = backup_of($node, $ids, 'big');
ok($big->{size} > 5 * 1024 * 1024, "big's object ($big->{size} bytes) took a multipart upload");

my $restore = run_lokbackup($node,
    [ 'restore', 'latest', '--database', 'app', '--dbname', 'app_copy', '--create', '--yes' ]);
is($restore->{exit}, 0, 'lokbackup restore from s3rver exits 0') or diag($restore->{stderr});
dumps_equal(eval { dump_database($node, 'app_copy') } // "(no database: $@)",
    $source_dump, 'pg_dump of the copy restored from s3rver equals pg_dump of the source');

my $app = backup_of($node, $ids, 'app');
my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', "SELECT lokbackup_delete($app->{id})");
is_deeply([ grep { index($_, $app->{object_key}) >= 0 } @{ $s3->keys($bucket) } ],
    [], 'lokbackup_delete() removes object and manifest from s3rver');
ok(!$node->log_contains(qr/could not remove backup object/, $log_offset),
    'and does not warn that it could not');

# A wrong secret is refused with the same advice as by Swift.
reload_settings($node, 'lokbackup.s3_secret_access_key' => 'not-the-secret');
my $wrong = backup_of($node, run_backup_allow_failures($node), 'app');
is($wrong->{status}, 'failed', 'wrong secret: the backup fails');
like(
    $wrong->{error},
    qr/S3\ rejected\ the\ credentials\ .*
       check\ lokbackup\.s3_access_key_id\ and\ lokbackup\.s3_secret_access_key/x,
    'wrong secret: the error says what to check');

$node->stop;
$s3->stop;
done_testing();
