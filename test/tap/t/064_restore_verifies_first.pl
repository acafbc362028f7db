# Whoever can write to storage, but not to the catalog, swaps a backup object for a script of
# theirs of the same size. `lokbackup restore` and the restores of `lokbackup serve` read the whole
# object and check its size and SHA-256 before anything is created or replayed, so no statement of
# it runs and the server is as it was. --no-verify-first replays during that one read, as restores
# did before: the commit still fails, but the swapped-in statement has run by then.
use strict;
use warnings FATAL => 'all';

use Digest::SHA ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

# Uncompressed, so that a plain script of the attacker's is a valid object of the recorded size;
# every DDL statement logged, so that the log shows what the server was asked to create.
my $node = create_node('verify_first',
    settings => {
        'lokbackup.databases' => 'app',
        'lokbackup.compression' => 'none',
        'log_statement' => 'ddl'
    });
populate_app_database($node, 'app');
$node->safe_psql('app',
    'CREATE TABLE bulk AS SELECT g, md5(g::text) AS digest FROM generate_series(1, 60000) g');
my $backup = backup_of($node, run_backup($node), 'app');
is($backup->{status}, 'completed', 'the backup of app completed');
my $object = object_path($node, $backup->{object_key});
my $intact = slurp_bytes($object);
# A streaming replay gets the object's first 1 MiB read once the second has been read, and its
# writes wait for psql to take it: the first statement of a larger object runs before the end.
cmp_ok(length($intact), '>', 2 * 1024 * 1024, "the object is larger than two of the restore's reads");

# The attacker's script: one statement whose effect is outside any database (a role), then blank
# lines up to the recorded size.
sub swap_object
{
    my ($statement) = @_;
    my $script = "$statement\n";
    $script .= "\n" x ($backup->{size} - length($script));
    write_bytes($object, $script);
    return Digest::SHA::sha256_hex($script);
}

sub role_exists
{
    my ($role) = @_;
    return $node->safe_psql('postgres', "SELECT count(*) FROM pg_roles WHERE rolname = '$role'");
}

sub databases
{
    return $node->safe_psql('postgres',
        q{SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database});
}

# What the server was asked to do since `offset` of its log: CREATE DATABASE, CREATE ROLE, DROP.
sub ddl_logged_since
{
    my ($offset) = @_;
    return join("\n", slurp_file($node->logfile, $offset) =~ /statement: ((?:CREATE|DROP) \w+ \S+)/g);
}

$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->safe_psql('target', 'CREATE TABLE marker (note text)');
my $target_before = user_relations($node, 'target');
my $databases_before = databases();

my $found = swap_object('CREATE ROLE pwned;');
my $refused = qr/backup $backup->{id} \(database "app", [^)]*\), object \Q$backup->{object_key}\E: checksum mismatch: the object's SHA-256 is $found, the backup's record says $backup->{sha256}; nothing was restored: this happened before the replay, so no statement of the object ran and no database was created or changed/;

# --- into a new database ---
my $offset = -s $node->logfile;
my $restore = run_lokbackup($node, [ 'restore', $backup->{id}, '--dbname', 'copy', '--create' ]);
is($restore->{exit}, 3, 'the restore of a swapped object exits 3, the backup is damaged');
like($restore->{stderr}, $refused,
    'it names the backup and the object, the checksum found and the one recorded, and that nothing was replayed or created');
is(role_exists('pwned'), '0', 'the swapped-in statement never ran');
is(ddl_logged_since($offset), '', 'the server was asked to create nothing');
is(databases(), $databases_before, 'no database was created');

# --- over an existing database ---
$offset = -s $node->logfile;
$restore =
  run_lokbackup($node, [ 'restore', $backup->{id}, '--dbname', 'target', '--yes' ]);
is($restore->{exit}, 3, 'a restore of it over an existing database exits 3');
like($restore->{stderr}, $refused, 'and says why, and that nothing was replayed');
is(role_exists('pwned'), '0', 'the swapped-in statement never ran');
is(ddl_logged_since($offset), '', 'no side database was created');
is(user_relations($node, 'target'), $target_before, 'the target is unchanged');

# --- with --from, the manifest's checksum, and --sha256 pinning it ---
$restore = run_lokbackup($node,
    [ 'restore', '--from', storage_dir($node), 'latest', '--database', 'app',
      '--sha256', $backup->{sha256}, '--dbname', 'copy', '--create' ]);
is($restore->{exit}, 3, 'restore --from --sha256 of the swapped object exits 3');
like($restore->{stderr}, $refused, 'before anything was replayed');
is(role_exists('pwned'), '0', 'the swapped-in statement never ran');

# --- lokbackup serve's restore, which always verifies first ---
my $dba_password = 'dba-secret-5813';
$node->safe_psql('postgres', "CREATE ROLE dba LOGIN SUPERUSER PASSWORD '$dba_password'");
ServeTest::prepend_hba($node, 'local all dba scram-sha-256');
my $web = ServeTest->start($node)->client;
$web->login('dba', $dba_password);
$offset = -s $node->logfile;
my $r = $web->call(POST => "/api/admin/backups/$backup->{id}/restore", { password => $dba_password });
is($r->{status}, 202, 'a dashboard restore of the swapped object starts');
$r = $web->poll("/api/admin/restores/$r->{json}{restore}{id}",
    sub { $_[0]{json}{restore}{status} ne 'running' });
is($r->{json}{restore}{status}, 'failed', 'and fails');
like($r->{json}{restore}{error} // '', $refused, 'before anything was replayed');
is($r->{json}{restore}{step}, 'verifying', 'in the step that verifies the object');
is(role_exists('pwned'), '0', 'the swapped-in statement never ran');
is(ddl_logged_since($offset), '', 'nothing was created');
is(databases(), $databases_before, 'no database was left either');

# --- --no-verify-first: the one read streams into the replay ---
$found = swap_object('CREATE ROLE pwned_streaming;');
$restore = run_lokbackup($node,
    [ 'restore', $backup->{id}, '--dbname', 'copy', '--create', '--no-verify-first' ]);
is($restore->{exit}, 3, 'with --no-verify-first, the restore of the swapped object still exits 3');
like($restore->{stderr}, qr/checksum mismatch: the object's SHA-256 is $found, .*; nothing was restored/,
    'its commit still fails on the checksum');
is(role_exists('pwned_streaming'), '1',
    'but the swapped-in statement ran before that: why verifying first is the default');
is(databases(), $databases_before, 'the database it created was dropped');

# --- a sound object restores either way ---
write_bytes($object, $intact);
$restore = run_lokbackup($node, [ 'restore', $backup->{id}, '--dbname', 'copy', '--create' ]);
is($restore->{exit}, 0, 'the intact object restores') or diag($restore->{stderr});
like($restore->{stdout}, qr/checksum verified before the replay and again at its commit/,
    'checked before the replay and again at its commit');
is($node->safe_psql('copy', 'SELECT count(*) FROM bulk'), '60000', 'with its rows');
$restore = run_lokbackup($node,
    [ 'restore', $backup->{id}, '--dbname', 'copy_streamed', '--create', '--no-verify-first' ]);
is($restore->{exit}, 0, 'and with --no-verify-first') or diag($restore->{stderr});
like($restore->{stdout}, qr/checksum verified at the commit\n/, 'checked at the commit only');
is(user_relations($node, 'copy_streamed'), user_relations($node, 'copy'), 'to the same tables');

like(run_lokbackup($node, [ 'restore', '--help' ])->{stdout}, qr/--no-verify-first/,
    'restore --help describes --no-verify-first');

$node->stop;
done_testing();
