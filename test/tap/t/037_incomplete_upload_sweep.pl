# The worker sweeps incomplete uploads as it starts (and once a day): what an interrupted writer
# left and nobody removed. In a directory, a ".partial" file older than a day goes and a fresh one
# stays; in S3, an open multipart upload under the prefix is listed, and a fresh one is not
# aborted (one older than a day is aborted through the same driver calls, which the unit tests
# cover against a fake S3 that can date an upload: a real server cannot be made to backdate one).
use strict;
use warnings FATAL => 'all';

use File::Path qw(make_path);
use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

my $node = create_node('upload_sweep', settings => { 'lokbackup.databases' => 'app' });
my $storage = storage_dir($node);

# --- a directory ---
my $directory = "$storage/app/2026/11";
make_path($directory);
my $old = "$directory/app-daily-20261101T030000Z-7.sql.zst.partial";
my $fresh = "$directory/app-daily-20261130T030000Z-8.sql.zst.partial";
for my $file ($old, $fresh)
{
    open my $fh, '>', $file or die "cannot create $file: $!";
    close $fh;
}
my $two_days_ago = time - 2 * 24 * 3600;
utime($two_days_ago, $two_days_ago, $old) or die "cannot date $old: $!";

my $offset = log_offset($node);
$node->restart;
ok( defined wait_for_log_line(
        $node,
        qr/LOG:  lokbackup: swept incomplete uploads in \Q$storage\E: 2 found, 1 older than a day discarded/,
        $offset),
    'as it starts, the worker sweeps the storage directory and says what it found');
ok(!-e $old, 'the partial file older than a day is removed');
ok(-e $fresh, 'the fresh one stays');

# --- S3 ---
my $s3 = S3TestServer->start('upload_sweep');
my $bucket = 'lokbackup-sweep';
my $prefix = 'cluster-a';
$s3->create_bucket($bucket);
my $upload = $s3->aws_json('create-multipart-upload', '--bucket', $bucket, '--key',
    "$prefix/app/2026/12/app-manual-20261202T030000Z-9.sql.zst");
my $outside = $s3->aws_json('create-multipart-upload', '--bucket', $bucket, '--key',
    'elsewhere/app.sql.zst');
my @open_before = @{ $s3->open_uploads($bucket) };
is(scalar @open_before, 2, 'two multipart uploads are open, one under the prefix');

my %s3_settings = $s3->settings($bucket, $prefix);
$node->append_conf('postgresql.conf',
    join('', map { "$_ = " . LokbackupTest::conf_quote($s3_settings{$_}) . "\n" } sort keys %s3_settings));
$offset = log_offset($node);
$node->restart;
ok( defined wait_for_log_line(
        $node,
        qr{LOG:  lokbackup: swept incomplete uploads in s3://$bucket/$prefix: 1 found, 0 older than a day discarded},
        $offset),
    'as it starts, the worker lists the open uploads under the prefix only');
is_deeply($s3->open_uploads($bucket), \@open_before, 'a fresh upload is not aborted');

$node->stop;
done_testing();
