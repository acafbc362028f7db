# An object is data, never code. Whoever can write to the storage (a bucket's key holder, a user
# with the directory) plants psql backslash commands in a backup object (\! runs a shell, \o |cmd
# and \copy ... program too); no restore may ever run them, whether the object's record is in the
# catalog or the attacker wrote a matching manifest too. Each command would touch a marker file.
use strict;
use warnings FATAL => 'all';

use Digest::SHA ();
use File::Basename ();
use File::Copy ();
use File::Path ();
use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

# Uncompressed objects, so that a planted object can keep the recorded size exactly.
my $node = create_node('hostile',
    settings => { 'lokbackup.databases' => 'app', 'lokbackup.compression' => 'none' });
populate_app_database($node, 'app');
# Larger than the restore's 1 MiB reads, so that psql gets the object's first bytes while the
# rest is still being read and hashed.
$node->safe_psql('app',
    'CREATE TABLE bulk AS SELECT g, md5(g::text) AS digest FROM generate_series(1, 60000) g');
my $ids = run_backup($node);
my $backup = backup_of($node, $ids, 'app');
my $roles = backup_of($node, $ids, undef);
is($backup->{status}, 'completed', 'the backup of app completed');

my $markers = $node->basedir . '/markers';
File::Path::make_path($markers);
my $payload = join('',
    "\\! touch $markers/shell\n",
    "\\o |touch $markers/pipe\n",
    "\\copy (SELECT 1) TO PROGRAM 'touch $markers/copy'\n",
    "SELECT 1; \\! touch $markers/inline\n",
    "\\setenv PAGER 'touch $markers/pager'\n");
sub markers_touched
{
    opendir my $dir, $markers or die "cannot open $markers: $!";
    return join(',', sort grep { !/^\./ } readdir $dir);
}

$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->safe_psql('target', "CREATE TABLE marker (note text)");
my $target_before = user_relations($node, 'target');

# --- the catalog's own record: the object keeps its size, its first bytes are the payload ---
my $object = object_path($node, $backup->{object_key});
my $intact = slurp_bytes($object);
my $planted = $payload . substr($intact, length($payload));
is(length($planted), $backup->{size}, 'the planted object has exactly the recorded size');
write_bytes($object, $planted);

my $restore = run_lokbackup($node,
    [ 'restore', $backup->{id}, '--database', 'app', '--dbname', 'target', '--yes' ]);
isnt($restore->{exit}, 0, 'the restore of a planted object fails');
like($restore->{stderr}, qr/checksum mismatch: .*; nothing was restored/,
    'it says the object is not the one backed up');
is(markers_touched(), '', 'no planted command ran');
is(user_relations($node, 'target'), $target_before, 'the target is unchanged');

# The dashboard replays through the same restore, as the OS user of lokbackup serve.
my $dba_password = 'dba-secret-1234';
$node->safe_psql('postgres', "CREATE ROLE dba LOGIN SUPERUSER PASSWORD '$dba_password'");
ServeTest::prepend_hba($node, 'local all dba scram-sha-256');
my $web = ServeTest->start($node)->client;
$web->login('dba', $dba_password);
my $r = $web->call(POST => "/api/admin/backups/$backup->{id}/restore", { password => $dba_password });
is($r->{status}, 202, 'a dashboard restore of the planted object starts');
$r = $web->poll("/api/admin/restores/$r->{json}{restore}{id}",
    sub { $_[0]{json}{restore}{status} ne 'running' });
is($r->{json}{restore}{status}, 'failed', 'and fails');
is(markers_touched(), '', 'no planted command ran in the restore of lokbackup serve');
write_bytes($object, $intact);

# --- --from a directory where the attacker also wrote a matching manifest ---
my $from = $node->basedir . '/planted-storage';
my $manifest_key = "$backup->{object_key}.manifest.json";
my $manifest =
  JSON::PP->new->decode(slurp_bytes(storage_dir($node) . "/$manifest_key"));
my $planted_object = "$payload\nCREATE TABLE planted (id int);\n";
plant($from, $manifest, $planted_object);

my @from = ('restore', '--from', $from, 'latest', '--database', 'app', '--dbname', 'target', '--yes');
$restore = run_lokbackup($node, \@from);
isnt($restore->{exit}, 0, 'restore --from of a planted object with a matching manifest fails');
like($restore->{stderr}, qr/backslash commands are restricted/, 'psql refused the payload');
is(markers_touched(), '', 'no planted command ran');
is(user_relations($node, 'target'), $target_before, 'nothing of the planted object was committed');

# The DBA pins the checksum they hold from the backup's notice: the planted manifest is refused
# before any byte of the object is read.
$restore = run_lokbackup($node, [ @from, '--sha256', uc $backup->{sha256} ]);
isnt($restore->{exit}, 0, 'restore --from --sha256 with a planted manifest fails');
like(
    $restore->{stderr},
    qr/has SHA-256 [0-9a-f]{64} in its manifest, not the $backup->{sha256} given with --sha256; nothing was read/,
    'it says that the manifest does not have the pinned checksum');
$restore = run_lokbackup($node, [ @from, '--sha256', 'abc' ]);
is($restore->{exit}, 2, '--sha256 that is not a SHA-256 is a usage error');
like($restore->{stderr}, qr/--sha256 "abc" is not a SHA-256: give the 64 hex digits/,
    'it says what a SHA-256 is');

# The roles dump replays without ON_ERROR_STOP (CREATE ROLE fails for roles that exist): psql
# refuses each planted command and goes on, and still none runs.
my $roles_manifest =
  JSON::PP->new->decode(slurp_bytes(storage_dir($node) . "/$roles->{object_key}.manifest.json"));
plant($from, $roles_manifest, $payload);
$restore = run_lokbackup($node,
    [ 'restore', '--from', $from, $roles->{id}, '--dbname', 'postgres', '--yes' ]);
is(markers_touched(), '', 'no command planted in a roles object ran');

# A manifest whose sha256 is not one is not a backup.
$manifest->{sha256} = '00';
write_bytes("$from/$manifest_key", JSON::PP->new->encode($manifest));
my $verify = run_lokbackup($node, [ 'verify', '--from', $from, $backup->{id} ]);
isnt($verify->{exit}, 0, 'verify --from a manifest with a malformed sha256 fails');
like($verify->{stderr}, qr/sha256 "00" is not a SHA-256 \(64 lower-case hex digits\)/,
    'it says the manifest has no SHA-256');

# --- a psql that cannot be restricted is never given an object ---
my $old_client = $node->basedir . '/old-client';
File::Path::make_path($old_client);
my ($installed) = map { "$_/lokbackup" } grep { -x "$_/lokbackup" } split /:/, $ENV{PATH};
File::Copy::copy($installed, "$old_client/lokbackup") or die "cannot copy $installed: $!";
chmod 0755, "$old_client/lokbackup";
write_bytes("$old_client/psql", <<"SCRIPT");
#!/bin/sh
if [ "\$1" = --version ]; then echo 'psql (PostgreSQL) 15.13'; exit 0; fi
touch $markers/old-psql-ran
cat >/dev/null
SCRIPT
chmod 0755, "$old_client/psql";
$restore = run_lokbackup($node,
    [ 'restore', $backup->{id}, '--database', 'app', '--dbname', 'target', '--yes' ],
    program => "$old_client/lokbackup");
isnt($restore->{exit}, 0, 'a restore with psql 15.13 fails');
like(
    $restore->{stderr},
    qr/psql is version 15\.13, which cannot refuse the backslash commands of a backup object/,
    'it says the psql found cannot be restricted');
is(markers_touched(), '', 'that psql never ran with the object');

# --- an option's value is never another option ---
$restore = run_lokbackup($node, [ 'restore', $backup->{id}, '--dbname', '--help' ]);
is($restore->{exit}, 2, 'restore --dbname --help is a usage error, not a help request');
like($restore->{stderr}, qr/option --dbname needs a value, and "--help" is an option/,
    'it says --dbname lacks its value');
$restore = run_lokbackup($node, [ 'restore', $backup->{id}, '--help' ]);
is($restore->{exit}, 0, 'restore ID --help prints the help');
like($restore->{stdout}, qr/--sha256 HEX/, 'which describes --sha256');

# The intact object still restores, restricted.
$restore = run_lokbackup($node,
    [ 'restore', $backup->{id}, '--database', 'app', '--dbname', 'target', '--yes' ]);
is($restore->{exit}, 0, 'the intact backup restores') or diag($restore->{stderr});
like(user_relations($node, 'target'), qr/plain_table/, 'with the tables of the dump');

$node->stop;
done_testing();

# Writes `object` under `root` with a manifest that matches it, as an attacker with write access
# to the storage can.
sub plant
{
    my ($root, $manifest, $object) = @_;
    File::Path::make_path(File::Basename::dirname("$root/$manifest->{object_key}"));
    write_bytes("$root/$manifest->{object_key}", $object);
    my %matching = (%$manifest,
        size => length($object),
        sha256 => Digest::SHA::sha256_hex($object));
    write_bytes("$root/$manifest->{object_key}.manifest.json",
        JSON::PP->new->canonical->encode(\%matching));
    return;
}
