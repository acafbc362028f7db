# The dashboard end to end, in headless Chromium driven by playwright-core (test/e2e/dashboard.mjs)
# against lokbackup serve, a real server and S3 storage (s3rver), on a desktop and a phone screen:
# every check the browser makes is an assertion here, and the restore and delete it did are
# checked in the database. A first run, before the browser comes, has a failed backup whose reason
# the page must show.
use strict;
use warnings FATAL => 'all';

use File::Basename ();
use IPC::Run ();
use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use ServeTest;
use Test::More;

delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $e2e = File::Basename::dirname(__FILE__) . '/../../e2e';
ok(-f "$e2e/node_modules/playwright-core/package.json", 'playwright-core is installed (test/install-deps)');
ok(-x '/usr/bin/chromium', "Debian's chromium is installed (test/install-deps)");

my $s3 = S3TestServer->start_s3rver('dashboard');
my $bucket = 'lokbackup-dashboard';
$s3->create_bucket($bucket);
my $node = create_node('dashboard',
    settings => { $s3->settings($bucket, 'pg'), 'lokbackup.databases' => 'app, broken' });
populate_app_database($node, 'app');
my $source_dump = dump_database($node, 'app');
$node->safe_psql('postgres', 'CREATE DATABASE broken');
ok(reject_connections($node, 'broken', 1), 'pg_hba.conf rejects connections to broken');
run_backup_allow_failures($node);
is( $node->safe_psql('postgres',
        "SELECT string_agg(coalesce(database, 'roles') || ' ' || status, ',' ORDER BY id)"
          . ' FROM lokbackup_backups'),
    'roles completed,app completed,broken failed',
    'a first run: the backup of broken failed');
reload_settings($node, 'lokbackup.databases' => 'app');
my $database_oid = sub { $node->safe_psql('postgres', "SELECT oid FROM pg_database WHERE datname = '$_[0]'") };
my $source_oid = $database_oid->('app');

my $password = 'dashboard-secret-2026';
$node->safe_psql('postgres', "CREATE ROLE dba LOGIN SUPERUSER PASSWORD '$password'");
ServeTest::prepend_hba($node, 'local all dba scram-sha-256');

my $serve = ServeTest->start($node);
my $artifacts = $ENV{LOKBACKUP_E2E_ARTIFACTS} // "$PostgreSQL::Test::Utils::tmp_check/e2e-screenshots";
my ($stdin, $stdout, $stderr) = ('', '', '');
my $lock = hold_lock($node, 'app', '"Mixed Case"."Odd ""Table"" Name"');
my $browser = IPC::Run::start(
    [ 'node', "$e2e/dashboard.mjs" ],
    '<', \$stdin, '>', \$stdout, '2>', \$stderr,
    init => sub {
        $ENV{BASE_URL} = $serve->{base};
        $ENV{LOGIN_USER} = 'dba';
        $ENV{LOGIN_PASSWORD} = $password;
        $ENV{ARTIFACTS} = $artifacts;
    },
    IPC::Run::timeout(600));
# The browser watches the held backup run, then asks for the lock to go.
$browser->pump until $stdout =~ /^# release the lock$/m || !$browser->pumpable;
release_lock($lock);
$stdin = "released\n";
$browser->finish;
is($browser->result(0), 0, 'the browser test exits 0 (every check passed)');
note "stderr of the browser test:\n$stderr" if $stderr ne '';

my @checks = $stdout =~ /^((?:not )?ok - .*)$/mg;
for my $line (@checks)
{
    my ($failed, $name) = $line =~ /^(not )?ok - (.*)$/;
    ok(!$failed, "browser: $name");
}

# Printed after the last check: the walk ran to its end.
my ($result) = $stdout =~ /^(\{.*\})$/m;
my $done = JSON::PP::decode_json($result // '{}');
ok($done->{restoredInto}, 'the browser restored a backup');
dumps_equal(dump_database($node, $done->{restoredInto} // 'none'), $source_dump,
    'the database restored from the dashboard equals the source');
is($done->{replaced}, 'app', 'the browser restored over the source database');
isnt($database_oid->('app'), $source_oid, 'app is a new database');
dumps_equal(dump_database($node, 'app'), $source_dump, 'that holds the backup');
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_before\\_restore\\_%'"),
    '0', 'and the database it replaced was dropped, as the dashboard asked');
is(backup_row($node, $done->{deletedBackup} // 0)->{status} // '', 'deleted',
    'the backup deleted from the dashboard is deleted in the catalog');
my @screenshots = glob("$artifacts/*.png");
ok(@screenshots >= 17, 'screenshots are saved in ' . $artifacts);

done_testing();
