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

my $node = create_node('run_wait', settings => { 'lokbackup.databases' => 'app, broken' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('postgres', 'CREATE DATABASE broken');
ok(reject_connections($node, 'broken', 1), 'pg_hba.conf rejects connections to broken');

my ($ret, $stdout, $stderr) =
  $node->psql('postgres', "\\set VERBOSITY verbose\nSELECT lokbackup_run(wait => true)");
isnt($ret, 0, 'psql fails when a backup of the run failed');
my $failed = backup_rows($node, "status = 'failed'");
is(scalar @$failed, 1, 'one backup failed');
my $broken_id = ($failed->[0] // {})->{id} // 'none';
like(
    $stderr,
    qr/ERROR:  38000: backup $broken_id of database "broken" failed/,
    'the error names the failed backup and its database, with SQLSTATE 38000');
like($stderr, qr/DETAIL:  .*pg_hba\.conf rejects connection/, 'its detail is the backup\'s error');
like($stderr, qr/HINT:  .*lokbackup_list\(status => 'failed'\)/, 'its hint says where to look');
is( $node->safe_psql(
        'postgres',
        "SELECT string_agg(coalesce(database, 'roles') || ' ' || status, ',' ORDER BY id)"
          . ' FROM lokbackup_backups'),
    'roles completed,app completed,broken failed',
    'the run had finished when the error came, and the other backups completed');

ok(reject_connections($node, 'broken', 0), 'pg_hba.conf accepts broken again');
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT lokbackup_run(wait => true)');
is($ret, 0, 'a run whose backups all completed succeeds') or diag($stderr);
my ($ids) = $stdout =~ /^\{([\d,]+)\}$/;
is( $node->safe_psql(
        'postgres',
        "SELECT string_agg(status, ',' ORDER BY id) FROM lokbackup_backups WHERE id IN ("
          . ($ids // 0) . ')'),
    'completed,completed,completed',
    'and returns the ids of its completed backups');

$node->stop;
done_testing();
