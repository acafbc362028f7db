# The dashboard's health view end to end (test/e2e/health.mjs in headless Chromium) against
# lokbackup serve, on a desktop and a phone screen: the cards per database coloured by verdict,
# the chart of size and duration, and restore drills asked for from a backup's row, the one
# whose object was corrupted in the storage directory among them. Every check the browser makes
# is an assertion here; the drills it asked for are checked in the catalog (who asked, the audit
# trail), and the routes it used, their refusals and /metrics through HTTP.
use strict;
use warnings FATAL => 'all';

use File::Basename ();
use IPC::Run ();
use JSON::PP ();
use LokbackupTest;
use MIME::Base64 ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

my $e2e = File::Basename::dirname(__FILE__) . '/../../e2e';
ok(-f "$e2e/node_modules/playwright-core/package.json", 'playwright-core is installed (test/install-deps)');

my $node = create_node('health',
    settings => { 'lokbackup.databases' => 'app, shop, broken', 'lokbackup.drill_on_this_server' => 'on' });
populate_app_database($node, 'app');
$node->safe_psql('postgres', 'CREATE DATABASE shop; CREATE DATABASE broken');
$node->safe_psql('shop', 'CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 5000) g');
ok(reject_connections($node, 'broken', 1), 'pg_hba.conf rejects connections to broken');
run_backup_allow_failures($node) for 1 .. 2;
my %newest = map { $_ => $node->safe_psql('postgres',
        "SELECT max(id) FROM lokbackup_backups WHERE database = '$_' AND status = 'completed'") }
  qw(app shop);
ok($newest{app} && $newest{shop}, 'two runs: app and shop completed');

# A drill of shop's newest backup must fail: its stored object no longer has its checksum.
my $corrupt_key = $node->safe_psql('postgres', "SELECT object_key FROM lokbackup_backups WHERE id = $newest{shop}");
flip_byte(object_path($node, $corrupt_key));

my $password = 'health-secret-2026';
$node->safe_psql('postgres', <<"SQL");
CREATE ROLE dba LOGIN SUPERUSER PASSWORD '$password';
CREATE ROLE scraper LOGIN PASSWORD 'scrape-secret' IN ROLE lokbackup_admin;
SQL
ServeTest::prepend_hba($node, 'local all dba,scraper scram-sha-256');
my $serve = ServeTest->start($node);
my $artifacts = $ENV{LOKBACKUP_E2E_ARTIFACTS} // "$PostgreSQL::Test::Utils::tmp_check/e2e-screenshots";

my ($stdout, $stderr) = ('', '');
my $browser = IPC::Run::run(
    [ 'node', "$e2e/health.mjs" ],
    '<', \undef, '>', \$stdout, '2>', \$stderr,
    init => sub {
        $ENV{BASE_URL} = $serve->{base};
        $ENV{LOGIN_USER} = 'dba';
        $ENV{LOGIN_PASSWORD} = $password;
        $ENV{ARTIFACTS} = $artifacts;
        $ENV{SOUND_BACKUP} = $newest{app};
        $ENV{CORRUPT_BACKUP} = $newest{shop};
    },
    IPC::Run::timeout(600));
ok($browser, 'the browser test exits 0 (every check passed)');
note "stderr of the browser test:\n$stderr" if $stderr ne '';
for my $line ($stdout =~ /^((?:not )?ok - .*)$/mg)
{
    my ($failed, $name) = $line =~ /^(not )?ok - (.*)$/;
    ok(!$failed, "browser: $name");
}
my ($result) = $stdout =~ /^(\{.*\})$/m;
my $drills = JSON::PP::decode_json($result // '{}')->{drills} // {};

# --- the drills the browser asked for, in the catalog ---
for my $which (qw(sound corrupt))
{
    my $backup = $which eq 'sound' ? $newest{app} : $newest{shop};
    is( $node->safe_psql('postgres',
            'SELECT backup_id || \' \' || requested_by FROM lokbackup_drills WHERE id = '
              . ($drills->{$which} // 0)),
        "$backup dba",
        "the $which drill is of backup $backup, asked for by the logged-in role");
    is( $node->safe_psql('postgres',
            "SELECT count(*) FROM lokbackup_audit WHERE action = 'drill' AND actor = 'dba' AND backup_id = $backup"),
        '1', '... audited as that role, once');
}

# --- the routes: who may ask for a drill, and what is refused ---
my $web = $serve->client;
$web->login('scraper', 'scrape-secret');
my $r = $web->call(POST => "/api/admin/backups/$newest{app}/drill", {}, csrf => 0);
is($r->{status}, 403, 'a drill without the CSRF token is refused');
my $roles = $node->safe_psql('postgres', 'SELECT min(id) FROM lokbackup_backups WHERE database IS NULL');
$r = $web->call(POST => "/api/admin/backups/$roles/drill", {});
is($r->{status}, 400, 'a drill of the roles backup: 400');
like($r->{json}{error} // '', qr/of the roles/, '... that says why');
$r = $web->call(POST => '/api/admin/backups/999999/drill', {});
is($r->{status}, 404, 'a drill of an unknown backup: 404');
$r = $web->call(GET => '/api/admin/drills?database=app');
is_deeply([ map { $_->{id} } @{ $r->{json}{drills} // [] } ], [ $drills->{sound} // 0 ],
    'GET /api/admin/drills?database=app lists the drill of app');
$r = $web->call(GET => '/api/admin/history?days=7');
is_deeply([ map { $_->{database} . ':' . scalar @{ $_->{backups} } } @{ $r->{json}{databases} // [] } ],
    [ 'app:2', 'shop:2' ], 'GET /api/admin/history: two backups of app and shop, the roles left out');
$r = $web->call(GET => '/api/admin/health');
my %health = map { $_->{database} => $_ } @{ $r->{json}{databases} // [] };
is($health{broken}{failures7d}, 2, 'health counts the failures of the last 7 days');

# --- /metrics ---
$r = $web->call(GET => '/metrics', undef,
    headers => { Authorization => 'Basic ' . MIME::Base64::encode_base64('scraper:scrape-secret', '') });
my $text = $r->{body} // '';
like($text, qr/^# HELP lokbackup_health_verdict .+$/m, 'the verdict family has its help');
like($text, qr/^lokbackup_health_verdict\{database="app",verdict="green"\} 1$/m, 'app is green');
like($text, qr/^lokbackup_health_verdict\{database="broken",verdict="amber"\} 1$/m, 'broken is amber');
like($text, qr/^lokbackup_backup_failures_7d\{database="broken"\} 2$/m, 'with 2 failures in 7 days');
like($text, qr/^lokbackup_last_drill_failed\{database="app"\} 0$/m, 'the drill of app passed');
like($text, qr/^lokbackup_last_drill_restore_seconds\{database="app"\} [0-9.e+-]+$/m,
    '... and measured its restore time');
like($text, qr/^lokbackup_last_drill_failed\{database="shop"\} 1$/m, 'the drill of shop failed');
like($text, qr/^lokbackup_health_verdict\{database="shop",verdict="red"\} 1$/m, 'shop is red');
like($text, qr/^lokbackup_backup_health\{database="app",status="ok"\} 1$/m,
    'the families that were there are unchanged');

my @screenshots = glob("$artifacts/health-*.png");
ok(@screenshots >= 3, 'screenshots are saved in ' . $artifacts);

done_testing();
