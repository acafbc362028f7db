# The catalog is in the catalog database's dump (pg_extension_config_dump): lokbackup's own backup
# of that database holds the rows of lokbackup_backups and lokbackup_audit, and the run number,
# also after ALTER EXTENSION ... UPDATE from 0.1.0. That backup restores into another database,
# where the copy of the catalog can be read and refuses to act: no run, no removal, no URL, no
# rotation, whose objects are the real catalog's. The dump leaves out the backups that were still
# pending or running when it was taken (its own run's): restored over the catalog database itself,
# they made the worker fail backups that had completed and remove their objects.
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('catalogdump', settings => { 'lokbackup.databases' => 'postgres' });

# The decompressed plain script of the catalog database's newest backup.
sub catalog_script
{
    my $backup = backup_of($node, run_backup($node), 'postgres');
    is($backup->{status}, 'completed', 'the backup of the catalog database is completed');
    my $script = '';
    IPC::Run::run([ 'zstd', '-dc', object_path($node, $backup->{object_key}) ], '>', \$script)
      or die 'zstd -dc failed';
    return ($backup, $script);
}

for my $how ('a new install', 'an update from 0.1.0')
{
    if ($how ne 'a new install')
    {
        $node->safe_psql('postgres',
            "DROP EXTENSION lokbackup; CREATE EXTENSION lokbackup VERSION '0.1.0'; "
              . 'ALTER EXTENSION lokbackup UPDATE');
    }
    run_backup($node);    # a completed row for the next backup's dump to hold
    my ($backup, $script) = catalog_script();
    like($script, qr/^COPY public\.lokbackup_backups \(/m, "$how: the dump has the backups");
    like($script, qr/^COPY public\.lokbackup_audit \(/m, "$how: and the audit trail");
    like($script, qr/setval\('public\.lokbackup_run_seq'/, "$how: and the run number");
    my ($completed) = $node->safe_psql('postgres',
        "SELECT id FROM lokbackup_backups WHERE status = 'completed' "
          . "AND run_id < $backup->{run_id} ORDER BY id DESC LIMIT 1");
    like($script, qr/^$completed\t/m, "$how: with the row of an earlier backup");
}

# --- the catalog database's backup restores into another database ---
my ($backup) = catalog_script();
my $restore = run_lokbackup($node,
    [ 'restore', $backup->{id}, '--dbname', 'catalog_copy', '--create', '--yes' ]);
is($restore->{exit}, 0, 'the backup of the catalog database restores into another database');
my $rows_in = sub {
    my ($database, $where) = @_;
    return $node->safe_psql($database,
        "SELECT string_agg(id::text || ' ' || status, ',' ORDER BY id) FROM lokbackup_backups"
          . " WHERE $where");
};
# The rows of the backup's own run were still being written when it was dumped.
is($rows_in->('catalog_copy', "run_id < $backup->{run_id}"),
    $rows_in->('postgres', "run_id < $backup->{run_id}"),
    'the copy holds the backups of the earlier runs, as the catalog has them');
cmp_ok($node->safe_psql('catalog_copy', 'SELECT count(*) FROM lokbackup_audit'),
    '>', 0, 'and the audit trail');

my $completed = $node->safe_psql('catalog_copy',
    "SELECT max(id) FROM lokbackup_backups WHERE status = 'completed'");
my $object = object_path($node, backup_row($node, $completed)->{object_key});
for my $refused ('SELECT lokbackup_run()', "SELECT lokbackup_delete($completed)",
    "SELECT lokbackup_download_url($completed)", 'SELECT * FROM lokbackup_rotate(false)')
{
    my ($ret, $stdout, $stderr) = $node->psql('catalog_copy', $refused);
    isnt($ret, 0, "in the copy, $refused is refused");
    like(
        $stderr,
        qr/lokbackup acts only in database "postgres", its catalog database.*copy.*Connect to database "postgres"/s,
        "and the refusal says where lokbackup acts");
}
is($rows_in->('catalog_copy', "id = $completed"), "$completed completed",
    'the copy\'s row is unchanged');
ok(-f $object, 'and the object it names is still in storage');
my $before = $node->safe_psql('postgres', 'SELECT max(id) FROM lokbackup_backups');
run_backup($node);
cmp_ok($node->safe_psql('postgres', 'SELECT max(id) FROM lokbackup_backups'),
    '>', $before, 'the worker goes on backing up into the real catalog');

is($node->safe_psql('catalog_copy',
        "SELECT count(*) FROM lokbackup_backups WHERE status IN ('pending', 'in_progress')"),
    0, 'the copy has no backup that was still running when the dump was taken');

# --- restored over the catalog database itself, the worker removes nothing ---
($backup) = catalog_script();
my @run_objects = map { object_path($node, $_->{object_key}) }
  @{ backup_rows($node, "run_id = $backup->{run_id}") };
ok(scalar(@run_objects) >= 2 && !grep({ !-f } @run_objects),
    "the objects of the catalog database's run are in storage");
my $worker_before = worker_pid($node);
$restore = run_lokbackup($node,
    [ 'restore', $backup->{id}, '--dbname', 'postgres', '--yes', '--allow-catalog-database' ]);
is($restore->{exit}, 0, 'the backup of the catalog database restores over the catalog database');
ok(wait_until(sub { my $pid = worker_pid($node); $pid && $pid != $worker_before }),
    'the worker starts again on the restored catalog');
my $after_restore = run_backup($node);
cmp_ok($after_restore->[0], '>', $backup->{id},
    'it backs up again, with ids past those in storage');
is(join(',', grep { !-f } @run_objects), '',
    'and every object of the run that the dump was taken in is still in storage');

$node->stop;
done_testing();
