# The server log tells how each backup ended: a failed backup is a WARNING with an SQLSTATE (so that
# a watch for ERROR and WARNING lines sees it), a completed one a LOG line with the database, the
# id, the size and the duration.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node(
    'backup_log',
    settings => {
        'lokbackup.databases' => 'app, broken',
        'log_line_prefix' => '%m [%p] sqlstate=%e ' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('postgres', 'CREATE DATABASE broken');
ok(reject_connections($node, 'broken', 1), 'pg_hba.conf rejects connections to broken');

my $offset = log_offset($node);
my $ids = start_backup($node);
my $app = backup_of($node, $ids, 'app');
my $broken = backup_of($node, $ids, 'broken');
ok(wait_for_status($node, $app->{id}, 'completed'), 'the backup of app completes');
ok(wait_for_status($node, $broken->{id}, 'failed'), 'the backup of broken fails');
$app = backup_row($node, $app->{id});

like(
    wait_for_log_line($node, qr/lokbackup: backup $broken->{id} /, $offset) // '',
    qr/sqlstate=(?!00000)[0-9A-Z]{5} WARNING:  lokbackup: backup $broken->{id} of database "broken" failed: \S/,
    'the failed backup is a WARNING with an SQLSTATE that names the database and the error');
like(
    wait_for_log_line($node, qr/lokbackup: backup $app->{id} /, $offset) // '',
    qr/LOG:  lokbackup: backup $app->{id} of database "app" completed: $app->{size} bytes stored \(\d+ dumped\) in [\d.]+ s, sha256 \Q@{[substr($app->{sha256}, 0, 12)]}\E$/m,
    'the completed backup is a LOG line with the database, the id, the size, the duration and the checksum\'s prefix');

$node->stop;
done_testing();
