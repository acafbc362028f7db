# Nothing runs on a standby: no worker, and lokbackup_run() says why. After promotion the worker
# starts and backups work.

use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = create_node('primary', streaming => 1);
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');
is( $standby->safe_psql(
        'postgres', "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'"),
    '0',
    'no lokbackup worker runs on the standby');
my ($ret, $stdout, $stderr) = $standby->psql('postgres', 'SELECT lokbackup_run()');
isnt($ret, 0, 'lokbackup_run() fails on the standby');
like($stderr, qr/cannot run a backup on a standby/, 'and says why');

$standby->promote;
ok( poll_until(
        $standby,
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'", '1'),
    'after promotion the worker starts');
my $rows = run_backups($standby, run_backup($standby));
is_deeply([ map { $_->{status} } @$rows ],
    [ map { 'completed' } @$rows ], 'and the promoted server takes backups');

$standby->stop;
$primary->stop;
done_testing();
