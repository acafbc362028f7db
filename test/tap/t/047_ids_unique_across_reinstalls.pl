# Backup ids stay unique in storage across reinstalls: DROP EXTENSION drops the id sequence but
# leaves the backups in storage, so before its first run into a storage the worker lists it and
# gives new backups ids past every id there. The listing is done once per storage, and a storage
# that cannot be listed refuses the run rather than risk an id used twice.
use strict;
use warnings FATAL => 'all';

use List::Util qw(max min);
use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('ids', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
my @old_ids = (@{ run_backup($node) }, @{ run_backup($node) });
is(scalar @old_ids, 4, 'two runs made four backups (the roles and app, twice)');

# --- reinstall: the objects stay in storage ---
$node->safe_psql('postgres', 'DROP EXTENSION lokbackup');
$node->safe_psql('postgres', 'CREATE EXTENSION lokbackup');
my $offset = log_offset($node);
my $new_ids = run_backup($node);
cmp_ok(min(@$new_ids), '>', max(@old_ids),
    'after DROP and CREATE EXTENSION, every new id is greater than every id in storage');
like(
    wait_for_log_line($node, qr/listed local directory .* the highest backup id there is/, $offset)
      // '',
    qr/\(\d+ objects\): the highest backup id there is ${\ max(@old_ids)}, new backups get higher ids/,
    'the server log says what the listing found');
is( $node->safe_psql('postgres', 'SELECT storage || \': \' || highest_id FROM lokbackup_storage_ids'),
    'local directory ' . storage_dir($node) . ': ' . max(@old_ids),
    'the catalog records the storage listed and the highest id found');

for my $id (@old_ids, @$new_ids)
{
    my $verify = run_lokbackup($node, [ 'verify', '--from', storage_dir($node), $id ]);
    is($verify->{exit}, 0, "verify --from finds exactly one backup $id, and it is intact");
}

# --- once per storage ---
my $checked_at = $node->safe_psql('postgres', 'SELECT checked_at FROM lokbackup_storage_ids');
my $next_ids = run_backup($node);
cmp_ok(min(@$next_ids), '>', max(@$new_ids), 'the next run goes on from the sequence');
is($node->safe_psql('postgres', 'SELECT checked_at FROM lokbackup_storage_ids'),
    $checked_at, 'the storage is not listed again');

# --- a storage that cannot be listed fails the run's backups before they start ---
my $unlistable = $node->basedir . '/unlistable';
mkdir($unlistable, 0700) or die "cannot create $unlistable: $!";
# Writable and searchable, not readable: objects could be written, but not listed.
chmod(0300, $unlistable) or die "cannot chmod $unlistable: $!";
reload_settings($node, 'lokbackup.storage' => $unlistable);
$offset = log_offset($node);
my $failed = run_backups($node, run_backup_allow_failures($node));
is_deeply([ map { $_->{status} } @$failed ], [ 'failed', 'failed' ],
    'a run into a storage that cannot be listed fails both its backups');
for my $row (@$failed)
{
    like(
        $row->{error},
        qr/^cannot list local directory \Q$unlistable\E to find the backup ids already used there: .*Permission denied.*; no backup was made/,
        "backup $row->{id}: the error names the storage and the reason");
}
ok(defined wait_for_log_line($node, qr/WARNING:.*backup $failed->[0]{id} .*failed: cannot list/,
        $offset),
    'the failure is a WARNING in the server log');
is( $node->safe_psql(
        'postgres', "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')"),
    '0', 'nothing stays pending or in progress');
chmod(0700, $unlistable) or die "cannot chmod $unlistable: $!";
is_deeply([ glob("$unlistable/*") ], [], 'nothing was written to the storage');
my $listable_ids = run_backup($node);
is( $node->safe_psql(
        'postgres', 'SELECT count(*) FROM lokbackup_storage_ids WHERE storage LIKE '
          . sql_literal("%$unlistable")),
    '1', 'once it can be listed, the new storage is listed and recorded');
cmp_ok(min(@$listable_ids), '>', max(map { $_->{id} } @$failed), 'and its backups get new ids');

$node->stop;
done_testing();
