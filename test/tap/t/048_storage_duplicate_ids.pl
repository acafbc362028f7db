# A storage written before 0.3.0 may hold two different backups with one id (the extension was
# dropped and created again). `--from ID` refuses them, naming both objects, and never picks one
# silently; --sha256 picks the one meant.
use strict;
use warnings FATAL => 'all';

use File::Copy qw(copy);
use File::Path qw(make_path);
use JSON::PP;
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('duplicate_ids', settings => { 'lokbackup.databases' => 'app' });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE t AS SELECT 1 AS first');
my $first = backup_of($node, run_backup($node), 'app');
$node->safe_psql('app', 'CREATE TABLE u AS SELECT 2 AS second');
my $second = backup_of($node, run_backup($node), 'app');
isnt($first->{sha256}, $second->{sha256}, 'the two backups of app differ');

# The second backup again, under the first one's id and another date, as a reinstall before 0.3.0
# would have written it.
my $root = storage_dir($node);
my ($extensions) = $second->{object_key} =~ /-\d+(\.[a-z.]+)$/ or die 'unexpected key';
my $legacy_key = "app/2020/01/app-manual-20200101T000000Z-$first->{id}$extensions";
make_path("$root/app/2020/01");
copy("$root/$second->{object_key}", "$root/$legacy_key") or die "cannot copy: $!";
my $manifest =
  JSON::PP->new->decode(slurp_bytes("$root/$second->{object_key}.manifest.json"));
$manifest->{id} = $first->{id} + 0;
$manifest->{object_key} = $legacy_key;
write_bytes("$root/$legacy_key.manifest.json", JSON::PP->new->encode($manifest));

for my $command ('verify', 'restore')
{
    my @arguments = ($command, '--from', $root, $first->{id});
    push @arguments, '--dbname', 'target', '--create', '--yes' if $command eq 'restore';
    my $refused = run_lokbackup($node, \@arguments);
    is($refused->{exit}, 1, "$command --from ID with two backups of that id is refused");
    like($refused->{stderr}, qr/storage holds 2 different backups with id $first->{id}:/,
        "$command: the refusal says the id is used twice");
    like($refused->{stderr}, qr/\Q$first->{object_key}\E \(SHA-256 $first->{sha256}/,
        "$command: the refusal names the first object and its checksum");
    like($refused->{stderr}, qr/\Q$legacy_key\E \(SHA-256 $second->{sha256}/,
        "$command: the refusal names the second object and its checksum");
    like($refused->{stderr}, qr/Pass --sha256/, "$command: the refusal says how to choose");
}
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'target'"),
    '0', 'the refused restore created nothing');

# --sha256 chooses; each is verified against its own checksum.
for my $backup ($first, $second)
{
    my $verify = run_lokbackup($node,
        [ 'verify', '--from', $root, $first->{id}, '--sha256', $backup->{sha256} ]);
    is($verify->{exit}, 0, "verify --from ID --sha256 picks the backup with that checksum");
}
my $restore = run_lokbackup(
    $node,
    [   'restore', '--from', $root, $first->{id}, '--sha256', $first->{sha256},
        '--dbname', 'target', '--create', '--yes' ]);
is($restore->{exit}, 0, 'restore --from ID --sha256 restores the backup with that checksum');
is($node->safe_psql('target', "SELECT count(*) FROM pg_tables WHERE tablename IN ('t', 'u')"),
    '1', 'it is the first backup (table t only)');

$node->stop;
done_testing();
