# A database named in lokbackup.databases that cannot be backed up (dropped, or ALTER DATABASE ...
# ALLOW_CONNECTIONS false) fails a backup row of its own, with an error that says why and what to
# do, and is notified like any failed backup; the other databases and the roles are backed up as
# usual. A run that cannot start at all (a compression level the codec does not allow) leaves a
# WARNING in the server log even when the schedule requested it, and pg_stat_activity does not
# keep showing the worker creating backups.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $hook = start_webhook_sink();
my $node = create_node(
    'unavailable',
    settings => {
        'lokbackup.databases' => 'app, gone, closed',
        'lokbackup.notify_webhook' => 'http://127.0.0.1:' . $hook->port . '/hook' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('postgres', 'CREATE DATABASE gone');
$node->safe_psql('postgres', 'DROP DATABASE gone');
$node->safe_psql('postgres', 'CREATE DATABASE closed');
$node->safe_psql('postgres', 'ALTER DATABASE closed ALLOW_CONNECTIONS false');

# --- one database gone, one closed: each fails alone ---
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT lokbackup_run()');
is($ret, 0, 'a run with a dropped and a closed database is accepted') or diag($stderr);
my ($ids_text) = $stdout =~ /^\{([\d,]+)\}$/m;
my $ids = [ split /,/, $ids_text // '' ];
is(scalar @$ids, 4, 'it has a backup for the roles and for each named database');
ok( poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')", '0'),
    'nothing stays pending or in progress');

my %row_of = map { ($_ // 'roles') => backup_of($node, $ids, $_) // {} } (undef, 'app', 'gone', 'closed');
is($row_of{roles}{status}, 'completed', 'the roles are backed up');
is($row_of{app}{status}, 'completed', 'the database that exists is backed up');
is($row_of{gone}{status}, 'failed', 'the backup of the dropped database fails');
like(
    $row_of{gone}{error} // '',
    qr/database "gone" does not exist.*lokbackup\.databases/,
    'its error says the database does not exist and to correct lokbackup.databases');
is($row_of{closed}{status}, 'failed', 'the backup of the database that refuses connections fails');
like(
    $row_of{closed}{error} // '',
    qr/database "closed" does not allow connections.*lokbackup\.databases/,
    'its error says the database does not allow connections and to correct lokbackup.databases');

my $posts = $hook->wait_for(2);
my %notice_of = map { ($_->{json}{backup_id} // 0) => $_->{json} } @$posts;
for my $database ('gone', 'closed')
{
    my $row = $row_of{$database};
    my $notice = $notice_of{ $row->{id} // -1 };
    ok($notice, "the failed backup of $database is notified");
    is($notice->{error}, $row->{error}, "with the error the catalog has ($database)") if $notice;
}

# --- a scheduled run that cannot start leaves a WARNING and no stale activity ---
reload_settings(
    $node,
    'lokbackup.databases' => 'app',
    'lokbackup.compression' => 'gzip',
    'lokbackup.compression_level' => '15');
my $offset = log_offset($node);
my $rows_before = $node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_backups');
reload_settings($node, 'lokbackup.schedule' => '* * * * *');

# The schedule fires at the next minute boundary.
my $warning = wait_for_log_line($node, qr/WARNING:.*lokbackup/, $offset, 90);
like(
    $warning // '',
    qr/WARNING:.*scheduled backup run.*refused.*compression level/,
    'the refused scheduled run is a WARNING in the server log that says why');
reload_settings($node, 'lokbackup.schedule' => '');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_backups'),
    $rows_before, 'the refused run created no row');
ok( poll_until(
        $node,
        "SELECT state FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'",
        'idle'),
    'pg_stat_activity shows the worker idle after the refused run');

$node->stop;
done_testing();
