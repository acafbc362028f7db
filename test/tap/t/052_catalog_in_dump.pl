# The catalog is in the catalog database's dump (pg_extension_config_dump): lokbackup's own backup
# of that database holds the rows of lokbackup_backups and lokbackup_audit, and the run number,
# also after ALTER EXTENSION ... UPDATE from 0.1.0.
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
        "SELECT id FROM lokbackup_backups WHERE status = 'completed' AND id < $backup->{id} "
          . 'ORDER BY id DESC LIMIT 1');
    like($script, qr/^$completed\t/m, "$how: with the row of an earlier backup");
}

$node->stop;
done_testing();
