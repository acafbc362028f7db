# A run that starts after more than one firing passed stands for them all (024: one catch-up run,
# not one per firing). The firings it takes the place of are not silent: a WARNING names them and
# says why (the server was down; a run was still running), and the notification targets are told.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $hook = start_webhook_sink();
my $node = create_node(
    'skipped',
    settings => {
        'lokbackup.databases' => 'postgres',
        'lokbackup.notify_webhook' => 'http://127.0.0.1:' . $hook->port . '/hook' });

# The last scheduled run finished ten minutes ago; while the server is down, a per-minute
# schedule would have fired nine or ten times.
fabricate_backup($node, type => 'daily', finished => "now() - interval '10 minutes'");
fabricate_backup(
    $node,
    database => 'postgres',
    type => 'daily',
    finished => "now() - interval '10 minutes'");
$node->stop;
$node->append_conf('postgresql.conf', "lokbackup.schedule = '* * * * *'\n");
my $offset = log_offset($node);
$node->start;

my $warning = wait_for_log_line($node,
    qr/WARNING:  lokbackup: the scheduled backup runs due from (.+) to (.+) were skipped: the lokbackup worker was not running .*; one run starts now in their place/,
    $offset);
ok(defined $warning, 'the skipped firings are a WARNING that names them and says why')
  or diag(slurp_file($node->logfile, $offset));

my ($notice) = @{ $hook->wait_for(1) };
my $payload = $notice->{json} // {};
is($payload->{status}, 'skipped', 'the webhook is told of the skipped firings');
like($payload->{error}, qr/were skipped: the lokbackup worker was not running/, 'and why');

ok( poll_until(
        $node,
        # The catch-up run's two backups (a minute boundary passing meanwhile may start another).
        "SELECT count(*) FROM lokbackup_backups WHERE status = 'completed' AND run_id = "
          . "(SELECT min(run_id) FROM lokbackup_backups WHERE requested_at > now() - interval '5 minutes')",
        '2'),
    'the one catch-up run completes');
ok(poll_until($node, "SELECT string_agg(status, ',') FROM lokbackup_health()", 'ok,ok', 30),
    'then lokbackup_health() says ok');

# --- a run still running while the next two firings pass ---
$offset = log_offset($node);
my $lock = hold_roles_dump($node);
ok(wait_until_dump_blocked($node, 'postgres'), 'a scheduled run waits for a lock');
ok( poll_until(
        $node, "SELECT now() > lokbackup_next_run() + interval '62 seconds'", 't', 180),
    'while the next two firings pass');
release_lock($lock);
$warning = wait_for_log_line($node,
    qr/WARNING:  lokbackup: the scheduled backup runs due from (.+) to (.+) were skipped: a backup run was still running; one run starts now in their place/,
    $offset);
ok(defined $warning, 'the firings the long run outlasted are a WARNING')
  or diag(slurp_file($node->logfile, $offset));
like(slurp_file($node->logfile, $offset),
    qr/HINT:  A run takes longer than lokbackup.schedule leaves it/, 'with a hint');
my $notices = $hook->wait_for(2);
is($notices->[1]{json}{status}, 'skipped', 'and the webhook is told');
like($notices->[1]{json}{error}, qr/a backup run was still running/, 'why');

reload_settings($node, 'lokbackup.schedule' => '');
done_testing();
