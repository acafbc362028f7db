# A catalog made by lokbackup 0.1.0 updates in place: ALTER EXTENSION lokbackup UPDATE keeps every
# backup, and what 0.2.0 changed works on the updated catalog. 0.3.0: a row written before the
# update gets the storage in force at the update, so that it is still found there after
# lokbackup.storage has moved on. 0.4.0: a backup after the update records the database's
# properties in its row; the rows written before have none and still restore. 0.5.0: the
# internal functions are in lokbackup_internal, and the new worker removes expired backups
# through the catalog it finds, before and after the update.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('upgrade', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres',
    "DROP EXTENSION lokbackup; CREATE EXTENSION lokbackup VERSION '0.1.0'");
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$made by 0.1.0$$)');
my $before = run_backup($node);
my $made_by_0_1 = 'id <= ' . $node->safe_psql('postgres', 'SELECT max(id) FROM lokbackup_backups');
my $backups_before = $node->safe_psql('postgres',
    "SELECT string_agg(id || status || sha256, ',' ORDER BY id) FROM lokbackup_backups WHERE $made_by_0_1");

# Where a backup's object is: its row's storage directory (whatever the catalog's version).
sub stored_path
{
    my ($backup) = @_;
    my $storage = $node->safe_psql('postgres',
        "SELECT storage FROM lokbackup_backups WHERE id = $backup->{id}");
    return "$storage/$backup->{object_key}";
}

# A daily backup of `database`, made 30 days old: rotation expires it alone, and the worker
# removes its object from storage (through the removal function of the catalog's version).
sub expire_daily_backup
{
    my ($database, $catalog) = @_;
    my $expired = backup_of($node, run_backup($node, 'daily'), $database);
    $node->safe_psql('postgres',
        "UPDATE lokbackup_backups SET finished_at = now() - interval '30 days' WHERE id = $expired->{id}");
    is($node->safe_psql('postgres', "SELECT string_agg(backup_id::text, ',') FROM lokbackup_rotate()"),
        $expired->{id}, "on a $catalog catalog, rotation expires an old daily backup");
    ok(wait_until(sub { !-e stored_path($expired) }),
        "and the worker removes its object from storage through the $catalog catalog");
}

# Before 0.5.0 the worker finds the removal function in the extension's schema.
$node->safe_psql('postgres', "ALTER EXTENSION lokbackup UPDATE TO '0.4.0'");
expire_daily_backup('app', '0.4.0');

$node->safe_psql('postgres', 'ALTER EXTENSION lokbackup UPDATE');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'lokbackup'"),
    '0.7.0', 'the extension is at 0.7.0');
is( $node->safe_psql('postgres',
        "SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc "
          . "WHERE pronamespace = 'public'::regnamespace AND proname LIKE 'lokbackup%'"),
    'lokbackup_copy_locations,lokbackup_delete,lokbackup_download_url,lokbackup_drill,lokbackup_health,'
      . 'lokbackup_keep,lokbackup_list,lokbackup_next_run,lokbackup_progress,lokbackup_record_copy,'
      . 'lokbackup_record_copy_verification,lokbackup_record_verification,'
      . 'lokbackup_restore_plan,lokbackup_rotate,lokbackup_run,lokbackup_stats,lokbackup_wal_status',
    "the extension's schema holds only the functions users call");
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM pg_proc WHERE pronamespace = 'lokbackup_internal'::regnamespace"),
    31, 'the 31 internal ones are in lokbackup_internal');
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_backups WHERE $made_by_0_1 AND timeline IS NULL "
          . "AND start_lsn IS NULL AND stop_lsn IS NULL AND start_wal_file IS NULL"),
    $node->safe_psql('postgres', "SELECT count(*) FROM lokbackup_backups WHERE $made_by_0_1"),
    '0.6.0: the dumps of 0.1.0 have no WAL range');
my ($refused_ret, $refused_out, $refused_err) = $node->psql('postgres',
    "INSERT INTO lokbackup_backups (run_id, type, contents, database, format, compression, "
      . "compression_level, requested_by, storage) "
      . "VALUES (1, 'manual', 'cluster', 'app', 'tar', 'zstd', 0, 'x', '/x')");
like($refused_err, qr/violates check constraint "lokbackup_backups_database_check"/,
    'a base backup row with a database violates the updated constraint');
is( $node->safe_psql('postgres',
        "SELECT string_agg(id || status || sha256, ',' ORDER BY id) FROM lokbackup_backups WHERE $made_by_0_1"),
    $backups_before,
    'every backup of 0.1.0 is still in the catalog, unchanged');

# 0.3.0: every row knows its storage; the old ones got the storage in force at the update.
my $old_storage = storage_dir($node);
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_backups WHERE storage = " . sql_literal($old_storage)
          . " AND s3_endpoint IS NULL AND s3_region IS NULL AND s3_path_style IS NULL AND $made_by_0_1"),
    scalar(@$before),
    'every row written by 0.1.0 records the storage directory in force at the update');
my $old = backup_of($node, $before, 'app');
my $new_storage = $node->basedir . '/moved-storage';
mkdir($new_storage, 0700) or die "cannot create $new_storage: $!";
reload_settings($node, 'lokbackup.storage' => $new_storage);
like($node->safe_psql('postgres', "SELECT location FROM lokbackup_restore_plan('$old->{id}')"),
    qr{^\Q$old_storage/\E}, 'after lokbackup.storage moved, the old backup is planned from its own directory');
my $verify = run_lokbackup($node, [ 'verify', $old->{id} ]);
is($verify->{exit}, 0, 'lokbackup verify of the old backup succeeds after the move')
  or diag($verify->{stderr});
my $restore = run_lokbackup($node,
    [ 'restore', $old->{id}, '--dbname', 'restored_old', '--create', '--yes' ]);
is($restore->{exit}, 0, 'and lokbackup restore of it too') or diag($restore->{stderr});
is($node->safe_psql('restored_old', 'SELECT note FROM kept'),
    'made by 0.1.0', 'the restored database holds what was backed up');

# 0.2.0: the plan's command is quoted for a shell.
$node->safe_psql('postgres', q{CREATE DATABASE "$(touch pwned)"});
reload_settings($node, 'lokbackup.databases' => '"$(touch pwned)"');
my $ids = run_backup($node);
my $row = backup_of($node, $ids, '$(touch pwned)');
is($row->{status}, 'completed', 'a backup on the updated catalog completes');
is($node->safe_psql('postgres', "SELECT storage FROM lokbackup_backups WHERE id = $row->{id}"),
    $new_storage, 'its row records the storage in force now');
is( $node->safe_psql('postgres',
        "SELECT database_properties ->> 'encoding' FROM lokbackup_backups WHERE id = $row->{id}"),
    'UTF8', "and the database's properties");
ok(-f "$new_storage/$row->{object_key}", 'and its object is there');
is( $node->safe_psql('postgres',
        "SELECT command FROM lokbackup_restore_plan('$row->{id}')"),
    "lokbackup restore $row->{id} '--dbname=\$(touch pwned)'",
    'its restore command quotes the database name for a shell');

# 0.5.0: what moved still works from the functions users call, and the worker's removals.
$node->safe_psql('postgres', "SELECT lokbackup_keep($row->{id})");
is($node->safe_psql('postgres', "SELECT pinned FROM lokbackup_backups WHERE id = $row->{id}"),
    't', 'lokbackup_keep() pins a backup on the updated catalog');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_list(type => \'manual\')') > 0,
    1, 'lokbackup_list() checks its filters with the moved function');
# 0.7.0: the backups made before the second destination are each in one place.
is( $node->safe_psql('postgres',
        "SELECT string_agg(DISTINCT copies, ',') FROM lokbackup_list(status => 'completed')"),
    '1 of 1', 'lokbackup_list() counts one copy of each earlier backup');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_copies'),
    '0', 'the upgrade adds no copy of an earlier backup');
my $health = $node->safe_psql('postgres',
    "SELECT status FROM lokbackup_health() WHERE database = '(roles)'");
is($health, 'ok', "lokbackup_health() works on the updated catalog");
$node->safe_psql('postgres', "SELECT lokbackup_delete($old->{id})");
ok(wait_until(sub { !-e stored_path($old) }),
    'lokbackup_delete() on the updated catalog removes the object from its storage');
expire_daily_backup('$(touch pwned)', '0.5.0');

$node->stop;
done_testing();
