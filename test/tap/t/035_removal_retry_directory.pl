# A removal that fails is kept in lokbackup_removals, survives a server restart, and is retried by
# the worker until it succeeds: a backup directory made read-only (mode 0500) makes
# lokbackup_delete()'s removal fail; after a restart, with the permissions restored, the worker
# removes the files and drops the removal. (Before, the retry list lived in the memory of the
# session that deleted, and the files stayed for good.)
use strict;
use warnings FATAL => 'all';

use File::Basename qw(dirname);
use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('removal_retry', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
my $backup = backup_of($node, run_backup($node), 'app');
my $object = storage_dir($node) . "/$backup->{object_key}";
my $directory = dirname($object);
ok(-f $object, 'the backup object is in storage');

chmod(0500, $directory) or die "cannot chmod $directory: $!";
my $offset = log_offset($node);
my ($exit, $stdout, $stderr) =
  $node->psql('postgres', "SELECT lokbackup_delete($backup->{id})");
is($exit, 0, 'lokbackup_delete() succeeds while storage refuses the removal');
like($stderr, qr/WARNING:  lokbackup: could not remove backup object \Q$backup->{object_key}\E: cannot remove/,
    'it warns that the object could not be removed');
like($stderr, qr/HINT:  The removal waits in lokbackup_removals; the lokbackup worker tries it again until it succeeds\./,
    'and says that the removal is kept and retried');
is($node->safe_psql('postgres', "SELECT status FROM lokbackup_backups WHERE id = $backup->{id}"),
    'deleted', 'the backup is marked deleted');
is( $node->safe_psql('postgres',
        "SELECT object_key || ' ' || storage FROM lokbackup_removals WHERE backup_id = $backup->{id}"),
    "$backup->{object_key} " . storage_dir($node),
    'its removal waits in lokbackup_removals, with the storage of the backup');
ok(poll_until($node,
        "SELECT attempts >= 1 AND last_error LIKE 'cannot remove%' FROM lokbackup_removals "
          . "WHERE backup_id = $backup->{id}", 't'),
    'the worker tries it and records the error');
ok(-f $object, 'the object is still there');

$node->restart;
ok(poll_until($node,
        "SELECT attempts >= 2 FROM lokbackup_removals WHERE backup_id = $backup->{id}", 't'),
    'after a restart the removal is still queued, and the worker tries it again as it starts');

chmod(0700, $directory) or die "cannot chmod $directory: $!";
ok(poll_until($node,
        "SELECT count(*) FROM lokbackup_removals WHERE backup_id = $backup->{id}", '0'),
    'once storage allows it, the worker does the removal and drops its row');
ok(!-e $object, 'the object is gone');
ok(!-e "$object.manifest.json", 'and its manifest');

$node->stop;
done_testing();
