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
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_storage_ids'),
    '1', 'the worker recorded that it listed the storage');
my $checked_at = $node->safe_psql('postgres', 'SELECT checked_at FROM lokbackup_storage_ids');

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
is( $node->safe_psql('postgres', 'SELECT highest_id FROM lokbackup_storage_ids'),
    max(@old_ids), 'the catalog records the highest id found');

for my $id (@old_ids, @$new_ids)
{
    my $verify = run_lokbackup($node, [ 'verify', '--from', storage_dir($node), $id ]);
    is($verify->{exit}, 0, "verify --from finds exactly one backup $id, and it is intact");
}

# --- once per storage ---
$checked_at = $node->safe_psql('postgres', 'SELECT checked_at FROM lokbackup_storage_ids');
my $next_ids = run_backup($node);
cmp_ok(min(@$next_ids), '>', max(@$new_ids), 'the next run goes on from the sequence');
is($node->safe_psql('postgres', 'SELECT checked_at FROM lokbackup_storage_ids'),
    $checked_at, 'the storage is not listed again');

# --- a storage that cannot be listed refuses the run ---
my $unlistable = $node->basedir . '/unlistable';
mkdir($unlistable, 0700) or die "cannot create $unlistable: $!";
# Writable and searchable, not readable: objects could be written, but not listed.
chmod(0300, $unlistable) or die "cannot chmod $unlistable: $!";
reload_settings($node, 'lokbackup.storage' => $unlistable);
my $rows_before = $node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_backups');
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'SELECT lokbackup_run(wait => true)', timeout => 120);
isnt($ret, 0, 'a run into a storage that cannot be listed is refused');
like(
    $stderr,
    qr/cannot list local directory \Q$unlistable\E to find the backup ids already used there: .*Permission denied/,
    'the refusal names the storage and the reason');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_backups'),
    $rows_before, 'the refused run created no backup');
is( $node->safe_psql(
        'postgres', "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')"),
    '0', 'nothing stays pending or in progress');

chmod(0700, $unlistable) or die "cannot chmod $unlistable: $!";
my $listable_ids = run_backup($node);
is( $node->safe_psql(
        'postgres', 'SELECT count(*) FROM lokbackup_storage_ids WHERE storage LIKE '
          . sql_literal("%$unlistable")),
    '1', 'once it can be listed, the new storage is listed and recorded');
cmp_ok(min(@$listable_ids), '>', max(@$next_ids), 'and its backups get new ids');

$node->stop;
done_testing();
