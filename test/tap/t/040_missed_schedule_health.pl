# A scheduled run that cannot start leaves a trace: a WARNING in the server log that names the
# firing and the reason, and a notification (here a webhook), though no backup row exists. And
# lokbackup_health() says so per database: 'never' before any backup, 'ok' without a schedule,
# 'late' once a firing (plus the backup_timeout the run may take) passed without a completed
# backup, 'ok' again after a scheduled run completed.
#
# The schedule fires every minute: this file waits for two or three minute boundaries.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $hook = start_webhook_sink();
my $node = create_node(
    'health',
    settings => {
        'lokbackup.databases' => 'app',
        'lokbackup.backup_timeout' => '5s',
        'lokbackup.notify_webhook' => 'http://127.0.0.1:' . $hook->port . '/hook' });
$node->safe_psql('postgres', 'CREATE DATABASE app');

sub query { return $node->safe_psql('postgres', $_[0]) }

sub health
{
    return query(
        "SELECT string_agg(database || ' ' || status, ', ' ORDER BY database = '(roles)' DESC) "
          . "FROM lokbackup_health()");
}

is(health(), '(roles) never, app never', 'before any backup: never, the roles first');
like(
    query("SELECT detail FROM lokbackup_health() WHERE database = 'app'"),
    qr/^no completed backup$/,
    'detail: no completed backup');

run_backup($node);
is(health(), '(roles) ok, app ok', 'after a manual backup, without a schedule: ok');
like(
    query("SELECT detail FROM lokbackup_health() WHERE database = 'app'"),
    qr/lokbackup\.schedule is empty/,
    'detail: without a schedule nothing is expected');
is( query(
        "SELECT age_pretty ~ '^[0-9]+ seconds ago\$' AND age < interval '1 minute' "
          . "AND expected_after IS NULL FROM lokbackup_health() WHERE database = 'app'"),
    't',
    'the age of the newest completed backup, as "N seconds ago"');
is(query("SELECT lokbackup_internal.pretty_age(interval '7 hours 59 minutes')"),
    '7 hours ago', 'an age in hours reads "N hours ago"');
is(query("SELECT lokbackup_internal.pretty_age(interval '3 days 2 hours')"),
    '3 days ago', 'and in days "N days ago"');

# --- a scheduled run refused: a compression level gzip does not have ---
my $rows_before = query('SELECT count(*) FROM lokbackup_backups');
my $offset = log_offset($node);
reload_settings(
    $node,
    'lokbackup.compression' => 'gzip',
    'lokbackup.compression_level' => '15',
    'lokbackup.schedule' => '* * * * *');
my $warning = wait_for_log_line($node,
    qr/WARNING:  lokbackup: the scheduled backup run requested by lokbackup schedule at .* was refused: compression level 15 is out of range for gzip/,
    $offset);
ok(defined $warning, 'the refused scheduled run is a WARNING in the server log')
  or diag(slurp_file($node->logfile, $offset));
like(
    slurp_file($node->logfile, $offset),
    qr/DETAIL:  No backup was made; the notification targets .* are told\./,
    'which says that the notification targets are told');

my ($notice) = @{ $hook->wait_for(1) };
my $payload = $notice->{json} // {};
is($payload->{status}, 'refused', 'the webhook is told that the scheduled run was refused');
is($payload->{contents}, 'none', 'a notice about a run, not a backup');
ok(!defined $payload->{backup_id}, 'with no backup id');
like($payload->{error}, qr/compression level 15 is out of range for gzip/, 'and why');
like(
    $payload->{text},
    qr/^\[lokbackup\] the scheduled backup run due at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ was refused/,
    'its text names the firing');
is(query('SELECT count(*) FROM lokbackup_backups'), $rows_before, 'no backup row was made');

ok( poll_until(
        $node,
        "SELECT string_agg(status, ',') FROM lokbackup_health()",
        'late,late', 30),
    'once the firing and the backup timeouts passed, the roles and app are late');
like(
    query("SELECT detail FROM lokbackup_health() WHERE database = 'app'"),
    qr/^no completed backup since the scheduled one due at /,
    'detail: since which firing');
is( query(
        "SELECT bool_and(last_completed_at < expected_after AND "
          . "expected_after <= now() - interval '5 seconds') FROM lokbackup_health()"),
    't',
    'expected_after is a past firing, after the newest completed backup');

# --- the next firing can run: ok again ---
reload_settings($node, 'lokbackup.compression_level' => '0');
ok( poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_backups WHERE requested_by = 'lokbackup schedule' "
          . "AND status = 'completed'",
        '2', 150),
    'the next scheduled run completes');
ok(poll_until($node, "SELECT string_agg(status, ',') FROM lokbackup_health()", 'ok,ok', 30),
    'then the roles and app are ok');
like(
    query("SELECT detail FROM lokbackup_health() WHERE database = 'app'"),
    qr/^completed since the scheduled backup due at /,
    'detail: completed since the firing');

# --- health is for lokbackup_admin ---
query('CREATE ROLE outsider LOGIN');
my ($rc, $out, $err) =
  $node->psql('postgres', 'SELECT * FROM lokbackup_health()', extra_params => [ '-U', 'outsider' ]);
like($err, qr/permission denied for function lokbackup_health/, 'PUBLIC may not call it');

reload_settings($node, 'lokbackup.schedule' => '');
done_testing();
