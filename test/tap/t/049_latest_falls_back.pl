# `restore --from STORAGE latest` restores the newest backup whose object is in storage: when the
# newest object is gone (its manifest left), it falls back to the one before and says so on
# stderr, naming the missing backup and the one chosen.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('latest_fallback', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE marker (run int); INSERT INTO marker VALUES (1)');
my $older = backup_of($node, run_backup($node), 'app');
$node->safe_psql('app', 'UPDATE marker SET run = 2');
my $newest = backup_of($node, run_backup($node), 'app');

my $root = storage_dir($node);
unlink("$root/$newest->{object_key}") or die "cannot remove the newest object: $!";
ok(-e "$root/$newest->{object_key}.manifest.json", 'the newest manifest is still there');

my @restore = ('restore', '--from', $root, 'latest', '--database', 'app');
my $restore = run_lokbackup($node, [ @restore, '--dbname', 'fallback', '--create', '--yes' ]);
is($restore->{exit}, 0, 'restore --from latest succeeds with the newest object missing');
is($node->safe_psql('fallback', 'SELECT run FROM marker'),
    '1', 'it restored the backup before the newest');
like(
    $restore->{stderr},
    qr/warning: the object of the newest backup $newest->{id} \(finished [^)]*, object \Q$newest->{object_key}\E\) of database "app" is missing from local directory \Q$root\E; using backup $older->{id} \(finished [^)]*\), the newest whose object is there/,
    'stderr names the missing backup and the one chosen');

my $verify = run_lokbackup($node, [ 'verify', '--from', $root, 'latest', '--database', 'app' ]);
is($verify->{exit}, 0, 'verify --from latest falls back the same way');
like($verify->{stderr}, qr/using backup $older->{id}/, 'and says so');

# An id names one backup: no fallback for it.
my $by_id = run_lokbackup($node, [ 'verify', '--from', $root, $newest->{id} ]);
isnt($by_id->{exit}, 0, 'verify --from the id of the missing backup fails');

# With every object gone, nothing is restored and the message says why.
unlink("$root/$older->{object_key}") or die "cannot remove the older object: $!";
my $none = run_lokbackup($node, [ @restore, '--dbname', 'nothing', '--create', '--yes' ]);
isnt($none->{exit}, 0, 'with every object of app gone, restore --from latest fails');
like(
    $none->{stderr},
    qr/no backup of database "app" in local directory \Q$root\E has its object: only manifests are left/,
    'the error says only manifests are left');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'nothing'"),
    '0', 'no database was created');

$node->stop;
done_testing();
