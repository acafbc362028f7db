# `lokbackup restore` refuses what would destroy data by surprise (the catalog database, an
# existing database without --yes, a missing one without --create), and restores from the storage
# directory alone when the catalog is gone; --allow-catalog-database replaces the catalog database
# and keeps the replaced one.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('safety', settings => { 'lokbackup.databases' => 'app' });
populate_app_database($node, 'app');
my $source_dump = dump_database($node, 'app');
my $ids = run_backup($node);
my $backup_id = backup_of($node, $ids, 'app')->{id};
is(backup_of($node, $ids, 'app')->{status}, 'completed', 'the backup of app is completed');

sub database_exists
{
    my ($target, $database) = @_;
    return $target->safe_psql('postgres',
        'SELECT count(*) FROM pg_database WHERE datname = ' . sql_literal($database));
}

# --- the catalog database ---
$node->safe_psql('postgres', 'CREATE TABLE marker_of_catalog ()');
my $catalog_before = user_relations($node, 'postgres');
my $into_catalog = run_lokbackup($node,
    [ 'restore', 'latest', '--database', 'app', '--dbname', 'postgres', '--yes' ]);
isnt($into_catalog->{exit}, 0, 'a restore into the catalog database is refused');
like($into_catalog->{stderr}, qr/catalog/, 'the refusal names the catalog');
like($into_catalog->{stderr},
    qr/--allow-catalog-database/, 'the refusal names the option that allows it');
is(user_relations($node, 'postgres'), $catalog_before, 'the catalog database is unchanged');

# --- an existing database without --yes, stdin not a terminal ---
$node->safe_psql('postgres', 'CREATE DATABASE existing');
$node->safe_psql('existing', "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('kept')");
my $no_yes = run_lokbackup(
    $node,
    [ 'restore', 'latest', '--database', 'app', '--dbname', 'existing' ],
    stdin => "existing\n");
isnt($no_yes->{exit}, 0,
    'a restore into an existing database without --yes and no terminal is refused');
like($no_yes->{stderr}, qr/--yes/, 'the refusal says --yes is needed');
is(user_relations($node, 'existing'), 'relation marker', 'the existing database is unchanged');

# --- a missing database without --create ---
my $no_create = run_lokbackup($node,
    [ 'restore', 'latest', '--database', 'app', '--dbname', 'missing', '--yes' ]);
isnt($no_create->{exit}, 0, 'a restore into a missing database without --create is refused');
like($no_create->{stderr}, qr/does not exist/, 'the refusal says the database does not exist');
like($no_create->{stderr}, qr/--create/, 'the refusal names --create');
is(database_exists($node, 'missing'), '0', 'the missing database was not created');

# --- from the storage directory alone, on a new server without the catalog ---
my $bare = create_node('bare', preload => 0);
my $from_bucket = run_lokbackup(
    $bare,
    [   'restore', '--from', storage_dir($node), 'latest',
        '--database', 'app', '--dbname', 'app_from_bucket',
        '--create', '--yes' ]);
is($from_bucket->{exit}, 0,
    'restore --from the storage directory into a server without lokbackup works');
my $bucket_dump = eval { dump_database($bare, 'app_from_bucket') } // "(no database: $@)";
dumps_equal($bucket_dump, $source_dump,
    'pg_dump of the database restored from storage equals the source');
$bare->stop;

# --- from the storage directory alone, after DROP EXTENSION ---
$node->safe_psql('postgres', 'DROP EXTENSION lokbackup');
my $after_drop = run_lokbackup(
    $node,
    [   'restore', '--from', storage_dir($node), 'latest',
        '--database', 'app', '--dbname', 'app_after_drop',
        '--create', '--yes' ]);
is($after_drop->{exit}, 0,
    'restore --from the storage directory works after DROP EXTENSION lokbackup');
my $after_drop_dump = eval { dump_database($node, 'app_after_drop') } // "(no database: $@)";
dumps_equal($after_drop_dump, $source_dump, 'pg_dump of that database equals the source');

# --- --allow-catalog-database does allow it: the catalog database is replaced, and kept ---
my $allowed = run_lokbackup(
    $node,
    [   'restore', '--from', storage_dir($node), 'latest', '--database', 'app',
        '--dbname', 'postgres', '--yes', '--allow-catalog-database' ]);
is($allowed->{exit}, 0, 'with --allow-catalog-database the restore over the catalog database runs');
like(
    user_relations($node, 'postgres'),
    qr/Odd ""Table"" Name/,
    'the catalog database now holds the backup');
like(
    user_relations($node, "postgres_before_restore_$backup_id"),
    qr/relation marker_of_catalog/,
    'the replaced catalog database is kept');

$node->stop;
done_testing();
