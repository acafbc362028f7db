# A catalog made by lokbackup 0.1.0 updates in place: ALTER EXTENSION lokbackup UPDATE keeps every
# backup, and what 0.2.0 changed works on the updated catalog. 0.3.0: a row written before the
# update gets the storage in force at the update, so that it is still found there after
# lokbackup.storage has moved on. 0.4.0: a backup after the update records the database's
# properties in its row; the rows written before have none and still restore.
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
my $backups_before = $node->safe_psql('postgres',
    'SELECT string_agg(id || status || sha256, \',\' ORDER BY id) FROM lokbackup_backups');

$node->safe_psql('postgres', 'ALTER EXTENSION lokbackup UPDATE');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'lokbackup'"),
    '0.4.0', 'the extension is at 0.4.0');
is( $node->safe_psql('postgres',
        'SELECT string_agg(id || status || sha256, \',\' ORDER BY id) FROM lokbackup_backups'),
    $backups_before,
    'every backup of 0.1.0 is still in the catalog, unchanged');

# 0.3.0: every row knows its storage; the old ones got the storage in force at the update.
my $old_storage = storage_dir($node);
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_backups WHERE storage = " . sql_literal($old_storage)
          . " AND s3_endpoint IS NULL AND s3_region IS NULL AND s3_path_style IS NULL"),
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

$node->stop;
done_testing();
