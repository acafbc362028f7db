# A second destination (lokbackup.storage_copy): every backup stored in two places, each with its
# own keys, restorable from either.
#   Swift (primary) + s3rver (copy): one dump lands in both with the catalog's checksum and a
#   manifest beside each; the copy required and its server down: the backup fails and neither
#   place keeps anything; the copy optional: the backup completes with one copy, the failure is
#   in the catalog, the log and a webhook notice; `lokbackup copy` fills the copy in afterwards;
#   a primary object deleted or corrupted behind lokbackup's back: restore falls back to the copy
#   and says so; a download URL signs the copy once a verify found the primary gone; `--from`
#   lists the copy alone; deleting a backup removes both copies.
#   A local directory (primary) + Swift (copy): the same round trip; a download URL signs the copy.
use strict;
use warnings FATAL => 'all';

use Digest::SHA ();
use HTTP::Tiny;
use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $swift = S3TestServer->start('primary');
my $s3rver = S3TestServer->start_s3rver('copy');
$swift->create_bucket('main-bucket');
$s3rver->create_bucket('copy-bucket');
my $hook = start_webhook_sink();

# The copy's settings: s3rver, with its own keys (Swift's are the primary's).
sub copy_settings
{
    my ($server, $bucket, %override) = @_;
    return (
        'lokbackup.storage_copy' => "s3://$bucket/pg",
        'lokbackup.storage_copy_s3_endpoint' => $server->endpoint,
        'lokbackup.storage_copy_s3_region' => 'us-east-1',
        'lokbackup.storage_copy_s3_path_style' => 'on',
        'lokbackup.storage_copy_s3_access_key_id' => $server->access_key,
        'lokbackup.storage_copy_s3_secret_access_key' => $server->secret,
        %override);
}

my $node = create_node(
    'two_places',
    settings => {
        $swift->settings('main-bucket', 'pg'),
        copy_settings($s3rver, 'copy-bucket'),
        'lokbackup.databases' => 'app',
        'lokbackup.s3_max_attempts' => '2',
        'lokbackup.s3_retry_deadline' => '5s',
        'lokbackup.notify_on' => 'failure',
        'lokbackup.notify_webhook' => 'http://127.0.0.1:' . $hook->port . '/hook' });
populate_app_database($node, 'app');
my $source_dump = dump_database($node, 'app');
my $scratch = PostgreSQL::Test::Utils::tempdir('downloads');

sub copies_of
{
    my ($id) = @_;
    return decode_rows(
        $node->safe_psql(
            'postgres',
            "SELECT row_to_json(c) FROM lokbackup_copies c WHERE backup_id = $id ORDER BY storage"));
}

sub keys_of
{
    my ($server, $bucket, $object_key) = @_;
    return [ sort grep { index($_, $object_key) >= 0 } @{ $server->keys($bucket) } ];
}

# What a presigned URL from lokbackup_download_url(id) gives: "<copy it signed> <HTTP status>
# <SHA-256 of the body, or - for an error>", the copy as the audit trail records it.
sub download_through_url
{
    my ($node, $id) = @_;
    my $url = $node->safe_psql('postgres', "SELECT lokbackup_download_url($id)");
    my $response = HTTP::Tiny->new(timeout => 60)->get($url);
    my $signed = $node->safe_psql('postgres',
        "SELECT detail->>'destination' FROM lokbackup_audit WHERE backup_id = $id "
          . "AND action = 'download_url' ORDER BY id DESC LIMIT 1");
    return join(' ', $signed, $response->{status},
        $response->{status} == 200 ? Digest::SHA::sha256_hex($response->{content}) : '-');
}

sub nothing_in_progress
{
    my ($what) = @_;
    is( $node->safe_psql(
            'postgres',
            "SELECT (SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress'))"
              . " + (SELECT count(*) FROM lokbackup_copies WHERE status = 'in_progress')"),
        '0',
        "$what: no backup and no copy is left pending or in progress");
}

# --- Both places -----------------------------------------------------------------------------
my $ids = run_backup($node);
my $app = backup_of($node, $ids, 'app');
is($app->{status}, 'completed', 'a backup with a copy completes');
for my $place ([ 'Swift (primary)', $swift, 'main-bucket' ],
    [ 's3rver (copy)', $s3rver, 'copy-bucket' ])
{
    my ($name, $server, $bucket) = @$place;
    my $path = $server->download($bucket, "pg/$app->{object_key}", "$scratch/app-$server->{kind}");
    is(file_sha256($path), $app->{sha256}, "$name holds the object with the catalog's sha256");
    is(-s $path, $app->{size}, "$name: and its size");
    ok((grep { $_ eq "pg/$app->{object_key}.manifest.json" } @{ $server->keys($bucket) }),
        "$name: the manifest is beside it");
}
my ($copy) = @{ copies_of($app->{id}) };
is($copy->{status}, 'completed', 'lokbackup_copies: the copy is completed');
is($copy->{storage}, 's3://copy-bucket/pg', 'lokbackup_copies: it names the copy destination');
is($copy->{sha256}, $app->{sha256}, "lokbackup_copies: the copy's sha256 is the backup's");
is($copy->{size}, $app->{size}, "lokbackup_copies: the copy's size is the backup's");
is( $node->safe_psql(
        'postgres',
        "SELECT string_agg(destination || ' ' || status, ', ' ORDER BY destination DESC)"
          . " FROM lokbackup_backup_copies WHERE backup_id = $app->{id}"),
    'primary completed, copy completed',
    'lokbackup_backup_copies shows the primary and the copy');
is($node->safe_psql('postgres', "SELECT copies FROM lokbackup_list() WHERE id = $app->{id}"),
    '2 of 2', "lokbackup_list() says the backup is in both places");
is( $node->safe_psql(
        'postgres',
        "SELECT count(*) FROM pg_settings WHERE name IN"
          . " ('lokbackup.s3_secret_access_key', 'lokbackup.storage_copy_s3_secret_access_key')"),
    '0',
    'pg_settings lists neither secret, like the primary\'s, even to a superuser');
$node->safe_psql('postgres', 'CREATE ROLE watcher LOGIN; GRANT lokbackup_admin TO watcher');
my ($shown, $show_out, $show_err) = $node->psql('postgres',
    'SET ROLE watcher; SHOW lokbackup.storage_copy_s3_secret_access_key');
isnt($shown, 0, 'an admin that is not superuser cannot SHOW the copy secret');
unlike($show_out . $show_err, qr/\Q${\ $s3rver->secret }\E/, 'and is not told it');

# --- The copy required and its server down: the backup fails, neither place keeps anything ----
my $closed = closed_port();
reload_settings($node,
    'lokbackup.storage_copy_s3_endpoint' => "http://127.0.0.1:$closed");
my $down = backup_of($node, run_backup_allow_failures($node), 'app');
is($down->{status}, 'failed', 'required copy, its server down: the backup fails');
like($down->{error}, qr{copy.*s3://copy-bucket/pg}, 'the error names the copy destination');
unlike($down->{error}, qr/\Q${\ $s3rver->secret }\E|\Q${\ $swift->secret }\E/,
    'the error carries no secret');
ok(wait_until(sub { !@{ keys_of($swift, 'main-bucket', $down->{object_key}) } }),
    'the primary keeps nothing of the failed backup');
is_deeply(keys_of($s3rver, 'copy-bucket', $down->{object_key}),
    [], 'the copy destination has nothing of it either');
is_deeply([ map { $_->{status} } @{ copies_of($down->{id}) } ],
    ['failed'], 'its copy row is failed');
nothing_in_progress('required copy down');

# --- Optional copy down: completed with one copy, visible and notified -----------------------
reload_settings($node, 'lokbackup.storage_copy_required' => 'off');
my $notices = $hook->count;
my $offset = log_offset($node);
my $one = backup_of($node, run_backup($node), 'app');
is($one->{status}, 'completed', 'optional copy, its server down: the backup completes');
my ($failed_copy) = @{ copies_of($one->{id}) };
is($failed_copy->{status}, 'failed', 'its copy row is failed');
ok(length($failed_copy->{error} // '') > 0, 'with the reason: ' . ($failed_copy->{error} // ''));
is($node->safe_psql('postgres', "SELECT copies FROM lokbackup_list() WHERE id = $one->{id}"),
    '1 of 2 (copy failed)', 'lokbackup_list() says one place of two');
ok(wait_for_log_line($node, qr/WARNING:.*backup $one->{id}.*copy/, $offset),
    'a WARNING in the server log names the backup and its copy');
my @notes = grep { ($_->{body} // '') =~ /s3:\/\/copy-bucket\/pg/ } @{ $hook->wait_for($notices + 1) };
ok(@notes, 'a webhook notice names the copy destination that failed');
ok(!(grep { ($_->{body} // '') =~ /\Q${\ $s3rver->secret }\E/ } @{ $hook->messages }),
    'no notice carries the copy secret');
nothing_in_progress('optional copy down');

# --- lokbackup copy fills the copy destination in --------------------------------------------
reload_settings($node,
    'lokbackup.storage_copy_s3_endpoint' => $s3rver->endpoint,
    'lokbackup.storage_copy_required' => 'on');
my %s3rver_env = (AWS_ACCESS_KEY_ID => $s3rver->access_key,
    AWS_SECRET_ACCESS_KEY => $s3rver->secret);
my $copied = run_lokbackup($node, ['copy'], env => \%s3rver_env);
is($copied->{exit}, 0, 'lokbackup copy exits 0') or diag($copied->{stderr});
like($copied->{stdout} . $copied->{stderr}, qr/\b$one->{id}\b/, 'it names the backup it copied');
my ($filled) = @{ copies_of($one->{id}) };
is($filled->{status}, 'completed', 'the copy row of the backup it filled in is completed');
my $filled_path = $s3rver->download('copy-bucket', "pg/$one->{object_key}", "$scratch/filled");
is(file_sha256($filled_path), $one->{sha256}, 'the filled-in copy has the catalog sha256');
my $again = run_lokbackup($node, ['copy'], env => \%s3rver_env);
is($again->{exit}, 0, 'lokbackup copy a second time exits 0');
unlike($again->{stdout}, qr/\bcopied\b.*\b$one->{id}\b/, 'and copies nothing again');
my $elsewhere = run_lokbackup($node, [ 'copy', '--to', 's3://another-bucket/x' ], env => \%s3rver_env);
isnt($elsewhere->{exit}, 0, 'lokbackup copy --to a place that is not lokbackup.storage_copy fails');
like($elsewhere->{stderr}, qr/lokbackup\.storage_copy/, 'and says what it must be');

# --- Restore falls back to the copy ----------------------------------------------------------
$swift->aws_ok('s3', 'rm', '--only-show-errors', "s3://main-bucket/pg/$app->{object_key}");
my $fallback = run_lokbackup($node,
    [ 'restore', $app->{id}, '--dbname', 'app_from_copy', '--create', '--yes' ]);
is($fallback->{exit}, 0, 'primary object deleted: restore exits 0') or diag($fallback->{stderr});
like($fallback->{stderr}, qr{s3://copy-bucket/pg}, 'it says it used the copy');
dumps_equal(eval { dump_database($node, 'app_from_copy') } // "(no database: $@)",
    $source_dump, 'the database restored from the copy equals the source');
is(download_through_url($node, $app->{id}), 'primary 404 -',
    'a download URL signs the primary while nothing says it is gone');
is(run_lokbackup($node, [ 'verify', $app->{id} ])->{exit}, 3, 'verify finds the primary gone');
is(download_through_url($node, $app->{id}), "copy 200 $app->{sha256}",
    'a primary that failed verification: the download URL signs the copy, which gives the backup');

# A primary object of the right size with other bytes.
my $corrupt = "$scratch/corrupt";
my $bytes = $s3rver->object_bytes('copy-bucket', "pg/$one->{object_key}");
substr($bytes, length($bytes) / 2, 1) = chr(ord(substr($bytes, length($bytes) / 2, 1)) ^ 0xff);
write_bytes($corrupt, $bytes);
$swift->aws_ok('s3', 'cp', '--only-show-errors', $corrupt, "s3://main-bucket/pg/$one->{object_key}");
my $past = run_lokbackup($node,
    [ 'restore', $one->{id}, '--dbname', 'app_past_corruption', '--create', '--yes' ]);
is($past->{exit}, 0, 'primary object corrupted: restore exits 0') or diag($past->{stderr});
like($past->{stderr}, qr/(checksum|SHA-256).*\n?.*s3:\/\/copy-bucket\/pg/s,
    'it says the primary did not match and that it used the copy');
dumps_equal(eval { dump_database($node, 'app_past_corruption') } // "(no database: $@)",
    $source_dump, 'the database restored past the corrupted primary equals the source');

# --- --from works on the copy alone ----------------------------------------------------------
my $from = run_lokbackup($node,
    [ 'list', '--from', 's3://copy-bucket/pg', '--s3-endpoint', $s3rver->endpoint, '--s3-path-style' ],
    env => \%s3rver_env);
is($from->{exit}, 0, 'lokbackup list --from the copy destination exits 0') or diag($from->{stderr});
like($from->{stdout}, qr/\b$app->{id}\b/, 'and lists the backup from its manifest there');

# --- Deleting a backup removes both copies ---------------------------------------------------
$node->safe_psql('postgres', "SELECT lokbackup_delete($one->{id})");
ok( wait_until(
        sub {
            !@{ keys_of($swift, 'main-bucket', $one->{object_key}) }
              && !@{ keys_of($s3rver, 'copy-bucket', $one->{object_key}) };
        }),
    'lokbackup_delete() removes object and manifest in both places');
is_deeply([ map { $_->{status} } @{ copies_of($one->{id}) } ],
    ['deleted'], 'its copy row is deleted');
nothing_in_progress('the end of the S3 + S3 part');
$node->stop;

# --- A local directory (primary) + Swift (copy) ----------------------------------------------
$swift->create_bucket('offsite');
my $local = create_node(
    'local_and_s3',
    settings => {
        copy_settings($swift, 'offsite'),
        'lokbackup.databases' => 'app' });
populate_app_database($local, 'app');
my $local_dump = dump_database($local, 'app');
my $row = backup_of($local, run_backup($local), 'app');
is($row->{status}, 'completed', 'local + S3: the backup completes');
my $local_path = object_path($local, $row->{object_key});
is(file_sha256($local_path), $row->{sha256}, 'local + S3: the local object has the sha256');
is(file_sha256($swift->download('offsite', "pg/$row->{object_key}", "$scratch/offsite")),
    $row->{sha256}, 'local + S3: the Swift copy has the same sha256');
is(download_through_url($local, $row->{id}), "copy 200 $row->{sha256}",
    'local + S3: a download URL signs the Swift copy (a directory has none)');
unlink $local_path or die "cannot remove $local_path: $!";
my $offsite = run_lokbackup($local,
    [ 'restore', 'latest', '--database', 'app', '--dbname', 'app_offsite', '--create', '--yes' ]);
is($offsite->{exit}, 0, 'local object gone: restore exits 0') or diag($offsite->{stderr});
like($offsite->{stderr}, qr{s3://offsite/pg}, 'it says it used the Swift copy');
dumps_equal(eval { dump_database($local, 'app_offsite') } // "(no database: $@)",
    $local_dump, 'the database restored from the Swift copy equals the source');

$local->stop;
$hook->stop;
$s3rver->stop;
$swift->stop;
done_testing();
