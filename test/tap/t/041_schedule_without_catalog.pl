# Before CREATE EXTENSION (or after DROP EXTENSION and a restart) the worker has no catalog and
# makes no backup, but the schedule still fires: each firing is a WARNING that names it and says
# why nothing ran, and a notification. Once the extension is there, scheduled runs go on.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $hook = start_webhook_sink();
my $node = create_node(
    'no_catalog',
    settings => {
        'lokbackup.databases' => 'postgres',
        'lokbackup.notify_webhook' => 'http://127.0.0.1:' . $hook->port . '/hook' });

$node->safe_psql('postgres', 'DROP EXTENSION lokbackup');
$node->append_conf('postgresql.conf', "lokbackup.schedule = '* * * * *'\n");
my $offset = log_offset($node);
$node->restart;

my $warning = wait_for_log_line(
    $node,
    qr/WARNING:  lokbackup: the scheduled backup run due at (.*) was not run: the lokbackup extension is not installed in database "postgres"/,
    $offset);
ok(defined $warning, 'a firing without the catalog is a WARNING that says why nothing ran')
  or diag(slurp_file($node->logfile, $offset));
like(
    slurp_file($node->logfile, $offset),
    qr/HINT:  Run CREATE EXTENSION lokbackup in database "postgres"/,
    'with a hint');

my ($notice) = @{ $hook->wait_for(1) };
my $payload = $notice->{json} // {};
is($payload->{status}, 'not run', 'the webhook is told that the scheduled run did not run');
is($payload->{type}, 'scheduled', 'a scheduled run');
like($payload->{error}, qr/the lokbackup extension is not installed in database "postgres"/,
    'and why');
like($payload->{started_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/, 'due at a whole minute');

# --- the extension back: the schedule runs ---
$node->safe_psql('postgres', 'CREATE EXTENSION lokbackup');
ok( poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_backups WHERE requested_by = 'lokbackup schedule' "
          . "AND status = 'completed'",
        '2', 150),
    'once the extension exists, a scheduled run completes');
is($node->safe_psql('postgres', "SELECT string_agg(status, ',') FROM lokbackup_health()"),
    'ok,ok', 'and lokbackup_health() says ok');

done_testing();
