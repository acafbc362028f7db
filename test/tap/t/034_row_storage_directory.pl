# Every row knows its storage: after lokbackup.storage moves from directory A to directory B, the
# backups written to A are still verified, restored, deleted and rotated in A, while new backups go
# to B. (Before, the old backups were looked for in B: "not found", and their files stayed in A.)
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('row_storage', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', q{CREATE TABLE kept (note text); INSERT INTO kept VALUES ('in A')});
my $a = storage_dir($node);
my $to_delete = backup_of($node, run_backup($node), 'app');
my $to_rotate = backup_of($node, run_backup($node), 'app');
for my $backup ($to_delete, $to_rotate)
{
    ok(-f "$a/$backup->{object_key}", "backup $backup->{id} is written to A");
}

my $b = $node->basedir . '/storage-b';
mkdir($b, 0700) or die "cannot create $b: $!";
reload_settings($node, 'lokbackup.storage' => $b);

is( $node->safe_psql('postgres',
        "SELECT storage FROM lokbackup_backups WHERE id IN ($to_delete->{id}, $to_rotate->{id})"
          . " GROUP BY storage"),
    $a, 'their rows still record A');
is($node->safe_psql('postgres', "SELECT location FROM lokbackup_restore_plan('$to_delete->{id}')"),
    "$a/$to_delete->{object_key}", 'the restore plan finds the object in A');

my $verify = run_lokbackup($node, [ 'verify', $to_delete->{id} ]);
is($verify->{exit}, 0, 'lokbackup verify of a backup in A succeeds') or diag($verify->{stderr});
my $restore = run_lokbackup($node,
    [ 'restore', $to_delete->{id}, '--dbname', 'app_from_a', '--create', '--yes' ]);
is($restore->{exit}, 0, 'lokbackup restore of it succeeds') or diag($restore->{stderr});
is($node->safe_psql('app_from_a', 'SELECT note FROM kept'), 'in A', 'with its data');

my $in_b = backup_of($node, run_backup($node), 'app');
is($node->safe_psql('postgres', "SELECT storage FROM lokbackup_backups WHERE id = $in_b->{id}"),
    $b, 'a new backup records B');
ok(-f "$b/$in_b->{object_key}", 'and is written to B');

# --- delete ---
$node->safe_psql('postgres', "SELECT lokbackup_delete($to_delete->{id})");
ok(!-e "$a/$to_delete->{object_key}", 'lokbackup_delete() removes the object from A');
ok(!-e "$a/$to_delete->{object_key}.manifest.json", 'and its manifest');
ok(poll_until($node,
        "SELECT count(*) FROM lokbackup_removals WHERE backup_id = $to_delete->{id}", '0'),
    'the removal, done, leaves lokbackup_removals');

# --- rotation ---
$node->safe_psql('postgres',
        "UPDATE lokbackup_backups SET type = 'daily', requested_at = now() - interval '30 days', "
      . "started_at = now() - interval '30 days', finished_at = now() - interval '30 days' "
      . "WHERE id = $to_rotate->{id}");
is($node->safe_psql('postgres', 'SELECT string_agg(backup_id::text, \',\') FROM lokbackup_rotate()'),
    $to_rotate->{id}, 'rotation expires the old daily backup');
ok(!-e "$a/$to_rotate->{object_key}", 'and removes its object from A');
ok(!-e "$a/$to_rotate->{object_key}.manifest.json", 'and its manifest');
ok(-f "$b/$in_b->{object_key}", 'the backup in B stays');

$node->stop;
done_testing();
