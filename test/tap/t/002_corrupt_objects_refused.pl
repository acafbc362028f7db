# A damaged backup object restores nothing: a flipped byte or a truncated object is refused with a
# checksum (or corruption) error, the existing target database keeps exactly what it had, and
# `lokbackup verify` reports the damage with a non-zero exit.
use strict;
use warnings FATAL => 'all';

use File::Copy ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Both ways of making the plain script: app has a large object (pg_restore renders the script),
# nolo has none (pg_dump -Fp writes it, in a transaction of the backup child's).
my $node = create_node('corrupt', settings => { 'lokbackup.databases' => 'app,nolo' });
populate_app_database($node, 'app');
populate_app_database($node, 'nolo');
$node->safe_psql('nolo', 'SELECT lo_unlink(424242)');
my $ids = run_backup($node);

$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->safe_psql('target',
    "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('before the restore')");
my $target_before = user_relations($node, 'target');
is($target_before, 'relation marker', 'the target holds only its marker table');

for my $database ('app', 'nolo')
{
    my $backup = backup_of($node, $ids, $database);
    is($backup->{status}, 'completed', "the backup of $database is completed");
    my $object = object_path($node, $backup->{object_key});
    my $intact = $node->basedir . "/intact-copy-$database";
    File::Copy::copy($object, $intact) or die "cannot copy $object: $!";

    my $verify_intact = run_lokbackup($node, [ 'verify', $backup->{id} ]);
    is($verify_intact->{exit},
        0, "$database: verify of the intact object exits 0 (so a failure below is the damage)");

    # Damages the object with `damage`, then restores and verifies it; the target must not
    # change.
    my $damaged_object_is_refused = sub {
        my ($what, $damage, $message) = @_;
        $what = "$database, $what";
        File::Copy::copy($intact, $object) or die "cannot copy $intact: $!";
        # A passing verify clears the failure that the previous damage recorded, which would
        # otherwise refuse the restore before it reads the object (t/044).
        is(run_lokbackup($node, [ 'verify', $backup->{id} ])->{exit}, 0,
            "$what: the intact object verifies before the damage");
        $damage->($object);

        my $restore = run_lokbackup($node,
            [ 'restore', $backup->{id}, '--database', $database, '--dbname', 'target', '--yes' ]);
        is($restore->{exit}, 3, "$what: restore fails with the exit status of a damaged backup");
        like($restore->{stderr}, $message, "$what: restore says why");
        is(user_relations($node, 'target'),
            $target_before,
            "$what: the target still has exactly its marker table, and nothing of the dump");
        is( $node->safe_psql('target', 'SELECT note FROM marker'),
            'before the restore',
            "$what: the marker row is untouched");

        my $verify = run_lokbackup($node, [ 'verify', $backup->{id} ]);
        is($verify->{exit}, 3, "$what: verify exits with the status of a damaged backup (3)");
        like($verify->{stderr}, $message, "$what: verify says why");
        return;
    };

    $damaged_object_is_refused->('one byte flipped', \&flip_byte, qr/checksum mismatch|corrupt/);
    $damaged_object_is_refused->(
        'truncated to half',
        sub { truncate_file($_[0], int((-s $_[0]) / 2)) },
        qr/size mismatch|checksum mismatch|corrupt/);
    File::Copy::copy($intact, $object) or die "cannot copy $intact: $!";
    is(run_lokbackup($node, [ 'verify', $backup->{id} ])->{exit}, 0,
        "$database: the intact object verifies again");
}

# The intact object restores (the refusals above were about the damage, not the target).
my $backup = backup_of($node, $ids, 'nolo');
my $restore = run_lokbackup($node,
    [ 'restore', $backup->{id}, '--database', 'nolo', '--dbname', 'target', '--yes' ]);
is($restore->{exit}, 0, 'the intact object restores into the target');
like(
    user_relations($node, 'target'),
    qr/Odd ""Table"" Name/,
    'the target now has the tables of the dump');

$node->stop;
done_testing();
