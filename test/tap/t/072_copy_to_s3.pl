# `lokbackup copy` into a second destination in S3 (s3rver, which checks SigV4 signatures): the
# program writes with the keys of its own environment, the server reads the copy with the keys of
# lokbackup.storage_copy_s3_*; verify reads both copies, and a restore with a damaged primary comes
# from the bucket.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $s3 = S3TestServer->start_s3rver('copy');
my $bucket = 'lokbackup-copy';
$s3->create_bucket($bucket);

my $node = create_node('copy_to_s3', settings => { 'lokbackup.databases' => 'app' });
populate_app_database($node, 'app');
my $backup = backup_of($node, run_backup($node), 'app');
is($backup->{status}, 'completed', 'a backup into the directory, before the copy was set');
my $id = $backup->{id};

my %copy_settings = $s3->settings($bucket, 'copies');
reload_settings(
    $node,
    'lokbackup.storage_copy' => $copy_settings{'lokbackup.storage'},
    'lokbackup.storage_copy_s3_endpoint' => $copy_settings{'lokbackup.s3_endpoint'},
    'lokbackup.storage_copy_s3_region' => $copy_settings{'lokbackup.s3_region'},
    'lokbackup.storage_copy_s3_path_style' => 'on');
# Superuser-only settings: current_setting() in reload_settings() would show them, but their values
# are checked by what the server can read with them below.
$node->append_conf('postgresql.conf',
        "lokbackup.storage_copy_s3_access_key_id = '$copy_settings{'lokbackup.s3_access_key_id'}'\n"
      . "lokbackup.storage_copy_s3_secret_access_key = '$copy_settings{'lokbackup.s3_secret_access_key'}'\n");
$node->reload;

my $copy = run_lokbackup($node, ['copy']);
is($copy->{exit}, 1, 'copy without keys fails');
like($copy->{stderr}, qr/lokbackup copy writes to s3:\/\/$bucket\/copies with keys of its own: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its environment, or give --credentials-file/,
    'and says where its keys come from');

$copy = run_lokbackup($node, ['copy'], env => { $s3->client_env });
is($copy->{exit}, 0, 'copy with the keys in the environment exits 0');
like($copy->{stdout}, qr/^backup $id: copied to .*$bucket/m, 'the backup was copied into the bucket');

my $verify = run_lokbackup($node, [ 'verify', $id ]);
is($verify->{exit}, 0, 'verify reads both copies, the bucket\'s through the server\'s copy keys');
like($verify->{stdout}, qr/all 2 copies intact/, 'and says both are intact');

flip_byte(object_path($node, $backup->{object_key}));
my $restore = run_lokbackup($node, [ 'restore', $id, '--dbname', 'from_bucket', '--create' ]);
is($restore->{exit}, 0, 'a restore with a damaged primary succeeds');
like($restore->{stderr}, qr/restored from the copy at s3:\/\/$bucket\/copies/, 'from the copy in the bucket');
is(user_relations($node, 'from_bucket'), user_relations($node, 'app'), 'with the source\'s relations');

done_testing();
