# Encryption at rest with age (lokbackup.encrypt_to): the server holds only public keys made by
# stock age-keygen and cannot decrypt its own backups. A backup's object is age, after zstd: stock
# `age -d | zstd -dc | psql` restores it, and so does `lokbackup restore --identity` (or
# LOKBACKUP_IDENTITY_FILE) with either of two recipients' identities; a wrong identity or none
# fails before anything is replayed, naming the fingerprints the backup needs. verify checks the
# stored bytes without a key, and with --decrypt that they decrypt. The dashboard's restore takes
# the identity pasted, checks it first, and keeps it nowhere. An object encrypted by stock
# age, with a manifest written by hand, restores with --from. A passphrase file works too, alone.
# No identity material is in the server's data directory, log, catalog or manifests.
use strict;
use warnings FATAL => 'all';

use Digest::SHA qw(sha256_hex);
use File::Find;
use File::Path qw(make_path);
use IPC::Run ();
use JSON::PP;
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

my $keys = PostgreSQL::Test::Utils::tempdir('age_keys');

# A key made by stock age-keygen: its identity file and its recipient.
sub stock_key
{
    my ($name) = @_;
    my $file = "$keys/$name.txt";
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'age-keygen', '-o', $file ], '>', \$out, '2>', \$err)
      or die "age-keygen failed: $err";
    my ($recipient) = $err =~ /Public key: (age1\S+)/ or die "no public key in: $err";
    return { file => $file, recipient => $recipient, fingerprint => fingerprint($recipient) };
}

# As the README tells to compute it with stock tools.
sub fingerprint
{
    my ($recipient) = @_;
    return substr(sha256_hex($recipient), 0, 16);
}

my $alice = stock_key('alice');
my $bob = stock_key('bob');
my $stranger = stock_key('stranger');

my $node = create_node('age', settings => { 'lokbackup.databases' => 'app' });
populate_app_database($node, 'app');
my $source_dump = dump_database($node, 'app');

# --- a recipient that is not one is refused where it is set ---
for my $bad ('age1notakey', "$alice->{recipient},,$bob->{recipient}", 'ssh-ed25519 AAAA')
{
    my ($ret, $stdout, $stderr) =
      $node->psql('postgres', "ALTER SYSTEM SET lokbackup.encrypt_to = '$bad'");
    isnt($ret, 0, "ALTER SYSTEM refuses lokbackup.encrypt_to = '$bad'");
    like($stderr, qr/invalid value for parameter "lokbackup.encrypt_to".*DETAIL:  .*age/s,
        'with a detail that says what is wrong');
}

# --- a backup encrypted to two recipients ---
reload_settings($node,
    'lokbackup.encrypt_to' => "$alice->{recipient}, $bob->{recipient}");
my $ids = run_backup($node);
my $app = backup_of($node, $ids, 'app');
my $roles = backup_of($node, $ids, undef);
is($app->{status}, 'completed', 'an encrypted backup completes');
like($app->{object_key}, qr/\.sql\.zst\.age$/, 'its object is named .age');
my $expected_to = "{$alice->{fingerprint},$bob->{fingerprint}}";
is($node->safe_psql('postgres', "SELECT encrypted_to FROM lokbackup_backups WHERE id = $app->{id}"),
    $expected_to, 'the catalog records the fingerprints of both recipients');
is($node->safe_psql('postgres', "SELECT encrypted_to FROM lokbackup_backups WHERE id = $roles->{id}"),
    $expected_to, 'the roles dump is encrypted too');
my $object = storage_dir($node) . "/$app->{object_key}";
my $manifest = decode_json(slurp_file("$object.manifest.json"));
is($manifest->{format_version}, 2, 'its manifest is format_version 2');
is_deeply($manifest->{encrypted_to}, [ $alice->{fingerprint}, $bob->{fingerprint} ],
    'and names the same fingerprints');
is(sha256_hex(slurp_bytes($object)), $app->{sha256},
    'the SHA-256 is that of the stored, encrypted bytes');
like(slurp_bytes($object), qr/\Aage-encryption\.org\/v1\n/, 'the object is an age file');

# --- stock tools are enough ---
$node->safe_psql('postgres', 'CREATE DATABASE stock_restored TEMPLATE template0');
{
    local %ENV = node_env($node);
    my $err = '';
    IPC::Run::run([ 'age', '-d', '-i', $bob->{file}, $object ],
        '|', [ 'zstd', '-dc' ],
        '|', [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'stock_restored' ],
        '>', '/dev/null', '2>', \$err)
      or die "age -d | zstd -dc | psql failed: $err";
}
dumps_equal(dump_database($node, 'stock_restored'), $source_dump,
    'age -d | zstd -dc | psql restores the backup as it was');

# --- lokbackup restore with an identity ---
my $restore = run_lokbackup($node,
    [ 'restore', $app->{id}, '-d', 'restored_alice', '--create', '--identity', $alice->{file} ]);
is($restore->{exit}, 0, 'lokbackup restore --identity (the first recipient) succeeds')
  or diag($restore->{stderr});
dumps_equal(dump_database($node, 'restored_alice'), $source_dump, 'and restores it as it was');
$restore = run_lokbackup($node, [ 'restore', 'latest', '--database', 'app', '-d', 'restored_bob',
        '--create' ],
    env => { LOKBACKUP_IDENTITY_FILE => $bob->{file} });
is($restore->{exit}, 0, 'LOKBACKUP_IDENTITY_FILE with the second recipient works too')
  or diag($restore->{stderr});
dumps_equal(dump_database($node, 'restored_bob'), $source_dump, 'and restores it as it was');

# --- no identity, a wrong one: refused before anything is replayed ---
sub database_exists
{
    my ($name) = @_;
    return $node->safe_psql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'");
}
$restore = run_lokbackup($node, [ 'restore', $app->{id}, '-d', 'never_made', '--create' ]);
is($restore->{exit}, 1, 'a restore without an identity fails');
like($restore->{stderr},
    qr/backup $app->{id} is encrypted to the age recipients $alice->{fingerprint}, $bob->{fingerprint} \(fingerprints\): give an identity file of one of them with --identity FILE/,
    'and names the fingerprints it needs');
$restore = run_lokbackup($node,
    [ 'restore', $app->{id}, '-d', 'never_made', '--create', '-i', $stranger->{file} ]);
is($restore->{exit}, 1, 'a restore with a wrong identity fails');
like($restore->{stderr},
    qr/no identity given is one of them: the identities given are for $stranger->{fingerprint}/,
    'and says whose identity it was given');
is(database_exists('never_made'), 0, 'neither created the target');

# --- verify: the stored bytes without a key, decryption with one ---
my $verify = run_lokbackup($node, [ 'verify', $app->{id} ]);
is($verify->{exit}, 0, 'verify needs no key') or diag($verify->{stderr});
like($verify->{stdout}, qr/encrypted: checksum and manifest checked, not decrypted/,
    'and says what it checked');
$verify = run_lokbackup($node, [ 'verify', $app->{id}, '--decrypt', '-i', $alice->{file} ]);
is($verify->{exit}, 0, 'verify --decrypt --identity passes') or diag($verify->{stderr});
like($verify->{stdout}, qr/encrypted, decrypted and decompressed/, 'having decrypted it');
$verify = run_lokbackup($node, [ 'verify', $app->{id}, '--decrypt', '-i', $stranger->{file} ]);
is($verify->{exit}, 1, 'verify --decrypt with a wrong identity fails, as unreadable');
is($node->safe_psql('postgres', "SELECT verification FROM lokbackup_backups WHERE id = $app->{id}"),
    'passed', 'and records nothing against the backup');

# A flipped byte deep in the object: verify finds it without any key.
my $tampered_id = $roles->{id};
my $roles_object = storage_dir($node) . "/$roles->{object_key}";
my $original = slurp_bytes($roles_object);
flip_byte($roles_object);
$verify = run_lokbackup($node, [ 'verify', $tampered_id ]);
is($verify->{exit}, 3, 'a damaged encrypted object is found by verify without a key');
$verify = run_lokbackup($node, [ 'verify', $tampered_id, '--decrypt', '-i', $bob->{file} ]);
is($verify->{exit}, 3, 'and with --decrypt');
like($verify->{stderr}, qr/checksum mismatch/, 'as a checksum mismatch');
write_bytes($roles_object, $original);

# --- an object encrypted by stock age, with a manifest written by hand, restores with --from ---
# (A database without large objects: pg_dump -Fp gives each its own transaction.)
$node->safe_psql('postgres', 'CREATE DATABASE handmade');
$node->safe_psql('handmade',
    "CREATE TABLE t AS SELECT i, md5(i::text) AS m FROM generate_series(1, 1000) i");
my $handmade_dump = dump_database($node, 'handmade');
my $hand = PostgreSQL::Test::Utils::tempdir('by_hand');
my $key = 'handmade/2026/12/handmade-manual-20261203T120000Z-7001.sql.zst.age';
make_path("$hand/handmade/2026/12");
{
    local %ENV = node_env($node);
    my $err = '';
    IPC::Run::run([ 'pg_dump', '-Fp', '-d', 'handmade' ], '|', [ 'zstd', '-q', '-c' ],
        '|', [ 'age', '-r', $alice->{recipient}, '-o', "$hand/$key" ], '2>', \$err)
      or die "pg_dump | zstd | age failed: $err";
}
my $stock_object = slurp_bytes("$hand/$key");
my $version = $node->safe_psql('postgres', 'SHOW server_version');
write_bytes(
    "$hand/$key.manifest.json",
    encode_json({
            format_version => 2,
            contents => 'database',
            id => 7001,
            database => 'handmade',
            type => 'manual',
            object_key => $key,
            format => 'plain',
            compression => 'zstd',
            compression_level => 0,
            started_at => '2026-12-03T12:00:00Z',
            finished_at => '2026-12-03T12:00:05Z',
            server_version => $version,
            sha256 => sha256_hex($stock_object),
            size => length($stock_object),
            raw_size => length($handmade_dump),
            encrypted_to => [ $alice->{fingerprint} ] }));
$restore = run_lokbackup($node,
    [ 'restore', '7001', '--from', $hand, '-d', 'from_stock_age', '--create', '-i', $alice->{file} ]);
is($restore->{exit}, 0, 'an object encrypted by stock age restores with --from --identity')
  or diag($restore->{stderr});
dumps_equal(dump_database($node, 'from_stock_age'), $handmade_dump, 'as it was dumped');

# --- the dashboard: the identity pasted for one restore ---
$node->safe_psql('postgres', "CREATE ROLE dba LOGIN SUPERUSER PASSWORD 'dba-secret-1234'");
ServeTest::prepend_hba($node, 'local all dba scram-sha-256');
my $serve = ServeTest->start($node);
my $client = $serve->client;
is($client->login('dba', 'dba-secret-1234')->{status}, 200, 'the dashboard logs in');
my ($listed) = grep { $_->{id} == $app->{id} }
  @{ $client->call(GET => '/api/admin/backups')->{json}{backups} };
is_deeply($listed->{encryptedTo}, [ $alice->{fingerprint}, $bob->{fingerprint} ],
    'the dashboard lists whom the backup is encrypted to');
my %restore = (password => 'dba-secret-1234', target => 'from_dashboard');
my $r = $client->call(POST => "/api/admin/backups/$app->{id}/restore", \%restore);
is($r->{status}, 400, 'a restore of an encrypted backup without an identity: 400');
like($r->{json}{error}, qr/the identity is not an age identity: none was given/,
    'saying that it needs one');
like($r->{json}{hint}, qr/\Q$alice->{fingerprint}, $bob->{fingerprint}\E/,
    'and naming the fingerprints of its recipients');
$r = $client->call(POST => "/api/admin/backups/$app->{id}/restore",
    { %restore, identity => slurp_file($stranger->{file}) });
is($r->{status}, 400, 'with a wrong identity: 400');
like($r->{json}{error}, qr/no identity given is one of them/, 'saying so');
is(database_exists('from_dashboard'), 0, 'neither started a restore');
$r = $client->call(POST => "/api/admin/backups/$app->{id}/restore",
    { %restore, identity => slurp_file($bob->{file}) });
is($r->{status}, 202, 'with the identity of a recipient, the restore starts');
$r = $client->poll("/api/admin/restores/$r->{json}{restore}{id}",
    sub { $_[0]{json}{restore}{status} ne 'running' });
is($r->{json}{restore}{status}, 'completed', 'and completes') or diag(explain($r->{json}));
dumps_equal(dump_database($node, 'from_dashboard'), $source_dump, 'restoring the backup as it was');
unlike($serve->log_text, qr/AGE-SECRET-KEY/i, "serve's log holds no identity");
$serve->stop;

# --- a passphrase, alone ---
my $passphrase_file = "$keys/passphrase";
write_bytes($passphrase_file, "correct horse battery staple\n");
chmod 0600, $passphrase_file;
reload_settings($node, 'lokbackup.encrypt_passphrase_file' => $passphrase_file);
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT lokbackup_run(wait => true)');
isnt($ret, 0, 'with both a recipient and a passphrase file, the run is refused');
like($stderr, qr/lokbackup.encrypt_to and lokbackup.encrypt_passphrase_file are both set/,
    'saying that age encrypts to a passphrase alone');
reload_settings($node, 'lokbackup.encrypt_to' => '');
$ids = run_backup($node);
my $by_passphrase = backup_of($node, $ids, 'app');
is($node->safe_psql('postgres',
        "SELECT encrypted_to FROM lokbackup_backups WHERE id = $by_passphrase->{id}"),
    '{passphrase}', 'a backup with a passphrase records that it is one');
$restore = run_lokbackup($node, [ 'restore', $by_passphrase->{id}, '-d', 'never_made', '--create' ]);
like($restore->{stderr}, qr/is encrypted with a passphrase: give its passphrase file/,
    'without the passphrase file, restore says what it needs');
$restore = run_lokbackup($node, [ 'restore', $by_passphrase->{id}, '-d', 'by_passphrase',
        '--create', '--passphrase-file', $passphrase_file ]);
is($restore->{exit}, 0, 'with --passphrase-file it restores') or diag($restore->{stderr});
dumps_equal(dump_database($node, 'by_passphrase'), $source_dump, 'as it was');

# --- no identity material anywhere on the server's side ---
my @holding;
my $catalog_dump = full_dump($node, 'postgres');
push @holding, 'the catalog' if $catalog_dump =~ /AGE-SECRET-KEY|correct horse/;
find(
    sub {
        return unless -f $_;
        my $bytes = slurp_bytes($_);
        push @holding, $File::Find::name if $bytes =~ /AGE-SECRET-KEY|correct horse/;
    },
    $node->data_dir, storage_dir($node), $node->logfile);
is_deeply(\@holding, [], 'no identity and no passphrase in the data directory, log, catalog or storage');

done_testing();
