# `lokbackup serve`'s API over real HTTP against a real server with S3 storage (s3rver): logins
# checked by PostgreSQL (and refused when pg_hba.conf would not check the password), every route
# with its errors, permissions of a non-admin role, cross-site requests, expired sessions and a
# lost connection.
use strict;
use warnings FATAL => 'all';

use Digest::SHA ();
use HTTP::Tiny;
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use ServeTest;
use Test::More;

delete @ENV{qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL)};

my $s3 = S3TestServer->start_s3rver('serve');
my $bucket = 'lokbackup-serve';
$s3->create_bucket($bucket);
my $node = create_node('serve',
    settings => { $s3->settings($bucket, 'pg'), 'lokbackup.databases' => 'app' });
populate_app_database($node, 'app');
my $source_dump = dump_database($node, 'app');

my %password = (
    admin => 'admin-secret-4711',
    viewer => 'viewer-secret-0815',
    dba => 'dba-secret-1234');
# admin may do what lokbackup_admin may; dba is a superuser, who can restore objects of any owner.
$node->safe_psql('postgres', <<"SQL");
CREATE ROLE admin LOGIN CREATEDB PASSWORD '$password{admin}' IN ROLE lokbackup_admin;
CREATE ROLE dba LOGIN SUPERUSER PASSWORD '$password{dba}';
CREATE ROLE viewer LOGIN PASSWORD '$password{viewer}';
CREATE ROLE trusted LOGIN PASSWORD 'whatever' IN ROLE lokbackup_admin;
SQL
ServeTest::prepend_hba($node, 'local all admin,viewer,dba scram-sha-256',
    'local all trusted trust');

my $serve = ServeTest->start($node);
my $anonymous = $serve->client;

# --- nothing without a login ---
my $r = $anonymous->call(GET => '/api/admin/backups');
is($r->{status}, 401, 'backups without a login: 401');
is($r->{json}{error}, 'not logged in', 'backups without a login: says not logged in');
$r = $anonymous->call(GET => '/');
is($r->{status}, 303, 'the dashboard without a login redirects');
is($r->{headers}{location}, '/login', '... to the login page');
is($anonymous->call(GET => '/assets/app.js')->{status}, 401, "the dashboard's script needs a login");
is($anonymous->call(GET => '/login')->{status}, 200, 'the login page is served');
is($anonymous->call(GET => '/assets/login.js')->{status}, 200, 'and its script');
is($anonymous->call(POST => '/api/admin/backups', {})->{status}, 401, 'a run without a login: 401');
like($anonymous->call(GET => '/login')->{headers}{'content-security-policy'},
    qr/default-src 'self'/, 'pages carry a content security policy');

# --- logins are PostgreSQL's ---
$r = $anonymous->login('admin', 'wrong password');
is($r->{status}, 401, 'a wrong password: 401');
like($serve->log_text, qr/password authentication failed for user "admin"/,
    "a wrong password: PostgreSQL's reason is in serve's log");
$r = $anonymous->login('trusted', 'any password at all');
is($r->{status}, 401, 'a role that pg_hba.conf trusts is refused');
like($serve->log_text, qr/without checking a password.*trust, peer or ident/,
    "... serve's log says why and what to change");
$r = $anonymous->login('admin', '');
is($r->{status}, 400, 'an empty password: 400');
$r = $anonymous->call(POST => '/api/auth/login', undef,
    raw => "username=admin&password=$password{admin}",
    headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($r->{status}, 415, 'a form-encoded login (what a cross-site form sends): 415');
$r = $anonymous->login('admin', $password{admin}, headers => { Origin => 'http://evil.example' });
is($r->{status}, 403, 'a login from a page of another site: 403');

$r = $anonymous->call(POST => '/api/auth/login', undef, raw => '{"username": "admin", ',
    headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 400, 'a login whose body is not valid JSON: 400');
like($r->{json}{error}, qr/not a JSON object/, '... saying so');
$r = $anonymous->call(GET => '/api/admin/nothing-here');
is($r->{status}, 404, 'an unknown route: 404');
like($r->{json}{error}, qr{no such route: GET /api/admin/nothing-here}, '... as a JSON error');

my $admin = $serve->client;
$r = $admin->login('admin', $password{admin});
is($r->{status}, 200, 'the admin logs in');
is($r->{json}{user}, 'admin', 'as admin');
like($r->{json}{csrfToken}, qr/^[0-9a-f]{64}$/, 'the login returns a CSRF token');
like($r->{headers}{'set-cookie'}, qr/HttpOnly; SameSite=Strict/, 'the cookie is HttpOnly, SameSite=Strict');
is($admin->call(GET => '/api/auth/session')->{json}{user}, 'admin', 'the session knows its user');
is($admin->call(GET => '/')->{status}, 200, 'the dashboard is served after the login');

# --- starting a backup ---
$r = $admin->call(POST => '/api/admin/backups', {}, csrf => 0);
is($r->{status}, 403, 'a run without the CSRF token: 403');
like($r->{json}{error}, qr/X-CSRF-Token/, '... naming the header');
$r = $admin->call(POST => '/api/admin/backups', {}, headers => { Origin => 'http://evil.example' });
is($r->{status}, 403, 'a run from a page of another site, with the token: 403');
like($r->{json}{error}, qr/cross-site request refused/, '... refused as cross-site');
for my $site ('cross-site', 'same-site')
{
    $r = $admin->call(POST => '/api/admin/backups', {}, headers => { 'Sec-Fetch-Site' => $site });
    is($r->{status}, 403, "a run that the browser marks $site: 403");
}
$r = $serve->raw_request("GET /login HTTP/1.1\r\nHost: evil.example:$serve->{port}\r\n"
      . "Connection: close\r\n\r\n");
is($r->{status}, 421, 'a request for another host name (DNS rebinding): 421');
like($r->{body}, qr/requests for host \\"evil.example:\d+\\" are refused/, '... saying so');
$r = $anonymous->call(POST => '/api/auth/login', undef, raw => '{"x": "' . ('y' x 70000) . '"}',
    headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 413, 'a body over 64 KiB: 413');
like($r->{json}{error}, qr/too large/, '... saying so');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_backups'),
    '0', 'no refused request started a backup');

my $lock = hold_lock($node, 'app', '"Mixed Case"."Odd ""Table"" Name"');
$r = $admin->call(POST => '/api/admin/backups', {});
is($r->{status}, 202, 'a run: 202');
is(scalar @{ $r->{json}{ids} }, 2, 'a run: the ids of the roles and app backups');
my ($roles_id, $app_id) = sort { $a <=> $b } @{ $r->{json}{ids} };
ok(wait_until_dump_blocked($node, 'app'), 'the backup of app waits for a lock');
$r = $admin->call(POST => '/api/admin/backups', {});
is($r->{status}, 409, 'a second run while one runs: 409');
like($r->{json}{error}, qr/a backup is already (running|pending)/, '... saying one is running');
like($r->{json}{hint}, qr/Wait until it has finished/, '... with the hint');
$r = $admin->call(GET => '/api/admin/backups');
is(scalar @{ $r->{json}{running} }, 1, 'the list shows the running backup');
is($r->{json}{running}[0]{backupId}, $app_id, '... by its id');
release_lock($lock);
$r = $admin->poll('/api/admin/backups?status=completed',
    sub { $_[0]{json} && $_[0]{json}{pagination}{total} == 2 });
is($r->{json}{pagination}{total}, 2, 'both backups complete');
is($node->safe_psql('postgres', "SELECT requested_by FROM lokbackup_backups WHERE id = $app_id"),
    'admin', 'the catalog records who asked');

# A second run, for paging.
$admin->call(POST => '/api/admin/backups', {});
$admin->poll('/api/admin/backups?status=completed',
    sub { $_[0]{json} && $_[0]{json}{pagination}{total} == 4 });

# --- listing ---
$r = $admin->call(GET => '/api/admin/backups?limit=3');
is($r->{status}, 200, 'the list: 200');
is_deeply($r->{json}{pagination}, { page => 1, limit => 3, total => 4, totalPages => 2 },
    'the list: paging figures');
my @ids = map { $_->{id} } @{ $r->{json}{backups} };
is_deeply(\@ids, [ sort { $b <=> $a } @ids ], 'the list: newest first');
is(scalar @ids, 3, 'the list: a page holds `limit` backups');
is(scalar @{ $admin->call(GET => '/api/admin/backups?limit=3&page=2')->{json}{backups} },
    1, 'the list: the second page holds the rest');
my ($listed) = grep { $_->{id} == $app_id } @{ $admin->call(GET => '/api/admin/backups')->{json}{backups} };
my $row = backup_row($node, $app_id);
is($listed->{checksum}, $row->{sha256}, 'a listed backup: its checksum');
is($listed->{checksumShort}, substr($row->{sha256}, 0, 12), 'a listed backup: its short checksum');
is($listed->{size}, $row->{size}, 'a listed backup: its size');
like($listed->{fileName}, qr/^app-manual-\d{8}T\d{6}Z-$app_id\.sql\.zst$/, 'a listed backup: its file name');
like($listed->{createdAt}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, 'a listed backup: an ISO 8601 time');
is($r->{json}{stats}{completed}, 4, 'the statistics count the completed backups');
ok($r->{json}{stats}{totalSize} > 0, 'the statistics sum their size');
is($admin->call(GET => '/api/admin/backups?type=manual&status=failed')->{json}{pagination}{total},
    0, 'filters by type and status');
$r = $admin->call(GET => '/api/admin/backups?roles=false&limit=1');
is($r->{json}{pagination}{total}, 2, 'roles=false leaves out the roles backups');
is_deeply([ map { $_->{database} } @{ $r->{json}{backups} } ], ['app'], '... from the page too');

for my $bad ([ 'type=hourly', qr/invalid type "hourly"/, qr/daily, weekly, monthly, manual/ ],
    [ 'status=lost', qr/invalid status "lost"/, qr/completed/ ],
    [ 'page=0', qr/invalid page "0"/, qr/from 1 to/ ],
    [ 'limit=101', qr/invalid limit "101"/, qr/from 1 to 100/ ],
    [ 'page=two', qr/invalid page "two"/, qr/whole number/ ],
    [ 'roles=no', qr/invalid roles "no"/, qr/true or false/ ])
{
    my ($query, $error, $hint) = @$bad;
    $r = $admin->call(GET => "/api/admin/backups?$query");
    is($r->{status}, 400, "$query: 400");
    like($r->{json}{error}, $error, "$query: says what is wrong");
    like($r->{json}{hint}, $hint, "$query: and what is allowed");
}

# --- download ---
$r = $admin->call(GET => "/api/admin/backups/$app_id/download");
is($r->{status}, 200, 'a download link: 200');
like($r->{json}{url}, qr/X-Amz-Expires=3600/, 'the link is presigned for one hour');
my $download = HTTP::Tiny->new->get($r->{json}{url});
is($download->{status}, 200, 'the link downloads without keys or session');
is(Digest::SHA::sha256_hex($download->{content}), $row->{sha256},
    'what it downloads has the catalog checksum');
is($node->safe_psql('postgres',
        "SELECT actor FROM lokbackup_audit WHERE action = 'download_url' AND backup_id = $app_id"),
    'admin', 'the audit trail records who took the link');
is($admin->call(GET => '/api/admin/backups/999999/download')->{status}, 404,
    'a link to a backup that does not exist: 404');

# --- restore ---
$r = $admin->call(POST => "/api/admin/backups/$app_id/restore", {});
is($r->{status}, 400, 'a restore without the password: 400');
like($r->{json}{error}, qr/password is required/, '... asking for it');
$r = $admin->call(POST => "/api/admin/backups/$app_id/restore", { password => 'wrong' });
is($r->{status}, 403, 'a restore with a wrong password: 403');
$r = $admin->call(POST => "/api/admin/backups/$roles_id/restore", { password => $password{admin} });
is($r->{status}, 400, 'a restore of the roles through the API: 400');
$r = $admin->call(POST => "/api/admin/backups/$app_id/restore",
    { password => $password{admin}, target => 'postgres', confirmTarget => 'postgres' });
is($r->{status}, 400, 'a restore into the catalog database: 400');
like($r->{json}{error}, qr/holds the lokbackup catalog/, '... saying why');
for my $template ('template0', 'template1')
{
    $r = $admin->call(POST => "/api/admin/backups/$app_id/restore",
        { password => $password{admin}, target => $template, confirmTarget => $template });
    is($r->{status}, 400, "a restore into $template: 400");
    like($r->{json}{error}, qr/"$template" is a template database/, '... saying why');
    like($r->{json}{hint}, qr/other than template0, template1 and the catalog database/,
        '... and what is allowed');
}
$r = $admin->call(POST => "/api/admin/backups/$app_id/restore", { password => $password{admin} },
    csrf => 0);
is($r->{status}, 403, 'a restore without the CSRF token: 403');

# The dump's objects belong to the superuser that made them: only a role that may own them can
# restore them, and admin may not.
$r = $admin->call(POST => "/api/admin/backups/$app_id/restore", { password => $password{admin} });
is($r->{status}, 202, "a restore by a role that cannot own the dump's objects starts: 202");
$r = $admin->poll("/api/admin/restores/$r->{json}{restore}{id}",
    sub { $_[0]{json}{restore}{status} ne 'running' });
is($r->{json}{restore}{status}, 'failed', '... and fails');
like($r->{json}{restore}{error}, qr/must be member of role.*nothing was restored/s,
    "... with PostgreSQL's reason, and that nothing was restored");
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'app_restored_$app_id'"),
    '0', 'the database created for the failed restore is dropped again');

my $dba = $serve->client;
is($dba->login('dba', $password{dba})->{status}, 200, 'a superuser logs in');
$r = $dba->call(POST => "/api/admin/backups/$app_id/restore", { password => $password{dba} });
is($r->{status}, 202, 'a restore into a new database: 202');
my $job = $r->{json}{restore};
is($job->{target}, "app_restored_$app_id", 'the default target is a new database');
$r = $dba->poll("/api/admin/restores/$job->{id}", sub { $_[0]{json}{restore}{status} ne 'running' });
is($r->{json}{restore}{status}, 'completed', 'the restore completes')
  or diag explain $r->{json};
is($r->{json}{restore}{bytesRead}, $row->{size}, 'the restore read the whole object');
dumps_equal(dump_database($node, "app_restored_$app_id"), $source_dump,
    'the restored database equals the source');
# The database properties recorded in the manifest, the owner among them, come back.
is($node->safe_psql('postgres',
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app_restored_$app_id'"),
    $node->safe_psql('postgres', "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app'"),
    "the target has the source's owner");
is($node->safe_psql('postgres',
        "SELECT actor FROM lokbackup_audit WHERE action = 'restore_plan' ORDER BY id DESC LIMIT 1"),
    'dba', 'the audit trail records who restored');

$r = $dba->call(POST => "/api/admin/backups/$app_id/restore",
    { password => $password{dba}, target => 'app' });
is($r->{status}, 409, 'a restore over an existing database without its name typed again: 409');
like($r->{json}{hint}, qr/confirmTarget/, '... saying how to confirm');
$r = $dba->call(POST => "/api/admin/backups/$app_id/restore",
    { password => $password{dba}, target => "app_restored_$app_id", confirmTarget => "app_restored_$app_id" });
is($r->{status}, 202, 'with the name typed again: 202');
$r = $dba->poll("/api/admin/restores/$r->{json}{restore}{id}",
    sub { $_[0]{json}{restore}{status} ne 'running' });
is($r->{json}{restore}{status}, 'completed', 'the overwriting restore completes');
is($r->{json}{restore}{previousDatabase}, "app_restored_${app_id}_before_restore_$app_id",
    '... and names the database it replaced, which is kept');
is(scalar @{ $admin->call(GET => '/api/admin/restores')->{json}{restores} }, 3, 'the restores are listed');
is($admin->call(GET => '/api/admin/restores/99')->{status}, 404, 'an unknown restore: 404');

# --- delete ---
is($admin->call(DELETE => "/api/admin/backups/$app_id", undef, csrf => 0)->{status}, 403,
    'a delete without the CSRF token: 403');
$r = $admin->call(DELETE => "/api/admin/backups/$app_id");
is($r->{status}, 200, 'a delete: 200');
is(backup_row($node, $app_id)->{status}, 'deleted', 'the backup is marked deleted');
ok(!grep({ $_ eq $row->{object_key} } $s3->keys($bucket, 'pg/')), 'its object is gone from the bucket');
$r = $admin->call(DELETE => "/api/admin/backups/$app_id");
is($r->{status}, 409, 'deleting it again: 409');
like($r->{json}{error}, qr/already deleted/, '... saying so');
is($admin->call(DELETE => '/api/admin/backups/999999')->{status}, 404, 'deleting a backup that does not exist: 404');
is($admin->call(POST => "/api/admin/backups/$app_id/restore", { password => $password{admin} })->{status},
    409, 'restoring a deleted backup: 409');

# --- roles without lokbackup_admin ---
my $viewer = $serve->client;
$r = $viewer->login('viewer', $password{viewer});
is($r->{status}, 401, 'a role without lokbackup_admin cannot log in: 401, as for a wrong password');
like($serve->log_text, qr/"viewer" is not a member of lokbackup_admin.*GRANT lokbackup_admin TO "viewer"/,
    "... serve's log says why and how to change it");
is($viewer->call(GET => '/api/auth/session')->{status}, 401, '... and has no session');

# Privileges are the database's at every call: revoked after the login, they are gone.
$node->safe_psql('postgres', "GRANT lokbackup_admin TO viewer");
is($viewer->login('viewer', $password{viewer})->{status}, 200, 'a role granted lokbackup_admin logs in');
$node->safe_psql('postgres', "REVOKE lokbackup_admin FROM viewer");
for my $call ([ GET => '/api/admin/backups' ], [ POST => '/api/admin/backups' ],
    [ DELETE => "/api/admin/backups/$roles_id" ], [ GET => "/api/admin/backups/$roles_id/download" ],
    [ GET => "/api/admin/backups/$roles_id/object" ], [ GET => '/api/admin/restores' ])
{
    $r = $viewer->call(@$call, $call->[0] eq 'GET' ? undef : {});
    is($r->{status}, 403, "$call->[0] $call->[1] once lokbackup_admin is revoked: 403");
    like($r->{json}{error}, qr/permission denied/, "... permission denied");
}
is(backup_row($node, $roles_id)->{status}, 'completed', "the refused delete changed nothing");

# --- logout, lost connections, expiry, limits ---
is($viewer->call(POST => '/api/auth/logout', {}, csrf => 0)->{status}, 403,
    'a logout without the CSRF token: 403');
$r = $viewer->call(POST => '/api/auth/logout', {});
is($r->{status}, 200, 'logout: 200');
is($viewer->call(GET => '/api/auth/session')->{status}, 401, 'after the logout the session is gone');

$node->safe_psql('postgres',
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'admin'");
$r = $admin->call(GET => '/api/admin/backups');
is($r->{status}, 401, 'a session whose connection the server closed: 401');
like($r->{json}{error}, qr/connection to PostgreSQL was lost/, '... saying so');

# GET /api/auth/session checks the session without counting as activity, so polling it shows the
# idle timeout.
my $short = ServeTest->start($node, '--session-timeout', 1);
my $brief = $short->client;
is($brief->login('admin', $password{admin})->{status}, 200, 'a login to a serve with 1 s sessions');
$r = $brief->poll('/api/auth/session', sub { $_[0]{status} != 200 });
is($r->{status}, 401, 'an idle session expires: 401');
like($r->{json}{error}, qr/session expired/, '... saying it expired');

# --- local storage has no download links ---
my $local = create_node('serve_local');
$local->safe_psql('postgres',
    "CREATE ROLE admin LOGIN PASSWORD '$password{admin}' IN ROLE lokbackup_admin");
ServeTest::prepend_hba($local, 'local all admin scram-sha-256');
my $local_serve = ServeTest->start($local);
my $local_admin = $local_serve->client;
$local_admin->login('admin', $password{admin});
my ($local_id) = @{ $local_admin->call(POST => '/api/admin/backups', {})->{json}{ids} };
ok(wait_for_status($local, $local_id, 'completed'), 'a backup to local storage completes');
$r = $local_admin->call(GET => "/api/admin/backups/$local_id/download");
is($r->{status}, 409, 'a download link of local storage: 409');
like($r->{json}{error}, qr/presigned URLs need S3 storage/, '... saying that it needs S3');

my $few = ServeTest->start($node, '--max-sessions', 1);
is($few->client->login('admin', $password{admin})->{status}, 200, 'one session of one allowed');
$r = $few->client->login('dba', $password{dba});
is($r->{status}, 503, 'a login beyond --max-sessions: 503');
like($r->{json}{error}, qr/too many sessions are open \(1\)/, '... saying so');

# --- secrets ---
my $log = $serve->log_text . $short->log_text . $local_serve->log_text;
like($log, qr{POST /api/auth/login 200}, 'serve logs requests');
my $passwords = join '|', map { quotemeta } values %password;
unlike($log, qr/$passwords/, 'no password appears in the log');
unlike(join("\n", ServeTest::Client::answers()), qr/$passwords/, 'no password appears in an answer');

is($short->stop, 0, 'serve stops on SIGTERM, exit code 0');

done_testing();
