# S3 failures: a wrong secret fails the backup with a message about the credentials and leaves
# nothing in the bucket; an S3 endpoint that goes away in the middle of a multipart upload makes
# the backup child retry (logged), then fail, and no multipart upload stays open once S3 is back;
# an endpoint that comes back while the child retries lets the backup complete.
#
# How an upload is caught in the middle, deterministically: pg_dump writes the data of the tables
# first and of the large objects last, and it takes no lock on pg_largeobject up front. A session
# that holds pg_largeobject locked therefore stops pg_dump after the ~19 MB of table data, which
# the backup child has by then sent as parts of 5 MiB; the test stops the S3 endpoint (the Swift
# proxy) and only then releases the lock, so that the next request of the upload meets a dead
# endpoint.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;
use Time::HiRes ();

my $s3 = S3TestServer->start('failures');
my $bucket = 'lokbackup-failures';
$s3->create_bucket($bucket);

my $node = create_node(
    's3_failures',
    settings => {
        $s3->settings($bucket),
        'lokbackup.databases' => 'big',
        'lokbackup.compression' => 'none',
        'lokbackup.s3_part_size' => '5MB', });
$node->safe_psql('postgres', 'CREATE DATABASE big');
$node->safe_psql('big', <<'SQL');
CREATE TABLE filler (id int, a text, b text);
INSERT INTO filler SELECT i, md5(i::text), md5((-i)::text) FROM generate_series(1, 260000) i;
SELECT lo_from_bytea(0, convert_to(repeat('large object ', 1000), 'UTF8'));
SQL

# Keys in the bucket that belong to backup `row` (its object, its manifest).
sub keys_of
{
    my ($row) = @_;
    return [ grep { index($_, $row->{object_key}) >= 0 } @{ $s3->keys($bucket) } ];
}

# Open multipart uploads of backup `row`'s object.
sub uploads_of
{
    my ($row) = @_;
    return [ grep { index($_, $row->{object_key}) == 0 } @{ $s3->open_uploads($bucket) } ];
}

# The parts uploaded so far to an open upload ("key uploadid").
sub parts_uploaded
{
    my ($upload) = @_;
    my ($key, $id) = split ' ', $upload;
    my $parts = $s3->aws_json('list-parts', '--bucket', $bucket, '--key', $key, '--upload-id', $id);
    return scalar @{ $parts->{Parts} // [] };
}

# Starts a backup of big that pg_dump stops in the middle (see the top); returns the lock's
# session and the backup's row once three parts of the upload are in S3.
sub start_interrupted_upload
{
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $lock = hold_lock($node, 'big', 'pg_catalog.pg_largeobject');
    my $row = backup_of($node, start_backup($node), 'big');
    ok(wait_until_dump_blocked($node, 'big'),
        "backup $row->{id}: pg_dump waits at the large objects");
    my $uploaded = 0;
    my $deadline = Time::HiRes::time() + $LokbackupTest::default_timeout;
    while (Time::HiRes::time() < $deadline)
    {
        my ($upload) = @{ uploads_of($row) };
        $uploaded = $upload ? parts_uploaded($upload) : 0;
        last if $uploaded >= 3;
        Time::HiRes::usleep(100_000);
    }
    is($uploaded, 3, "backup $row->{id}: a multipart upload is open, three parts are in S3");
    return ($lock, $row);
}

# --- 4. a wrong secret ---
my $wrong_secret = 'Wrong-Secret-7f3a9c';
reload_settings($node, 'lokbackup.s3_secret_access_key' => $wrong_secret);
my $log_offset = -s $node->logfile;
my $ids = run_backup_allow_failures($node);
for my $row (@{ run_backups($node, $ids) })
{
    my $what = defined $row->{database} ? "the backup of $row->{database}" : 'the roles backup';
    is($row->{status}, 'failed', "wrong secret: $what failed");
    like(
        $row->{error},
        qr/S3\ rejected\ the\ credentials\ \((SignatureDoesNotMatch|InvalidAccessKeyId)\b.*
           check\ lokbackup\.s3_access_key_id\ and\ lokbackup\.s3_secret_access_key/x,
        "wrong secret: $what says that S3 rejected the credentials and what to check");
    unlike($row->{error}, qr/\Q$wrong_secret\E/,
        "wrong secret: the error of $what does not show it");
    is_deeply(keys_of($row), [], "wrong secret: nothing of $what is in the bucket");
}
is_deeply($s3->open_uploads($bucket), [], 'wrong secret: no multipart upload is open');
ok( $node->log_contains(
        qr/lokbackup: backup \d+ of database "big" failed: .*S3 rejected the credentials/, $log_offset),
    'wrong secret: the server log has the failure');

# --- 5. S3 goes away in the middle of a multipart upload, for longer than the retries last ---
reload_settings(
    $node,
    'lokbackup.s3_secret_access_key' => $s3->secret,
    'lokbackup.s3_max_attempts' => '3',
    'lokbackup.s3_retry_deadline' => '5s');
{
    $log_offset = -s $node->logfile;
    my ($lock, $row) = start_interrupted_upload();
    $s3->stop_proxy;
    release_lock($lock);
    ok(wait_for_status($node, $row->{id}, 'failed'), 'S3 gone: the backup fails');
    my $error = backup_row($node, $row->{id})->{error};
    like(
        $error,
        qr/upload part \d+ of s3:\/\/$bucket\/\Q$row->{object_key}\E/,
        'S3 gone: its error names the request that failed');
    like($error, qr/gave up after 3 attempts/, 'S3 gone: its error says how often it was tried');
    my $log = slurp_file($node->logfile, $log_offset);

    for my $attempt (1, 2)
    {
        like(
            $log,
            qr/lokbackup:\ stderr\ of\ backup\ $row->{id}:\ lokbackup:\ upload\ part\ \d+\ of\ \S+:\ .*;
               \ retrying\ in\ [\d.]+\ s\ \(attempt\ $attempt\ of\ 3\ failed\)$/mx,
            "S3 gone: the server log has a line for the retry after attempt $attempt");
    }

    # The worker then tries to remove what the backup left (object, manifest, open uploads):
    # with S3 still away, that fails too, and it says so.
    ok( $node->wait_for_log(
            qr/WARNING:  lokbackup: could not remove backup object \Q$row->{object_key}\E: /,
            $log_offset),
        'S3 gone: the worker warns that it could not remove what the backup left');

    # S3 comes back. The worker tries the failed removal again (it waits in lokbackup_removals):
    # then nothing of the failed backup is left open.
    $s3->start_proxy;
    my $next = backup_of($node, run_backup($node), 'big');
    is($next->{status}, 'completed', 'S3 back: the next backup completes');
    my $deadline = time + 150;
    while (@{ uploads_of($row) } && time < $deadline)
    {
        Time::HiRes::usleep(500_000);    # polling, with the deadline above
    }
    is_deeply(uploads_of($row), [],
        'S3 back: no multipart upload of the failed backup is left open');
    ok(poll_until($node,
            "SELECT count(*) FROM lokbackup_removals WHERE backup_id = $row->{id}", '0'),
        'S3 back: the worker did the removal on a later try and dropped it from lokbackup_removals');
    is_deeply(keys_of($row), [], 'S3 back: no object or manifest of the failed backup is there');
}

# --- 6. S3 comes back while the backup child retries ---
reload_settings(
    $node,
    'lokbackup.s3_max_attempts' => '20',
    'lokbackup.s3_retry_deadline' => '90s');
{
    $log_offset = -s $node->logfile;
    my ($lock, $row) = start_interrupted_upload();
    $s3->stop_proxy;
    release_lock($lock);
    $log_offset = $node->wait_for_log(qr/lokbackup: stderr of backup $row->{id}: lokbackup: .*retrying in/, $log_offset);
    ok($log_offset, 'S3 gone for a while: the backup child retries');
    $s3->start_proxy;
    ok( wait_for_status($node, $row->{id}, 'completed'),
        'S3 back within the retry deadline: the backup completes');
    my $done = backup_row($node, $row->{id});
    my $path = PostgreSQL::Test::Utils::tempdir('object') . '/object';
    $s3->download($bucket, $done->{object_key}, $path);
    my ($sha256) = split ' ', `sha256sum '$path'`;
    is($sha256, $done->{sha256}, 'the object in S3 has the recorded sha256');
    is(-s $path, $done->{size}, 'and the recorded size');
    is_deeply(
        keys_of($done),
        [ sort "$done->{object_key}", "$done->{object_key}.manifest.json" ],
        'its object and manifest are in the bucket');
    is_deeply(uploads_of($done), [], 'no multipart upload of it is left open');
    my $verify = run_lokbackup($node, [ 'verify', $done->{id} ]);
    is($verify->{exit}, 0, 'lokbackup verify of it exits 0');
}

$node->stop;
$s3->stop;
done_testing();
