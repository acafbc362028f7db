# lokbackup_run(wait => true) fails when a backup of its run failed: the ERROR names the failed
# backups and their databases, its DETAIL the first error and its HINT lokbackup_list(status =>
# 'failed'), so that psql (and any script) exits non-zero. When every backup completed it returns
# the ids, as ever.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('run_wait', settings => { 'lokbackup.databases' => 'app, gone' });
$node->safe_psql('postgres', 'CREATE DATABASE app');

my ($ret, $stdout, $stderr) = $node->psql('postgres',
    "\\set VERBOSITY verbose\nSELECT lokbackup_run(wait => true)");
isnt($ret, 0, 'psql fails when a backup of the run failed');
my $failed = backup_rows($node, "status = 'failed'");
is(scalar @$failed, 1, 'one backup failed');
my $gone = $failed->[0] // {};
like(
    $stderr,
    qr/ERROR:  38000: backup $gone->{id} of database "gone" failed/,
    'the error names the failed backup and its database, with SQLSTATE 38000');
like($stderr, qr/DETAIL:  .*database "gone" does not exist/, 'its detail is the backup\'s error');
like($stderr, qr/HINT:  .*lokbackup_list\(status => 'failed'\)/, 'its hint says where to look');
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')"),
    '0',
    'the run had finished when the error came');
is( $node->safe_psql('postgres',
        "SELECT string_agg(status, ',' ORDER BY id) FROM lokbackup_backups WHERE database IS DISTINCT FROM 'gone'"),
    'completed,completed',
    'the roles and app completed');

reload_settings($node, 'lokbackup.databases' => 'app');
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT lokbackup_run(wait => true)');
is($ret, 0, 'a run whose backups all completed succeeds') or diag($stderr);
my ($ids) = $stdout =~ /^\{([\d,]+)\}$/;
is( $node->safe_psql(
        'postgres', "SELECT string_agg(status, ',' ORDER BY id) FROM lokbackup_backups WHERE id IN ($ids)"),
    'completed,completed',
    'and returns the ids of its completed backups');

$node->stop;
done_testing();
