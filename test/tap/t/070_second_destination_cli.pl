# The lokbackup program and a second destination (lokbackup.storage_copy): `lokbackup copy` fills it
# with the backups made before it was set, checked against the catalog; `lokbackup verify` checks
# and records every copy and names the damaged one; `lokbackup restore` passes over a damaged or
# missing copy to the next, says so and which copy it restored, and exits 3 only when every copy is
# damaged; 'latest' passes over a backup only when every copy of it failed verification; the
# dashboard's download reads the first copy storage has.
use strict;
use warnings FATAL => 'all';

use Digest::SHA ();
use File::Find ();
use File::Path qw(make_path);
use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

my $node = create_node('second_destination', settings => { 'lokbackup.databases' => 'app' });
populate_app_database($node, 'app');
my $catalog = catalog_database($node);
my $backup = backup_of($node, run_backup($node), 'app');
is($backup->{status}, 'completed', 'a backup made before the second destination was set');
my $id = $backup->{id};
my $primary = object_path($node, $backup->{object_key});
my $intact = slurp_bytes($primary);

sub copies
{
    return $node->safe_psql($catalog,
        "SELECT string_agg(destination || ':' || status || ':' || coalesce(verification, '-'), ',' "
          . "ORDER BY destination <> 'primary') FROM lokbackup_backup_copies WHERE backup_id = $id");
}

# --- lokbackup copy, refused without a second destination, or to another place ---
my $copy = run_lokbackup($node, ['copy']);
is($copy->{exit}, 1, 'copy without lokbackup.storage_copy fails');
like($copy->{stderr}, qr/lokbackup\.storage_copy is not set: set it to the second destination/,
    'and says what to set');

my $second = $node->basedir . '/second';
make_path($second);
chmod 0700, $second;
reload_settings($node, 'lokbackup.storage_copy' => $second);

$copy = run_lokbackup($node, [ 'copy', '--to', $node->basedir . '/elsewhere' ]);
is($copy->{exit}, 2, 'copy --to another place than lokbackup.storage_copy is wrong usage');
like($copy->{stderr}, qr/is not the server's lokbackup\.storage_copy \(\Q$second\E\): the server must be able to reach every copy it records/,
    'and says why');
$copy = run_lokbackup($node, [ 'copy', '--since', 'not a time' ]);
is($copy->{exit}, 2, 'copy --since with no time is wrong usage');
like($copy->{stderr}, qr/--since "not a time" is not a time: give a date or a timestamp/, 'and says what a time is');

# --- a damaged primary is not copied, and nothing of it stays ---
flip_byte($primary);
$copy = run_lokbackup($node, ['copy']);
is($copy->{exit}, 3, 'copy of a damaged primary exits 3');
like($copy->{stdout}, qr/^backup $id: damaged: its primary object is damaged: the object has SHA-256 \w+, not the recorded $backup->{sha256}; nothing was copied$/m,
    'the line of the backup says its primary object is damaged and nothing was copied');
# The roles backup's primary is intact, and is copied.
my @left;
File::Find::find({ wanted => sub { push @left, $_ if -f $_ }, no_chdir => 1 }, "$second/app")
  if -d "$second/app";
is(join(',', @left), '', 'nothing of it is in the second destination (no object, manifest or partial file)');
write_bytes($primary, $intact);

# --- copied, with its manifest, and recorded ---
$copy = run_lokbackup($node, [ 'copy', '--to', "$second/" ]);
is($copy->{exit}, 0, 'copy exits 0');
like($copy->{stdout}, qr/^backup $id: copied to .*\n1 copied, 0 damaged, 0 failed$/m, 'one line per backup, then the counts');
my $copied = "$second/$backup->{object_key}";
ok(-f $copied && slurp_bytes($copied) eq $intact, 'the copy has the stored bytes of the primary');
is(slurp_bytes("$copied.manifest.json"), slurp_bytes("$primary.manifest.json"), 'its manifest is the primary\'s');
is(copies(), 'primary:completed:-,copy:completed:-', 'lokbackup_backup_copies has both, completed');
$copy = run_lokbackup($node, ['copy']);
like($copy->{stdout}, qr/^0 copied, 0 damaged, 0 failed$/m, 'a second copy finds nothing to copy');

# --- verify checks and records both ---
my $verify = run_lokbackup($node, [ 'verify', $id ]);
is($verify->{exit}, 0, 'verify of both intact copies exits 0');
like($verify->{stdout}, qr/^backup $id: OK .*; all 2 copies intact\)$/m, 'and says that both were checked');
is(copies(), 'primary:completed:ok,copy:completed:ok', 'both verifications recorded');

flip_byte($copied);
$verify = run_lokbackup($node, [ 'verify', $id ]);
is($verify->{exit}, 3, 'verify with a damaged copy exits 3');
like($verify->{stderr}, qr/the copy at \Q$second\E: checksum mismatch/, 'and names the damaged copy');
is(copies(), 'primary:completed:ok,copy:completed:failed', 'the copy\'s failure is recorded, the primary still ok');
write_bytes($copied, $intact);
run_lokbackup($node, [ 'verify', $id ]);

# --- restore passes over a damaged primary ---
flip_byte($primary);
my $restore =
  run_lokbackup($node, [ 'restore', $id, '--dbname', 'from_copy', '--create', '--json' ]);
is($restore->{exit}, 0, 'a restore with a damaged primary succeeds');
like($restore->{stderr}, qr/the primary copy at \S+ is damaged: .*; trying the copy at \Q$second\E/,
    'it says the primary is damaged and that it tries the copy');
like($restore->{stderr}, qr/restored from the copy at \Q$second\E/, 'and which copy it restored');
my $summary = eval { JSON::PP::decode_json($restore->{stdout}) } // {};
is($summary->{destination}, 'copy', 'the JSON summary names the destination');
is($summary->{storage}, $second, 'and its storage');
is(user_relations($node, 'from_copy'), user_relations($node, 'app'), 'the restored database has the source\'s relations');

# --- every copy damaged: exit 3, each named ---
flip_byte($copied);
$restore = run_lokbackup($node, [ 'restore', $id, '--dbname', 'nowhere', '--create' ]);
is($restore->{exit}, 3, 'a restore with every copy damaged exits 3');
like($restore->{stderr}, qr/no copy of backup $id can be restored: the primary copy at \S+ is damaged: .*; the copy at \Q$second\E is damaged: /,
    'naming each copy');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'nowhere'"), '0',
    'and created nothing');

# --- --no-verify-first falls back on a missing object only ---
write_bytes($copied, $intact);
unlink $primary or die "cannot remove $primary: $!";
$restore = run_lokbackup($node,
    [ 'restore', $id, '--dbname', 'no_first_read', '--create', '--no-verify-first' ]);
is($restore->{exit}, 0, 'with --no-verify-first, a missing primary falls back to the copy');
like($restore->{stderr}, qr/the primary copy at \S+ is damaged: backup object not found: .*; trying the copy at/,
    'saying that the primary object is missing');

# --- a primary that failed verification: restored by id from the copy alone ---
$verify = run_lokbackup($node, [ 'verify', $id ]);
is($verify->{exit}, 3, 'verify of the damaged primary exits 3');
$restore = run_lokbackup($node, [ 'restore', $id, '--dbname', 'after_verify', '--create' ]);
is($restore->{exit}, 0, 'a backup whose primary failed verification restores from its copy');
like($restore->{stderr}, qr/the primary copy of backup $id failed verification at .*; only its other copies are tried/,
    'saying that only the other copies are tried');
unlike($restore->{stderr}, qr/the primary copy at \S+ is damaged/, 'without reading the primary');
is($node->safe_psql($catalog, "SELECT backup_id FROM lokbackup_restore_plan('latest', 'app')"), $id,
    "'latest' still names it: its copy passed verification");
like($node->safe_psql($catalog, "SELECT location FROM lokbackup_restore_plan('latest', 'app')"),
    qr/^\Q$second\E/, 'and its restore plan points at the copy');

# --- --from works on the second destination alone ---
$restore = run_lokbackup($node,
    [ 'restore', $id, '--dbname', 'from_storage', '--create', '--from', $second ]);
is($restore->{exit}, 0, 'restore --from the second destination alone works (its manifest is there)');

# --- the dashboard's listing: each backup's copies, primary first ---
$node->safe_psql('postgres', "CREATE ROLE dba LOGIN PASSWORD 'dba-secret-2718' IN ROLE lokbackup_admin");
ServeTest::prepend_hba($node, 'local all dba scram-sha-256');
my $serve = ServeTest->start($node);
my $dba = $serve->client;
is($dba->login('dba', 'dba-secret-2718')->{status}, 200, 'an admin logs in to the dashboard');
my $listing = $dba->call(GET => '/api/admin/backups?roles=false');
my ($listed) = grep { $_->{id} == $id } @{ $listing->{json}{backups} // [] };
is_deeply(
    [ map { join(':', $_->{destination}, $_->{storage}, $_->{status}, $_->{verification} // '-') }
          @{ $listed->{copies} // [] } ],
    [ 'primary:' . storage_dir($node) . ':completed:failed', "copy:$second:completed:ok" ],
    'the listing gives each copy with its place, status and verification');

# --- the dashboard's download reads the first copy storage has, as a restore does ---
sub download
{
    my $r = $dba->call(GET => "/api/admin/backups/$id/object");
    return join(':', $r->{status}, $r->{headers}{'x-lokbackup-copy'} // '-',
        $r->{status} == 200 && Digest::SHA::sha256_hex($r->{body}) eq $backup->{sha256}
        ? 'intact' : 'other bytes');
}
is(download(), '200:copy:intact', 'a primary that failed verification: the download reads the copy');
like($serve->log_text, qr/download of backup $id: the primary copy of backup $id failed verification/,
    'serve logs that it passed over the primary');
write_bytes($primary, $intact);
is(run_lokbackup($node, [ 'verify', $id ])->{exit}, 0, 'the primary put back verifies');
is(download(), '200:primary:intact', 'an intact primary: the download reads it');
unlink $primary or die "cannot remove $primary: $!";
is(download(), '200:copy:intact', 'a missing primary: the download falls back to the copy');
like($serve->log_text, qr/download of backup $id: the primary copy at \S+ is damaged: backup object not found.*\n.*download of backup $id reads the copy at \Q$second\E/,
    'serve logs why and which copy it read');
unlink $copied or die "cannot remove $copied: $!";
is(download(), '404:-:other bytes', 'no copy left: 404');
$serve->stop;

done_testing();
