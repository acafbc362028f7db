# Failed logins to `lokbackup serve`: every one is answered alike (a wrong password, a role that is
# not a member of lokbackup_admin, an unknown role), says nothing about where PostgreSQL runs, is
# logged with the client's address and the user name, and repeated ones are slowed down per user
# name and per client address (429 with Retry-After) until the back-off has passed.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

my $node = create_node('failed_logins');
my %password = (admin => 'admin-secret-4711', viewer => 'viewer-secret-0815');
$node->safe_psql('postgres', <<"SQL");
CREATE ROLE admin LOGIN PASSWORD '$password{admin}' IN ROLE lokbackup_admin;
CREATE ROLE viewer LOGIN PASSWORD '$password{viewer}';
SQL
ServeTest::prepend_hba($node, 'local all admin,viewer scram-sha-256');

my $serve = ServeTest->start($node);
my $web = $serve->client;

# --- every failed login looks the same ---
my $wrong = $web->login('admin', 'wrong password');
my $not_member = $web->login('viewer', $password{viewer});
is($wrong->{status}, 401, 'a wrong password: 401');
is($not_member->{status}, $wrong->{status},
    'the right password of a role without lokbackup_admin: the same status');
is($not_member->{body}, $wrong->{body}, '... and the same body');
is($web->login('nobody', 'x')->{body}, $wrong->{body}, 'an unknown role: the same body');
like($wrong->{json}{error}, qr/login failed/, 'the answer says the login failed');
my $port = $node->port;
my $host = $node->host;
unlike($wrong->{body}, qr/\Q$port\E|\Q$host\E|socket|server at/,
    "the answer shows neither PostgreSQL's host nor its port");

my $log = $serve->log_text;
like($log, qr/login of "admin" from 127\.0\.0\.1 failed: .*password authentication failed/,
    'the log has the failure, with the address, the user name and the reason');
like($log, qr/login of "viewer" from 127\.0\.0\.1 failed: .*not a member of lokbackup_admin/,
    '... also for a role without lokbackup_admin');
unlike($log, qr/\Q$password{viewer}\E|wrong password/, 'no password appears in the log');

# A successful login resets the back-off of its user name and address.
is($web->login('admin', $password{admin})->{status}, 200, 'the admin logs in');

# --- repeated failures for one user name are slowed down ---
my @statuses;
my $refused;
for (1 .. 30)
{
    my $r = $web->login('admin', 'guess ' . scalar @statuses);
    push @statuses, $r->{status};
    if ($r->{status} == 429)
    {
        $refused = $r;
        last;
    }
}
note("statuses: @statuses");
ok($refused, 'quick failed logins of one user name are answered 429 after a few');
is(scalar(grep { $_ != 401 && $_ != 429 } @statuses), 0, '... and 401 before that');
like($refused->{headers}{'retry-after'} // '', qr/^[1-9]\d*$/, '... with Retry-After in seconds');
like($refused->{json}{error}, qr/too many failed logins/, '... saying why');
like($refused->{json}{hint}, qr/try again in \d+ seconds?/i, '... and when to try again');
like($serve->log_text, qr/login of "admin" from 127\.0\.0\.1 refused: too many failed logins/,
    'the log has the refusal');

# Another user name from another test client is slowed down too: the client's address failed.
my $other = $web->login('viewer', 'x');
ok($other->{status} == 429 || $other->{status} == 401, 'a login of another user name: 429 or 401');

# The back-off ends: the right password works again, and resets it.
my $r;
wait_until(sub { $r = $web->login('admin', $password{admin}); $r->{status} != 429 });
is($r->{status}, 200, 'after the back-off the right password logs in');
is($web->call(GET => '/api/auth/session')->{json}{user}, 'admin', '... with a session');
is($web->login('admin', 'wrong again')->{status}, 401, 'the next failure is a 401 again');

# --- many user names from one address are slowed down too ---
my $sprayed;
for my $n (1 .. 30)
{
    $r = $web->login("user$n", 'password');
    if ($r->{status} == 429)
    {
        $sprayed = $r;
        last;
    }
}
ok($sprayed, 'quick failed logins of ever new user names from one address: 429 after a few');

# --- a restore's password check counts as a failed login ---
# The last of a run's backups is a database's (the roles' comes first).
my $backup_id = (sort { $a <=> $b } @{ run_backup($node) })[-1];
my $restorer = $serve->client;
wait_until(sub { $restorer->login('admin', $password{admin})->{status} == 200 });
my @restore_statuses;
for (1 .. 30)
{
    push @restore_statuses,
      $restorer->call(POST => "/api/admin/backups/$backup_id/restore", { password => 'guess' })
      ->{status};
    last if $restore_statuses[-1] == 429;
}
note("restore statuses: @restore_statuses");
is($restore_statuses[-1], 429, "guessing the password through restores is slowed down too");

is($serve->stop, 0, 'serve stops on SIGTERM, exit code 0');

done_testing();
