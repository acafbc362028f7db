# A catalog made by lokbackup 0.1.0 updates in place: ALTER EXTENSION lokbackup UPDATE keeps every
# backup, and what 0.2.0 changed works on the updated catalog.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('upgrade', settings => { 'lokbackup.databases' => 'postgres' });
$node->safe_psql('postgres',
    "DROP EXTENSION lokbackup; CREATE EXTENSION lokbackup VERSION '0.1.0'");
my $before = run_backup($node);
my $backups_before = $node->safe_psql('postgres',
    'SELECT string_agg(id || status || sha256, \',\' ORDER BY id) FROM lokbackup_backups');

$node->safe_psql('postgres', 'ALTER EXTENSION lokbackup UPDATE');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'lokbackup'"),
    '0.3.0', 'the extension is at 0.3.0');
is( $node->safe_psql('postgres',
        'SELECT string_agg(id || status || sha256, \',\' ORDER BY id) FROM lokbackup_backups'),
    $backups_before,
    'every backup of 0.1.0 is still in the catalog, unchanged');

# 0.2.0: the plan's command is quoted for a shell.
$node->safe_psql('postgres', q{CREATE DATABASE "$(touch pwned)"});
reload_settings($node, 'lokbackup.databases' => '"$(touch pwned)"');
my $ids = run_backup($node);
my $row = backup_of($node, $ids, '$(touch pwned)');
is($row->{status}, 'completed', 'a backup on the updated catalog completes');
is( $node->safe_psql('postgres',
        "SELECT command FROM lokbackup_restore_plan('$row->{id}')"),
    "lokbackup restore $row->{id} '--dbname=\$(touch pwned)'",
    'its restore command quotes the database name for a shell');

$node->stop;
done_testing();
