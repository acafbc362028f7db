# `lokbackup serve` shows each database's health: GET /api/admin/health and the listing's
# "health" feed the dashboard; GET /metrics answers a Prometheus scraper in the text exposition
# format (text/plain; version=0.0.4) after HTTP basic authentication as a lokbackup_admin role. A
# database name full of quotes, backslashes and a line feed is escaped, so that it cannot forge a
# sample.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use MIME::Base64 ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

my $node = create_node('metrics');
my $hostile = qq!x"} 1\nlokbackup_backup_late{database="y\\z!;
$node->safe_psql('postgres', <<"SQL");
CREATE ROLE scraper LOGIN PASSWORD 'scrape-secret' IN ROLE lokbackup_admin;
CREATE ROLE viewer LOGIN PASSWORD 'viewer-secret';
CREATE DATABASE app;
SELECT format('CREATE DATABASE %I', @{[ sql_literal($hostile) ]}) \\gexec
SQL
ServeTest::prepend_hba($node, 'local all scraper,viewer scram-sha-256');
run_backup_allow_failures($node);
# Created after the run: it has no backup at all.
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
# Daily, an hour ago (UTC): it last fired an hour ago, and fires next tomorrow.
my $cron = $node->safe_psql('postgres',
    "SELECT to_char((now() - interval '1 hour') AT TIME ZONE 'UTC', 'FMMI FMHH24') || ' * * *'");
reload_settings($node, 'lokbackup.schedule' => $cron);

my $serve = ServeTest->start($node);
my $scraper = $serve->client;

sub basic
{
    my ($user, $password) = @_;
    return { Authorization => 'Basic ' . MIME::Base64::encode_base64("$user:$password", '') };
}

# --- who may scrape ---
my $r = $scraper->call(GET => '/metrics');
is($r->{status}, 401, 'without credentials: 401');
like($r->{headers}{'www-authenticate'}, qr/^Basic realm="lokbackup"/, 'asking for basic auth');
$r = $scraper->call(GET => '/metrics', undef, headers => basic('scraper', 'wrong'));
is($r->{status}, 401, 'a wrong password: 401');
$r = $scraper->call(GET => '/metrics', undef, headers => basic('viewer', 'viewer-secret'));
is($r->{status}, 401, 'a role outside lokbackup_admin: 401, like a wrong password');
like($serve->log_text, qr/"viewer" is not a member of lokbackup_admin/, 'serve logs why');
$r = $scraper->call(GET => '/metrics', undef, headers => { Authorization => 'Basic %%%' });
is($r->{status}, 400, 'a malformed Authorization header: 400');

# --- what it says ---
$r = $scraper->call(GET => '/metrics', undef, headers => basic('scraper', 'scrape-secret'));
is($r->{status}, 200, 'a lokbackup_admin role scrapes');
is($r->{headers}{'content-type'}, 'text/plain; version=0.0.4; charset=utf-8',
    'in the text exposition format');
my $text = $r->{body};
note $text;

my $name = qr/[a-zA-Z_:][a-zA-Z0-9_:]*/;
my $label_value = qr/"(?:[^"\\\n]|\\[\\"n])*"/;
my @bad = grep { !/^(?:# (?:HELP|TYPE) $name .*|$name(?:\{$name=$label_value(?:,$name=$label_value)*\})? -?[0-9.e+]+)$/ }
  split /\n/, $text;
is_deeply(\@bad, [], 'every line is a comment or a well-formed sample');
unlike($text, qr/^lokbackup_backup_late\{database="y/m, 'the hostile name forged no sample');

(my $escaped = $hostile) =~ s/(["\\])/\\$1/g;
$escaped =~ s/\n/\\n/g;
like($text, qr/^lokbackup_backup_health\{database="\Q$escaped\E",status="(ok|never)"\} 1$/m,
    'the hostile name is escaped as the format wants');
like($text, qr/^lokbackup_backup_late\{database="app"\} 0$/m, 'app is not late');
like($text, qr/^lokbackup_backup_late\{database="fresh"\} 1$/m,
    'fresh, never backed up though the schedule fired, is late');
like($text, qr/^lokbackup_backup_health\{database="fresh",status="never"\} 1$/m,
    'its status is never');
like($text, qr/^lokbackup_last_success_timestamp_seconds\{database="app"\} \d{10}(\.\d+)?$/m,
    'when the last backup of app finished');
like($text, qr/^lokbackup_backup_age_seconds\{database="\(roles\)"\} \d/m, 'how old the roles dump is');
like($text, qr/^lokbackup_last_backup_size_bytes\{database="app"\} [1-9]\d*$/m, 'and its size');
unlike($text, qr/^lokbackup_last_success_timestamp_seconds\{database="fresh"\}/m,
    'no last success for a database never backed up');
my $completed = $node->safe_psql('postgres',
    "SELECT count(*) FROM lokbackup_backups WHERE status = 'completed'");
like($text, qr/^lokbackup_backups\{status="completed"\} $completed$/m, 'backups by status');
like($text, qr/^lokbackup_backups\{status="in_progress"\} 0$/m, 'a status without backups is 0');

# --- the dashboard's API ---
my $web = $serve->client;
$web->login('scraper', 'scrape-secret');
$r = $web->call(GET => '/api/admin/health');
is($r->{status}, 200, 'GET /api/admin/health');
my %health = map { $_->{database} => $_ } @{ $r->{json}{databases} // [] };
is($r->{json}{databases}[0]{database}, '(roles)', 'the roles first');
is($health{app}{status}, 'ok', 'app is ok');
like($health{app}{agePretty}, qr/^\d+ (seconds|minutes) ago$/, 'its last backup "N minutes ago"');
is($health{fresh}{status}, 'never', 'fresh: never');
ok(exists $health{$hostile}, 'the hostile name comes back as it is');
$r = $web->call(GET => '/api/admin/backups');
is_deeply([ map { $_->{database} } @{ $r->{json}{health} } ],
    [ map { $_->{database} } @{ $web->call(GET => '/api/admin/health')->{json}{databases} } ],
    'the listing carries the same health for the dashboard');
$r = $web->call(GET => '/metrics');
is($r->{status}, 200, 'a logged-in browser may look at /metrics with its session');

reload_settings($node, 'lokbackup.schedule' => '');
done_testing();
