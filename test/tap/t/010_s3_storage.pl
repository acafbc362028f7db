# Backups in S3 (OpenStack Swift's S3 API on loopback): each backup lands in the bucket as its
# object and manifest, with the catalog's checksum and sizes, also under a key that SigV4 must
# sign percent-encoded; a database larger than one part goes up as a multipart upload of parts of
# lokbackup.s3_part_size, and none is left open; `lokbackup restore` and `verify` read through
# the plan's presigned URLs, without keys, and refuse a damaged object; a presigned download URL
# works until it expires; lokbackup_delete() removes object and manifest from the bucket.
# Everything in the bucket is looked at with an independent client (the aws command).
use strict;
use warnings FATAL => 'all';

use Encode ();
use IPC::Run ();
use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;
use Time::HiRes ();

# The lokbackup program must find its way through the plan's presigned URLs alone.
delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $s3 = S3TestServer->start('storage');
my $bucket = 'lokbackup-storage';
my $prefix = 'cluster-a';
$s3->create_bucket($bucket);

my $node = create_node('s3_storage',
    settings => { $s3->settings($bucket, $prefix), 'lokbackup.databases' => 'app' });
populate_app_database($node, 'app');
my $source_dump = dump_database($node, 'app');
my $scratch = PostgreSQL::Test::Utils::tempdir('downloads');

# sha256sum of the object as `aws s3 cp` downloads it.
sub stored_sha256
{
    my ($object_key) = @_;
    my $path = "$scratch/" . ($object_key =~ s{/}{_}gr);
    $s3->download($bucket, "$prefix/$object_key", $path);
    return file_sha256($path);
}

# curl of a URL into a file: the HTTP status, and the file.
sub curl
{
    my ($url, $path) = @_;
    my ($status, $err) = ('', '');
    IPC::Run::run([ 'curl', '-sS', '-o', $path, '-w', '%{http_code}', $url ],
        '>', \$status, '2>', \$err);
    return ($status, $err);
}

# --- 1. a backup lands in the bucket ---
my $ids = run_backup($node);
my $rows = run_backups($node, $ids);
is_deeply(
    [ map { $_->{status} } @$rows ],
    [ 'completed', 'completed' ],
    'a run to S3 completes: the roles and app');
my $app = backup_of($node, $ids, 'app');
my $roles = backup_of($node, $ids, undef);
like(
    $app->{object_key},
    qr{^app/\d{4}/\d{2}/app-manual-\d{8}T\d{6}Z-$app->{id}\.sql\.zst$},
    'the object key has the same form as in a directory');

is_deeply(
    $s3->keys($bucket),
    [   sort map { ("$prefix/$_->{object_key}", "$prefix/$_->{object_key}.manifest.json") } $app,
        $roles ],
    'the bucket holds, below the prefix, each backup\'s object and manifest, and nothing else');
my $sizes = $s3->sizes($bucket, $prefix);
is($sizes->{"$prefix/$app->{object_key}"},
    $app->{size}, 'the object in the bucket has the recorded size');
is(stored_sha256($app->{object_key}),
    $app->{sha256}, 'sha256sum of the object downloaded with aws s3 cp equals the recorded sha256');
is(stored_sha256($roles->{object_key}), $roles->{sha256}, 'so does the roles backup\'s');

my $manifest =
  JSON::PP::decode_json($s3->object_bytes($bucket, "$prefix/$app->{object_key}.manifest.json"));
manifest_agrees($manifest, $app, 'the manifest in the bucket agrees with the catalog');
is_deeply($s3->open_uploads($bucket), [], 'no multipart upload is open');

# --- 3. restore and verify through the plan's presigned URLs ---
my $plan = $node->safe_psql('postgres',
    "SELECT location || ' ' || manifest_location FROM lokbackup_restore_plan('latest', 'app')");
my ($location, $manifest_location) = split ' ', $plan;
like(
    $location,
    qr{^\Q${\ $s3->endpoint }/$bucket/$prefix/$app->{object_key}?\E.*X-Amz-Signature=},
    'the plan\'s location is a presigned URL of the object at the endpoint');
like(
    $manifest_location,
    qr{^\Q${\ $s3->endpoint }/$bucket/$prefix/$app->{object_key}.manifest.json?\E},
    'the plan\'s manifest_location is a presigned URL of the manifest');

my $restore = run_lokbackup($node,
    [ 'restore', 'latest', '--database', 'app', '--dbname', 'app_copy', '--create', '--yes' ]);
is($restore->{exit}, 0, 'lokbackup restore of a backup in S3 exits 0, without S3 keys')
  or diag("stderr: $restore->{stderr}");
dumps_equal(eval { dump_database($node, 'app_copy') } // "(no database: $@)",
    $source_dump, 'pg_dump of the copy restored from S3 equals pg_dump of the source');

my $verify = run_lokbackup($node, [ 'verify', $app->{id} ]);
is($verify->{exit}, 0, 'lokbackup verify of a backup in S3 exits 0');
like($verify->{stdout}, qr/\bOK\b/, 'lokbackup verify says OK');

# --- a database whose name is percent-encoded in its key: SigV4 signs the encoded key ---
my $odd = 'Zürich 100% ☃/x+y';
$node->safe_psql('postgres', qq{CREATE DATABASE "$odd" ENCODING 'UTF8' TEMPLATE template0});
$node->safe_psql($odd, q{CREATE TABLE t (v text); INSERT INTO t VALUES ('Zürich ☃')});
my $odd_source = dump_database($node, $odd);
reload_settings($node, 'lokbackup.databases' => qq{"$odd"});

# (Rows come decoded from JSON: characters, where $odd is UTF-8 bytes.)
my ($odd_row) = grep { defined $_->{database} } @{ run_backups($node, run_backup($node)) };
is( $odd_row->{database},
    Encode::decode('UTF-8', $odd),
    'a run backs up the database named with %, /, + and non-ASCII');
is($odd_row->{status}, 'completed', 'its backup completes');
like(
    $odd_row->{object_key},
    qr{^Z%C3%BCrich%20100%25%20%E2%98%83%2Fx%2By/},
    'its key has the name percent-encoded');
is(stored_sha256($odd_row->{object_key}),
    $odd_row->{sha256}, 'the object under that key has the recorded sha256');
my $odd_restore = run_lokbackup($node,
    [ 'restore', 'latest', '--database', $odd, '--dbname', 'odd_copy', '--create', '--yes' ]);
is($odd_restore->{exit}, 0, 'its restore through the presigned URL exits 0')
  or diag("stderr: $odd_restore->{stderr}");
dumps_equal(eval { dump_database($node, 'odd_copy') } // "(no database: $@)",
    $odd_source, 'pg_dump of its copy equals pg_dump of the source');
$node->safe_psql('postgres', "SELECT lokbackup_delete($odd_row->{id})");
is_deeply([ grep { index($_, $odd_row->{object_key}) >= 0 } @{ $s3->keys($bucket) } ],
    [], 'lokbackup_delete() removes its object and manifest');

# --- 2. a database larger than one part: a multipart upload ---
# ~19 MB of md5 text, stored without compression: three parts of 5 MiB and a smaller last one.
$node->safe_psql('postgres', 'CREATE DATABASE big');
$node->safe_psql('big',
        'CREATE TABLE filler (id int, a text, b text); '
      . 'INSERT INTO filler SELECT i, md5(i::text), md5((-i)::text) '
      . 'FROM generate_series(1, 260000) i');
reload_settings(
    $node,
    'lokbackup.databases' => 'big',
    'lokbackup.compression' => 'none',
    'lokbackup.s3_part_size' => '5MB');
my $big_ids = run_backup($node);
my $big = backup_of($node, $big_ids, 'big');
is($big->{status}, 'completed', 'the backup of a database of several parts completes');
my $part_size = 5 * 1024 * 1024;
my $parts = int(($big->{size} + $part_size - 1) / $part_size);
ok($parts >= 4, "the object ($big->{size} bytes) needs $parts parts of 5 MiB");
is($big->{size}, $big->{raw_size}, 'compression none: stored size equals raw size');

my $head = $s3->aws_json('head-object', '--bucket', $bucket, '--key', "$prefix/$big->{object_key}");
is($head->{ContentLength}, $big->{size}, 'the object in the bucket has the recorded size');
like($head->{ETag}, qr/-$parts"?$/,
    "S3 made the object of a multipart upload of $parts parts (its ETag ends in -$parts)");
my $manifest_head = $s3->aws_json('head-object', '--bucket', $bucket, '--key',
    "$prefix/$big->{object_key}.manifest.json");
unlike($manifest_head->{ETag}, qr/-\d+"?$/, 'the small manifest went up in one PUT');
is(stored_sha256($big->{object_key}),
    $big->{sha256}, 'sha256sum of the multipart object equals the recorded sha256');
is_deeply($s3->open_uploads($bucket), [], 'no multipart upload is left open');
my $verify_big = run_lokbackup($node, [ 'verify', $big->{id} ]);
is($verify_big->{exit}, 0, 'lokbackup verify of the multipart object exits 0');

# A damaged object in the bucket is refused: the multipart object with one byte flipped, put back
# by the independent client.
{
    my $path = "$scratch/damaged";
    $s3->download($bucket, "$prefix/$big->{object_key}", $path);
    flip_byte($path);
    $s3->aws_ok('s3', 'cp', '--only-show-errors', $path, "s3://$bucket/$prefix/$big->{object_key}");
    my $damaged = run_lokbackup($node, [ 'verify', $big->{id} ]);
    isnt($damaged->{exit}, 0, 'lokbackup verify of a damaged object in S3 exits non-zero');
    like($damaged->{stderr}, qr/checksum mismatch|corrupt/, 'and says why');
    $node->safe_psql('postgres', 'CREATE DATABASE target');
    $node->safe_psql('target', 'CREATE TABLE marker (note text)');
    my $refused = run_lokbackup($node,
        [ 'restore', $big->{id}, '--database', 'big', '--dbname', 'target', '--yes' ]);
    isnt($refused->{exit}, 0, 'lokbackup restore of the damaged object fails');
    is( user_relations($node, 'target'),
        'relation marker',
        'the target keeps exactly what it had, nothing of the dump');
}

# --- 7. a presigned download URL works until it expires ---
my $url = $node->safe_psql('postgres', "SELECT lokbackup_download_url($app->{id}, '2 seconds')");
my ($status, $error) = curl($url, "$scratch/download");
is($status, '200', 'curl downloads the backup through its presigned URL') or diag($error);
is(file_sha256("$scratch/download"), $app->{sha256}, 'the download has the recorded sha256');
is( $node->safe_psql(
        'postgres',
        "SELECT action || ' ' || (detail->>'valid_for_seconds') FROM lokbackup_audit "
          . "WHERE backup_id = $app->{id} ORDER BY id DESC LIMIT 1"),
    'download_url 2',
    'the download URL is audited with its validity');

my $expired = 0;
my $deadline = Time::HiRes::time() + 30;
while (Time::HiRes::time() < $deadline)
{
    ($status) = curl($url, "$scratch/expired");
    if ($status eq '403')
    {
        $expired = 1;
        last;
    }
    Time::HiRes::usleep(250_000);
}
ok($expired, 'once its 2 seconds have passed, the URL is refused (403)');
like(slurp_bytes("$scratch/expired"), qr/expired/i, 'S3 says the request has expired');

# --- 10. lokbackup_delete() removes object and manifest from the bucket ---
$node->safe_psql('postgres', "SELECT lokbackup_delete($app->{id})");
is(backup_row($node, $app->{id})->{status}, 'deleted', 'the deleted backup\'s row says deleted');
my @left = grep { index($_, $app->{object_key}) >= 0 } @{ $s3->keys($bucket) };
is_deeply(\@left, [], 'its object and manifest are gone from the bucket');
ok((grep { $_ eq "$prefix/$roles->{object_key}" } @{ $s3->keys($bucket) }),
    'the other backups\' objects stay');

$node->stop;
$s3->stop;
done_testing();
