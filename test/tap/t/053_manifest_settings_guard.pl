# The database properties that a restore applies come from the catalog, which the server wrote at
# backup time. With --from, or for a backup made before 0.4.0, they come from the manifest in
# storage, which the catalog's checksum does not cover: whoever can write to storage could plant a
# setting there that only a superuser may set (session_preload_libraries loads any library into
# every session). From a manifest, the restore applies only the settings that any role may set for
# itself, and an application's own; it reports the others with the statement to run, and the
# restore still succeeds.
use strict;
use warnings FATAL => 'all';

use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('guard', settings => { 'lokbackup.databases' => 'guarded' });
$node->safe_psql(
    'postgres', q{
CREATE DATABASE guarded;
ALTER DATABASE guarded SET work_mem = '3MB';
ALTER DATABASE guarded SET app.tenant = 'north';
ALTER DATABASE guarded SET lc_messages = 'C';
});
$node->safe_psql('guarded', 'CREATE TABLE t AS SELECT 1 AS x');
my $row = backup_of($node, run_backup($node), 'guarded');

# Plant settings in the manifest, as an attacker who can write to storage would.
my $manifest_path = object_path($node, $row->{object_key}) . '.manifest.json';
my $manifest = JSON::PP::decode_json(slurp_bytes($manifest_path));
push @{ $manifest->{database_properties}{settings} },
  { role => '', name => 'session_preload_libraries', value => 'planted' },
  { role => '', name => 'log_min_messages', value => 'panic' };
write_bytes($manifest_path, JSON::PP::encode_json($manifest));

sub settings_of
{
    my ($database) = @_;
    return $node->safe_psql(
        'postgres', q{
SELECT string_agg(setting, ',' ORDER BY setting)
FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase,
     unnest(s.setconfig) AS setting
WHERE d.datname = } . sql_literal($database));
}

# Through the catalog: its record, not the manifest, says what the database's settings were.
my $restore = run_lokbackup($node,
    [ 'restore', $row->{id}, '--dbname', 'from_catalog', '--create', '--yes' ]);
is($restore->{exit}, 0, 'the restore through the catalog succeeds');
unlike($restore->{stderr}, qr/session_preload_libraries|log_min_messages/,
    'the settings planted in the manifest play no part in it');
is(settings_of('from_catalog'), 'app.tenant=north,lc_messages=C,work_mem=3MB',
    "the catalog's settings are applied, the superuser-only one among them");

# With --from, the manifest is all there is.
$restore = run_lokbackup($node,
    [ 'restore', $row->{id}, '--from', storage_dir($node), '--dbname', 'from_storage', '--create',
      '--yes' ]);
is($restore->{exit}, 0, 'the restore from storage succeeds');
like(
    $restore->{stderr},
    qr/the setting session_preload_libraries was not restored: only a superuser may set it.*run: ALTER DATABASE "from_storage" SET "session_preload_libraries" TO 'planted'/,
    'the planted superuser-only setting is reported with the statement to run');
like($restore->{stderr}, qr/the setting log_min_messages was not restored/,
    'so is a planted server parameter');
is(settings_of('from_storage'), 'app.tenant=north,work_mem=3MB',
    'only the settings any role may set, and the application\'s own, are applied');
is($node->safe_psql('from_storage', 'SELECT x FROM t'), '1', 'the data is restored');

$node->stop;
done_testing();
