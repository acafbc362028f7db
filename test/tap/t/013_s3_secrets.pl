# The S3 secret key is shown to nobody but a superuser and written nowhere: not in the server log,
# not in SHOW or pg_settings for other roles, not in the catalog or its audit trail, not in the
# bucket, and not in the command line or the environment of the backup child and its pg_dump (the
# worker hands the child its request on stdin). A secret changed by a reload is not logged either.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

my $secret = 'S3cr3t-Distinctive-9b1e6c2d4f';
my $rotated_secret = 'S3cr3t-Rotated-5a8f0e7d3c';
my $s3 = S3TestServer->start(
    'secrets',
    secret => $secret,
    users => { 'test:rotated' => $rotated_secret });
my $bucket = 'lokbackup-secrets';
$s3->create_bucket($bucket);

my $node =
  create_node('s3_secrets', settings => { $s3->settings($bucket), 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', <<'SQL');
CREATE DATABASE app;
CREATE ROLE alice LOGIN;
GRANT lokbackup_admin TO alice;
CREATE ROLE bob LOGIN;
SQL
$node->safe_psql('app',
    'CREATE TABLE held (id int); INSERT INTO held SELECT generate_series(1, 1000)');

sub shows_no_secret
{
    my ($text, $where) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return ok(index($text, $secret) < 0 && index($text, $rotated_secret) < 0,
        "the secret is not in $where");
}

sub slurp_proc
{
    my ($path) = @_;
    open my $fh, '<:raw', $path or return undef;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text // '';
}

# --- while the backup child runs ---
my $lock = hold_lock($node, 'app', 'held');
my $row = backup_of($node, start_backup($node), 'app');
ok(wait_for_status($node, $row->{id}, 'in_progress'), "backup $row->{id} is in progress");
ok(wait_until_dump_blocked($node, 'app'), 'its pg_dump waits for the lock');
my $child = backup_child_pid($node);
ok(defined $child, 'the backup child runs');
my @processes = ($child, descendant_pids($child));
ok(@processes >= 2, 'the backup child runs pg_dump');

for my $pid (@processes)
{
    my $cmdline = slurp_proc("/proc/$pid/cmdline");
    my $environ = slurp_proc("/proc/$pid/environ");
    ok(defined $cmdline && defined $environ,
        "process $pid: command line and environment are readable");
    (my $shown = $cmdline // '') =~ s/\0/ /g;
    shows_no_secret($cmdline // '', "the command line of process $pid ($shown)");
    shows_no_secret($environ // '', "the environment of process $pid");
}
my $all_cmdlines = join "\n", map { slurp_proc($_) // '' } glob '/proc/[0-9]*/cmdline';
shows_no_secret($all_cmdlines, 'the command line of any process');
shows_no_secret(
    $node->safe_psql(
        'postgres', q{SELECT string_agg(coalesce(query, ''), E'\n') FROM pg_stat_activity}),
    'pg_stat_activity');
release_lock($lock);
ok(wait_for_status($node, $row->{id}, 'completed'), "backup $row->{id} completes");

# --- other roles cannot see it ---
for my $role (qw(alice bob))
{
    my ($out, $err) = ('', '');
    $node->psql(
        'postgres', 'SHOW lokbackup.s3_secret_access_key',
        stdout => \$out,
        stderr => \$err,
        extra_params => [ '-U', $role ]);
    like($err, qr/must be superuser/, "SHOW of the secret is refused to $role");
    shows_no_secret("$out$err", "what SHOW answers $role");

    $node->psql(
        'postgres',
        q{SELECT name || '=' || coalesce(setting, '') FROM pg_settings}
          . q{ WHERE name LIKE 'lokbackup.%'},
        stdout => \$out,
        stderr => \$err,
        extra_params => [ '-U', $role ]);
    unlike(
        $out,
        qr/^lokbackup\.s3_secret_access_key=/m,
        "pg_settings does not list the secret to $role");
    shows_no_secret("$out$err", "pg_settings as $role sees it");

    $node->psql(
        'postgres',
        q{SELECT current_setting('lokbackup.s3_secret_access_key', true)},
        stdout => \$out,
        stderr => \$err,
        extra_params => [ '-U', $role ]);
    shows_no_secret("$out$err", "current_setting() as $role calls it");
}

# An admin's plan and download URL carry a signature, never the key.
my ($plan, $plan_err) = ('', '');
$node->psql(
    'postgres',
    q{SELECT location, manifest_location FROM lokbackup_restore_plan('latest', 'app');}
      . " SELECT lokbackup_download_url($row->{id}, '1 hour')",
    stdout => \$plan,
    stderr => \$plan_err,
    extra_params => [ '-U', 'alice' ]);
like($plan, qr/X-Amz-Signature=/, 'alice gets the plan and a download URL: presigned URLs');
shows_no_secret("$plan$plan_err", 'the restore plan or the download URL');

# --- the catalog, the bucket and the server log ---
shows_no_secret(
    $node->safe_psql('postgres', 'SELECT string_agg(b::text, E\'\n\') FROM lokbackup_backups b'),
    'lokbackup_backups');
shows_no_secret(
    $node->safe_psql('postgres', 'SELECT string_agg(a::text, E\'\n\') FROM lokbackup_audit a'),
    'lokbackup_audit');
shows_no_secret($s3->object_bytes($bucket, "$row->{object_key}.manifest.json"),
    'the manifest in the bucket');
shows_no_secret(slurp_file($node->logfile), 'the server log');

# --- a new secret, set by a reload ---
reload_settings(
    $node,
    'lokbackup.s3_access_key_id' => 'test:rotated',
    'lokbackup.s3_secret_access_key' => $rotated_secret);
my $after = backup_of($node, run_backup($node), 'app');
is($after->{status}, 'completed', 'a backup with the keys set by a reload completes');
shows_no_secret(slurp_file($node->logfile),
    'the server log after the secret was changed by a reload');

$node->stop;
$s3->stop;
done_testing();
