# The catalog's side of a second destination (lokbackup.storage_copy), with two local directories:
# a copy in the place of lokbackup.storage is refused; a copy is recorded completed with the
# backup's checksum, and lokbackup_copy_locations() finds both; an interrupted backup fails its copy
# too and leaves nothing in either place; an optional copy that fails is warned about and leaves
# the backup completed; deleting a backup removes both copies.
use strict;
use warnings FATAL => 'all';

use File::Find ();
use File::Spec;
use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('copy_catalog', settings => { 'lokbackup.databases' => 'app' });
my $copy_dir = File::Spec->rel2abs($node->basedir . '/copy');
mkdir($copy_dir, 0700) or die "cannot create $copy_dir: $!";
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE held (id int); INSERT INTO held VALUES (1)');

sub copy_rows
{
    my ($id) = @_;
    return LokbackupTest::decode_rows(
        $node->safe_psql('postgres',
            "SELECT row_to_json(c) FROM lokbackup_copies c WHERE backup_id = $id"));
}

# The directory and those below it (where the objects go), so that nothing can be written there.
sub chmod_directories
{
    my ($root, $mode) = @_;
    File::Find::find(
        {   wanted => sub { chmod($mode, $_) or die "chmod $_: $!" if -d $_ },
            no_chdir => 1 },
        $root);
    return;
}

sub nothing_in_progress
{
    my ($what) = @_;
    ok( poll_until(
            $node,
            "SELECT (SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress'))"
              . " + (SELECT count(*) FROM lokbackup_copies WHERE status = 'in_progress')",
            '0'),
        "$what: no backup and no copy is left pending or in progress");
}

# --- The place of lokbackup.storage is no second destination ----------------------------------
reload_settings($node, 'lokbackup.storage_copy' => storage_dir($node) . '/');
my $same = backup_of($node, run_backup_allow_failures($node), 'app');
is($same->{status}, 'failed', 'a copy into the place of lokbackup.storage fails the backup');
like($same->{error}, qr/lokbackup\.storage_copy .* is the place the backup is written to/,
    'and says why');
is_deeply(copy_rows($same->{id}), [], 'no copy is recorded for it');

# --- A copy in a second directory --------------------------------------------------------------
reload_settings($node, 'lokbackup.storage_copy' => $copy_dir);
my $app = backup_of($node, run_backup($node), 'app');
is($app->{status}, 'completed', 'a backup with a copy completes');
my ($copy) = @{ copy_rows($app->{id}) };
is($copy->{status}, 'completed', 'its copy is completed');
is($copy->{required}, 1, 'and required, as lokbackup.storage_copy_required says by default');
is($copy->{sha256}, $app->{sha256}, "the copy has the backup's sha256");
ok(-f "$copy_dir/$app->{object_key}", 'the second directory holds the object');
ok(-f "$copy_dir/$app->{object_key}.manifest.json", 'and its manifest');
is( $node->safe_psql(
        'postgres',
        "SELECT string_agg(destination || '=' || (location = storage || '/' || "
          . sql_literal($app->{object_key}) . "), ',') FROM lokbackup_copy_locations($app->{id})"),
    'primary=true,copy=true',
    'lokbackup_copy_locations(): the primary, then the copy, each at its path');
is($node->safe_psql('postgres', "SELECT copies FROM lokbackup_list() WHERE id = $app->{id}"),
    '2 of 2', 'lokbackup_list(): 2 of 2');

# --- An interrupted backup fails its copy too --------------------------------------------------
{
    my ($lock, $held) = start_held_backup($node, 'app', 'held');
    is($node->safe_psql('postgres',
            "SELECT status FROM lokbackup_copies WHERE backup_id = $held->{id}"),
        'in_progress', 'a running backup has its copy in progress');
    my $child = backup_child_pid($node);
    my @processes = ($child, descendant_pids($child));
    $node->stop('immediate');
    eval { $lock->quit };
    ok(wait_for_exit(@processes), 'immediate stop: the backup child is gone');
    $node->start;
    nothing_in_progress('after an immediate stop');
    my ($failed) = @{ copy_rows($held->{id}) };
    is($failed->{status}, 'failed', "the interrupted backup's copy is failed");
    ok(length($failed->{error} // '') > 0, 'with the reason: ' . ($failed->{error} // ''));
    ok( wait_until(sub { !grep { index($_, $held->{object_key}) >= 0 } @{ files_below($copy_dir) } }),
        'nothing of it is left in the second directory');
    is_deeply(partial_files($node), [], 'nor a partial object in the first');
}

# --- An optional copy that fails -------------------------------------------------------------
reload_settings($node, 'lokbackup.storage_copy_required' => 'off');
chmod_directories($copy_dir, 0500);
my $offset = log_offset($node);
my $one = backup_of($node, run_backup($node), 'app');
is($one->{status}, 'completed', 'an optional copy that fails leaves the backup completed');
my ($optional) = @{ copy_rows($one->{id}) };
is($optional->{status}, 'failed', 'its copy is failed');
is($optional->{required}, 0, 'and was not required');
is($node->safe_psql('postgres', "SELECT copies FROM lokbackup_list() WHERE id = $one->{id}"),
    '1 of 2 (copy failed)', 'lokbackup_list(): 1 of 2 (copy failed)');
ok( wait_for_log_line(
        $node, qr/WARNING:.*backup $one->{id} of database "app" completed, but its copy to \Q$copy_dir\E failed/,
        $offset),
    'a WARNING names the backup and the second destination');
is( $node->safe_psql('postgres',
        "SELECT string_agg(destination, ',') FROM lokbackup_copy_locations($one->{id})"),
    'primary', 'lokbackup_copy_locations() leaves the failed copy out');
chmod_directories($copy_dir, 0700);

# --- Deleting a backup removes both copies -----------------------------------------------------
$node->safe_psql('postgres', "SELECT lokbackup_delete($app->{id})");
ok( wait_until(
        sub {
            !-e "$copy_dir/$app->{object_key}" && !-e storage_dir($node) . "/$app->{object_key}";
        }),
    'lokbackup_delete() removes the object from both directories');
is_deeply([ map { $_->{status} } @{ copy_rows($app->{id}) } ], ['deleted'],
    'its copy is deleted');
nothing_in_progress('at the end');

$node->stop;
done_testing();
