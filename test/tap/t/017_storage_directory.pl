# A storage directory set in lokbackup.storage must exist: a mistyped path or a file system that is
# not mounted fails every backup of the run with an error that says so, in the catalog and in the
# server log, and no directory is created for it. Only the default directory (lokbackup.storage
# empty: "lokbackup" beside the data directory) is created, private to the server's user.
use strict;
use warnings FATAL => 'all';

use File::Basename qw(dirname);
use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('storage_directory', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
my $missing = $node->basedir . '/not-mounted/backups';
reload_settings($node, 'lokbackup.storage' => $missing);

# --- a configured directory that does not exist ---
my $offset = log_offset($node);
my $ids = run_backup_allow_failures($node);
my $rows = run_backups($node, $ids);
is(scalar @$rows, 2, 'the run has a backup for the roles and for app');
is_deeply([ map { $_->{status} } @$rows ], [ 'failed', 'failed' ], 'both backups fail');
for my $row (@$rows)
{
    like(
        $row->{error} // '',
        qr/^storage directory "\Q$missing\E" does not exist \(a mistyped path, or a file system that is not mounted\?\): create it, owned by the server's operating-system user, mode 0700$/,
        "backup $row->{id}: the error names the directory and says what to do");
}
is($node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')"),
    '0', 'nothing stays pending or in progress');
ok(defined wait_for_log_line($node, qr/WARNING:.*storage directory "\Q$missing\E" does not exist/,
        $offset),
    'the failure is a WARNING in the server log');
ok(!-e $missing, 'the directory is not created');
ok(!-e dirname($missing), 'nor the directory above it');

# --- the default directory is created, private ---
my $default = dirname($node->data_dir) . '/lokbackup';
ok(!-e $default, 'the default directory does not exist before a backup uses it');
reload_settings($node, 'lokbackup.storage' => '');
$ids = run_backup($node);
is_deeply([ map { $_->{status} } @{ run_backups($node, $ids) } ],
    [ 'completed', 'completed' ], 'a backup into the default directory completes');
ok(-d $default, 'the default directory is created');
is(sprintf('%04o', (stat $default)[2] & 07777), '0700', 'with mode 0700');
my $app = backup_of($node, $ids, 'app');
ok(-f "$default/$app->{object_key}", 'the backup object is in it');

$node->stop;
done_testing();
