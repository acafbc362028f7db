# GET /api/admin/backups/{id}/object: serve streams a backup's object from the storage its row
# records, a directory on this machine or S3, as an attachment with its file name and length. The
# bytes are the catalog's (SHA-256), serve's memory stays flat however large the object, the
# catalog's audit trail records who took it, and only a logged-in member of lokbackup_admin gets
# it. A missing object is a 404 that says so, and serve goes on.
use strict;
use warnings FATAL => 'all';

use Digest::SHA ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use ServeTest;
use Test::More;

# serve reads S3 objects through the plan's presigned URLs alone.
delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $s3 = S3TestServer->start_s3rver('download');
my $bucket = 'lokbackup-download';
$s3->create_bucket($bucket);
my $node = create_node('download',
    settings => { $s3->settings($bucket, 'pg'), 'lokbackup.databases' => 'app, big' });
populate_app_database($node, 'app');
# 32 MiB that no codec shrinks: an object that serve could not hold in memory unnoticed.
$node->safe_psql('postgres', 'CREATE DATABASE big');
$node->safe_psql('big',
        'CREATE TABLE noise AS SELECT g % 32 AS part, '
      . "decode(string_agg(md5(random()::text), ''), 'hex') AS bytes "
      . 'FROM generate_series(1, 32 * 65536) g GROUP BY 1');

my %password = (admin => 'admin-secret-4711', viewer => 'viewer-secret-0815');
$node->safe_psql('postgres', <<"SQL");
CREATE ROLE admin LOGIN PASSWORD '$password{admin}' IN ROLE lokbackup_admin;
CREATE ROLE viewer LOGIN PASSWORD '$password{viewer}' IN ROLE lokbackup_admin;
SQL
ServeTest::prepend_hba($node, 'local all admin,viewer scram-sha-256');

# Each row keeps the storage it was written to: one run into the bucket, one into the directory.
my %runs = (S3 => run_backup($node));
reload_settings($node, 'lokbackup.storage' => storage_dir($node));
$runs{directory} = run_backup($node);

my $serve = ServeTest->start($node);
my $admin = $serve->client;
is($admin->login('admin', $password{admin})->{status}, 200, 'the admin logs in');

sub audited
{
    my ($id) = @_;
    return $node->safe_psql('postgres',
            "SELECT count(*) FROM lokbackup_audit WHERE action = 'restore_plan' "
          . "AND actor = 'admin' AND backup_id = $id AND detail ->> 'requested' = '$id'");
}

# serve's peak resident memory so far (VmHWM, which only grows).
sub peak_memory_kb
{
    my ($kb) = slurp_file('/proc/' . $serve->pid . '/status') =~ /^VmHWM:\s+(\d+) kB/m;
    return $kb;
}

# Downloads backup `row` through serve and checks what comes; returns the response.
sub download_ok
{
    my ($row, $what) = @_;
    my $audited = audited($row->{id});
    my $r = $admin->call(GET => "/api/admin/backups/$row->{id}/object");
    is($r->{status}, 200, "$what: 200");
    is(Digest::SHA::sha256_hex($r->{body}), $row->{sha256}, "$what: the bytes have the catalog's SHA-256");
    is($r->{headers}{'content-length'}, $row->{size}, "$what: Content-Length is the object's size");
    my ($name) = $row->{object_key} =~ m{([^/]+)$};
    is($r->{headers}{'content-disposition'}, qq{attachment; filename="$name"},
        "$what: an attachment named as the object");
    is(audited($row->{id}), $audited + 1, "$what: the audit trail records the admin's plan of it");
    return $r;
}

for my $storage ('S3', 'directory')
{
    my $app = backup_of($node, $runs{$storage}, 'app');
    is(backup_row($node, $app->{id})->{storage},
        $storage eq 'S3' ? "s3://$bucket/pg" : storage_dir($node), "$storage: the backup is there");
    download_ok($app, "$storage: a backup of app");
    download_ok(backup_of($node, $runs{$storage}, undef), "$storage: a backup of the roles");

    my $big = backup_of($node, $runs{$storage}, 'big');
    cmp_ok($big->{size}, '>', 32 * 1024 * 1024, "$storage: the backup of big is over 32 MiB");
    my $before = peak_memory_kb();
    download_ok($big, "$storage: the backup of big");
    cmp_ok(peak_memory_kb() - $before, '<', 16 * 1024,
        "$storage: serve's peak memory grew by less than 16 MiB while it sent it");
}

# --- a range: from an offset on, as a resumed download asks ---
my $app = backup_of($node, $runs{directory}, 'app');
my $whole = $admin->call(GET => "/api/admin/backups/$app->{id}/object")->{body};
my $r = $admin->call(GET => "/api/admin/backups/$app->{id}/object",
    undef, headers => { Range => 'bytes=1000-' });
is($r->{status}, 206, 'a Range request: 206');
ok($r->{body} eq substr($whole, 1000), '... with the bytes from the offset on');

# --- who may ---
my $anonymous = $serve->client;
$r = $anonymous->call(GET => "/api/admin/backups/$app->{id}/object");
is($r->{status}, 401, 'without a login: 401');
like($r->{json}{error}, qr/not logged in/, '... saying so');
my $viewer = $serve->client;
is($viewer->login('viewer', $password{viewer})->{status}, 200, 'viewer logs in as a member of lokbackup_admin');
$node->safe_psql('postgres', 'REVOKE lokbackup_admin FROM viewer');
$r = $viewer->call(GET => "/api/admin/backups/$app->{id}/object");
is($r->{status}, 403, 'once lokbackup_admin is revoked: 403');
like($r->{json}{error}, qr/permission denied: "viewer" is not a member of lokbackup_admin/, '... saying why');
is($node->safe_psql('postgres', "SELECT count(*) FROM lokbackup_audit WHERE actor = 'viewer'"),
    '0', 'the refused downloads planned nothing');

# --- what is not there ---
$r = $admin->call(GET => '/api/admin/backups/999999/object');
is($r->{status}, 404, 'a backup that does not exist: 404');
like($r->{json}{error}, qr/backup 999999 does not exist/, '... saying so');

my $s3_app = backup_of($node, $runs{S3}, 'app');
$s3->aws_ok('s3api', 'delete-object', '--bucket', $bucket, '--key', "pg/$s3_app->{object_key}");
unlink(storage_dir($node) . "/$app->{object_key}") or die "cannot remove the object: $!";
for my $missing ([ S3 => $s3_app ], [ directory => $app ])
{
    my ($storage, $row) = @$missing;
    $r = $admin->call(GET => "/api/admin/backups/$row->{id}/object");
    is($r->{status}, 404, "$storage: a backup whose object is gone: 404");
    like($r->{json}{error}, qr/backup object not found: .*\Q$row->{object_key}\E/, '... naming the object');
    like($r->{json}{hint}, qr/lokbackup verify $row->{id}/, '... and how to record it');
}
ok($serve->running, 'serve goes on');

my $roles = backup_of($node, $runs{directory}, undef);
$node->safe_psql('postgres', "SELECT lokbackup_delete($roles->{id})");
$r = $admin->call(GET => "/api/admin/backups/$roles->{id}/object");
is($r->{status}, 409, 'a deleted backup: 409');
like($r->{json}{error}, qr/backup $roles->{id} is deleted, not completed/, '... saying so');

download_ok(backup_of($node, $runs{S3}, undef), 'after those refusals, a download');
unlike($serve->log_text, qr/unexpected error|download of backup \d+ stopped/,
    "serve's log has no failure");

done_testing();
