# A backup restored with `lokbackup restore` gives back the same database, byte for byte as pg_dump
# sees it, in each format and compression, with and without large objects (which decide how the
# plain script is made); the stored object, its checksum and its manifest agree with the catalog.
use strict;
use warnings FATAL => 'all';

use JSON::PP ();
use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('roundtrip');
populate_app_database($node, 'app');

# The same without its large object.
populate_app_database($node, 'nolo');
$node->safe_psql('nolo', 'SELECT lo_unlink(424242)');
my %source_dump = map { $_ => dump_database($node, $_) } 'app', 'nolo';
like(
    $source_dump{app},
    qr/CREATE TABLE "Mixed Case"\."Odd ""Table"" Name"/,
    'the source dump has the quoted table (the comparison below means something)');
like($source_dump{app}, qr/lo_create\('424242'\)/, 'app has a large object');
unlike($source_dump{nolo}, qr/lo_create/, 'nolo has none');

# Restores the latest backup of `source` (app unless given) into a new database and compares
# pg_dump of both.
sub restores_identically
{
    my ($target, $what, $source) = @_;
    $source //= 'app';
    my $restore = run_lokbackup($node,
        [ 'restore', 'latest', '--database', $source, '--dbname', $target, '--create', '--yes' ]);
    is($restore->{exit}, 0, "$what: lokbackup restore exits 0")
      or diag("stdout: $restore->{stdout}\nstderr: $restore->{stderr}");
    my $copy_dump = eval { dump_database($node, $target) } // "(no database: $@)";
    dumps_equal($copy_dump, $source_dump{$source},
        "$what: pg_dump of the copy equals pg_dump of the source");
    return;
}

# The decompressed plain script of a backup.
sub plain_script
{
    my ($backup) = @_;
    my $plain = '';
    IPC::Run::run([ 'zstd', '-dc', object_path($node, $backup->{object_key}) ], '>', \$plain)
      or die 'zstd -dc failed';
    return $plain;
}

# --- zstd, plain: the default ---
my $ids = run_backup($node);
my $rows = run_backups($node, $ids);
is(scalar(@$rows), 4, 'a run backs up the roles, app, nolo and postgres');
is_deeply(
    [ map { $_->{status} } @$rows ],
    [ 'completed', 'completed', 'completed', 'completed' ],
    'every backup of the run is completed');
my ($roles) = grep { !defined $_->{database} } @$rows;
is($roles->{contents}, 'roles', 'the roles backup has contents roles and no database');

my $app = backup_of($node, $ids, 'app');
ok( $app->{size} > 0 && $app->{raw_size} > $app->{size},
    "app backup: size ($app->{size}) and raw_size ($app->{raw_size}) are recorded, compressed smaller"
);
like($app->{sha256}, qr/^[0-9a-f]{64}$/, 'app backup: sha256 is recorded');
like(
    $app->{object_key},
    qr{^app/\d{4}/\d{2}/app-manual-\d{8}T\d{6}Z-$app->{id}\.sql\.zst$},
    'app backup: the object key names database, type, time and id');
is($app->{format} . '/' . $app->{compression}, 'plain/zstd', 'app backup: plain format, zstd');

my $object = object_path($node, $app->{object_key});
is($object, storage_dir($node) . "/$app->{object_key}", 'the object lies in lokbackup.storage');
ok(-f $object, 'the object exists');
is(-s $object, $app->{size}, 'the object has the recorded size');
my $sha256 = (split ' ', `sha256sum '$object'`)[0];
is($sha256, $app->{sha256}, 'sha256sum of the object equals the recorded sha256');

my $plain = plain_script($app);
is(length($plain), $app->{raw_size}, 'the decompressed object has the recorded raw_size');
like($plain, qr/\A--\n-- PostgreSQL database dump\n/,
    'the decompressed object is a plain SQL dump');

# With a large object, pg_restore --single-transaction renders the script: one transaction, and
# none of the BEGIN/COMMIT pairs that pg_dump -Fp puts around each large object.
is(scalar(() = $plain =~ /^BEGIN;$/mg), 1, 'app: the script opens one transaction');
like(
    $plain,
    qr/^COMMIT;\n(?:--.*\n|\n|\\unrestrict \S+\n)*\z/m,
    'app: the script commits after its last statement');
like($plain, qr/lo_create\('424242'\)/, 'app: the script has the large object');
# A restore replays into a database it has just created: the dump has no DROP (no --clean).
unlike($plain, qr/^DROP /m, 'the plain dump was made without --clean');
like($plain, qr/^COPY "Mixed Case"\."Odd ""Table"" Name" /m, 'the plain dump has the table data');

my $manifest_path = "$object.manifest.json";
ok(-f $manifest_path, 'the manifest lies beside the object');
my $manifest = JSON::PP::decode_json(slurp_bytes($manifest_path));
manifest_agrees($manifest, $app, 'the manifest agrees with the catalog');
is($manifest->{server_version}, $node->safe_psql('postgres', 'SHOW server_version'),
    'the manifest names the server version');

restores_identically('app_copy', 'plain zstd');

# Without large objects, pg_dump -Fp writes the script and the backup child puts it in a
# transaction.
my $nolo = backup_of($node, $ids, 'nolo');
my $nolo_plain = plain_script($nolo);
is(length($nolo_plain), $nolo->{raw_size},
    'nolo: the decompressed object has the recorded raw_size');
like(
    $nolo_plain,
    qr/\ABEGIN;\n--\n-- PostgreSQL database dump\n/,
    'nolo: the script opens its transaction first');
like($nolo_plain, qr/\n\\unrestrict \S+\n\nCOMMIT;\n\z/, 'nolo: and commits last');
is(scalar(() = $nolo_plain =~ /^(?:BEGIN|COMMIT);$/mg), 2,
    'nolo: and has no other BEGIN or COMMIT');
unlike($nolo_plain, qr/^DROP /m, 'nolo: the script was made without --clean');
# pg_dump 16 and later compresses the script itself, between frames of BEGIN and COMMIT.
my $frames = `zstd -lv '${\ object_path($node, $nolo->{object_key})}' 2>&1`;
my $dump_compresses = $node->safe_psql('postgres', 'SHOW server_version_num') >= 160000;
like($frames, $dump_compresses ? qr/Zstandard Frames: 3\b/ : qr/Zstandard Frames: 1\b/,
    'nolo: ' . ($dump_compresses ? "pg_dump's own zstd stream, between two frames" : 'one frame'));
restores_identically('nolo_copy', 'plain zstd without large objects', 'nolo');

# --- custom format ---
reload_settings($node, 'lokbackup.format' => 'custom');
my $custom_ids = run_backup($node);
my $custom = backup_of($node, $custom_ids, 'app');
is($custom->{status}, 'completed', 'custom format: the backup is completed');
like($custom->{object_key}, qr/\.dump\.zst$/, 'custom format: the object ends in .dump.zst');
my $custom_raw = '';
IPC::Run::run([ 'zstd', '-dc', object_path($node, $custom->{object_key}) ], '>', \$custom_raw)
  or die 'zstd -dc failed';
is(substr($custom_raw, 0, 5),
    'PGDMP', 'custom format: the decompressed object is a pg_dump archive');
restores_identically('app_copy_custom', 'custom zstd');

# --- gzip ---
reload_settings($node, 'lokbackup.format' => 'plain', 'lokbackup.compression' => 'gzip');
my $gzip_ids = run_backup($node);
my $gzip = backup_of($node, $gzip_ids, 'app');
is($gzip->{status}, 'completed', 'gzip: the backup is completed');
like($gzip->{object_key}, qr/\.sql\.gz$/, 'gzip: the object ends in .sql.gz');
my $gunzipped = '';
IPC::Run::run([ 'gzip', '-dc', object_path($node, $gzip->{object_key}) ], '>', \$gunzipped)
  or die 'gzip -dc failed';
is(length($gunzipped), $gzip->{raw_size}, 'gzip: gzip -dc gives raw_size bytes');
restores_identically('app_copy_gzip', 'plain gzip');

# --- verify and list ---
my $verify = run_lokbackup($node, [ 'verify', $app->{id} ]);
is($verify->{exit}, 0, 'lokbackup verify of an intact backup exits 0');
like($verify->{stdout}, qr/\bOK\b/, 'lokbackup verify says OK');

my $list = run_lokbackup($node, ['list']);
is($list->{exit}, 0, 'lokbackup list exits 0');
for my $backup ($app, $custom, $gzip)
{
    like(
        $list->{stdout},
        qr/^\s*$backup->{id}\b.*\bapp\b/m,
        "lokbackup list shows backup $backup->{id} of app");
}
like($list->{stdout}, qr/completed/, 'lokbackup list shows the status');

$node->stop;
done_testing();
