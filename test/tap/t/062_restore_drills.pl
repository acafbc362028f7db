# Restore drills: on lokbackup.drill_schedule the worker restores the latest backup of each
# database into a scratch database and checks it against what the dump held at backup time (rows
# of each table, objects, sequence values, large objects); lokbackup_drill() runs one on demand.
# A drill that fails (a corrupted object, rows that do not come back) is recorded with the check
# that failed, logged as a WARNING, notified, turns the database's health red, and takes the
# backup out of 'latest'.
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $hook = start_webhook_sink();
my $node = create_node(
    'drills',
    settings => {
        'lokbackup.databases' => 'lobs, parts',
        'lokbackup.drill_on_this_server' => 'on',
        'lokbackup.notify_webhook' => 'http://127.0.0.1:' . $hook->port . '/hook' });

# One database with large objects, one with partitions, inheritance, a sequence, constraints.
$node->safe_psql('postgres', 'CREATE DATABASE lobs');
$node->safe_psql('lobs', <<'SQL');
CREATE TABLE documents (id int PRIMARY KEY, body oid NOT NULL);
INSERT INTO documents SELECT i, lo_from_bytea(0, convert_to(repeat('page ' || i, 100), 'UTF8'))
FROM generate_series(1, 12) i;
SQL
$node->safe_psql('postgres', 'CREATE DATABASE parts');
$node->safe_psql('parts', <<'SQL');
CREATE TABLE measurements (taken date NOT NULL, value numeric CHECK (value >= 0))
    PARTITION BY RANGE (taken);
CREATE TABLE measurements_2025 PARTITION OF measurements
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measurements_2026 PARTITION OF measurements
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ON measurements (taken);
INSERT INTO measurements SELECT date '2025-06-01' + i, i FROM generate_series(0, 299) i;
CREATE TABLE city (name text PRIMARY KEY, population int);
CREATE TABLE capital (country text NOT NULL) INHERITS (city);
INSERT INTO city VALUES ('Lyon', 500000), ('Porto', 230000);
INSERT INTO capital VALUES ('Lisbon', 545000, 'Portugal');
CREATE SEQUENCE tickets START 100;
SELECT nextval('tickets') FROM generate_series(1, 7);
SQL

my $ids = run_backup($node);
my %backup = map { $_ => backup_of($node, $ids, $_) } qw(lobs parts);
ok(defined $backup{$_}{inventory}, "the backup of $_ records its inventory") for qw(lobs parts);

# --- a drill on the schedule: every database's latest backup restores and checks out ---
reload_settings($node, 'lokbackup.drill_schedule' => '* * * * *');
# The first scheduled drill of each database: should a minute boundary pass before the schedule is
# cleared, the next firing drills them again.
my $first_drills = 'SELECT DISTINCT ON (database) * FROM lokbackup_drills WHERE scheduled '
  . 'ORDER BY database, id';
ok( poll_until(
        $node,
        "SELECT string_agg(database || ' ' || status, ', ' ORDER BY database) FROM ($first_drills) d",
        'lobs passed, parts passed', 150),
    'on the schedule, a drill of the latest backup of each database passed');
reload_settings($node, 'lokbackup.drill_schedule' => '');
ok( poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_drills WHERE status IN ('pending', 'in_progress')", '0'),
    'no drill is left to run once the schedule is cleared');
my %drill = map {
    my $database = $_;
    $database => LokbackupTest::decode_rows(
        $node->safe_psql(
            'postgres',
            "SELECT row_to_json(d) FROM ($first_drills) d WHERE database = '$database'"))->[0]
} qw(lobs parts);
is($drill{$_}{backup_id}, $backup{$_}{id}, "the drill of $_ restored its latest backup")
  for qw(lobs parts);
cmp_ok($drill{$_}{restore_seconds}, '>', 0, "the drill of $_ measured its restore time")
  for qw(lobs parts);
is($drill{lobs}{checks}{large_objects}, 12, 'the drill of lobs found its 12 large objects');
is($drill{parts}{checks}{rows}, 300 + 2 + 1, 'the drill of parts counted every row it restored');
is($drill{parts}{checks}{replay}, 'committed', 'and the replay committed');
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'lokbackup\\_drill\\_%'"),
    0,
    'the scratch databases are dropped');
is( $node->safe_psql(
        'postgres',
        "SELECT string_agg(database || ' ' || drill_status, ', ' ORDER BY database)"
          . " FROM lokbackup_list() WHERE database IN ('lobs', 'parts')"),
    'lobs passed, parts passed',
    'lokbackup_list() shows the drill status of each backup');
like(
    $node->safe_psql('postgres',
        "SELECT verdict || ': ' || reason FROM lokbackup_health WHERE database = 'parts'"),
    qr/^green: backed up .* the last restore drill passed in /,
    'the health of parts is green, with the restore time of its drill');
my $scheduled_drills =
  $node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_drills WHERE scheduled');
cmp_ok($scheduled_drills, '>=', 2, 'the schedule drilled both databases');
is( $node->safe_psql(
        'postgres',
        "SELECT count(*) FROM lokbackup_audit WHERE action = 'drill'"
          . " AND (detail->>'scheduled')::boolean"),
    $scheduled_drills,
    'each scheduled drill is in the audit trail');

# --- rows that do not come back fail the drill, with the table and the counts ---
# As if the dump had lost a row of a partition: the catalog says there was one more.
$node->safe_psql('postgres', <<"SQL");
UPDATE lokbackup_backups
SET inventory = jsonb_set(inventory, '{table_rows,public.measurements_2025}',
                          to_jsonb((inventory->'table_rows'->>'public.measurements_2025')::bigint + 1))
WHERE id = $backup{parts}{id}
SQL
my $offset = log_offset($node);
my $rows_drill = $node->safe_psql('postgres', "SELECT lokbackup_drill('$backup{parts}{id}')");
ok( poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $rows_drill", 'failed'),
    'a drill whose restored rows fall short of the dump fails');
like(
    $node->safe_psql('postgres', "SELECT failed_check FROM lokbackup_drills WHERE id = $rows_drill"),
    qr/^table public\.measurements_2025: \d+ rows at backup time, \d+ restored$/,
    'and names the table and both counts');
like(
    wait_for_log_line($node, qr/restore drill $rows_drill /, $offset) // '',
    qr/WARNING:  lokbackup: restore drill $rows_drill of backup $backup{parts}{id} of database "parts" failed: table public\.measurements_2025/,
    'the failure is a WARNING in the server log');

# --- a corrupted object fails the drill: notified, red, and no longer 'latest' ---
my $lobs_id = $backup{lobs}{id};
flip_byte(object_path($node, $backup{lobs}{object_key}));
my $notices_before = $hook->count;
my $corrupt_drill = $node->safe_psql('postgres', "SELECT lokbackup_drill('latest', database => 'lobs')");
ok( poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $corrupt_drill", 'failed'),
    'a drill of a corrupted backup fails');
like(
    $node->safe_psql('postgres',
        "SELECT failed_check FROM lokbackup_drills WHERE id = $corrupt_drill"),
    qr/^restore: .*(SHA-256|checksum|decompress|zstd)/i,
    'because the restore refused the damaged object');
my ($notice) = grep { ($_->{json}{drill_id} // 0) == $corrupt_drill }
  @{ $hook->wait_for($notices_before + 1) };
ok($notice, 'the failed drill is notified');
is($notice->{json}{backup_id}, $lobs_id, 'the notice names the backup');
like($notice->{json}{text}, qr/restore drill $corrupt_drill of backup $lobs_id of "lobs" failed/,
    'and says what failed');
like(
    $node->safe_psql('postgres',
        "SELECT verdict || ': ' || reason FROM lokbackup_health WHERE database = 'lobs'"),
    qr/^red: the last restore drill failed: restore: /,
    'the health of lobs is red, with the reason');
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', "SELECT backup_id FROM lokbackup_restore_plan('latest', 'lobs')");
like($stderr, qr/no completed backup of database "lobs" that did not fail verification or a restore drill/,
    "'latest' passes over the backup whose drill failed");
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'lokbackup\\_drill\\_%'"),
    0,
    'failed drills drop their scratch databases too');

# --- a drill past lokbackup.backup_timeout is stopped; one a restart interrupts fails ---
# A database big enough for its drill to be caught running, whose child is then stopped (SIGSTOP).
$node->safe_psql('postgres', 'CREATE DATABASE slow');
$node->safe_psql('slow',
    'CREATE TABLE t AS SELECT i, md5(i::text) AS h FROM generate_series(1, 500000) i');
reload_settings($node, 'lokbackup.databases' => 'slow');
my $slow = backup_of($node, run_backup($node), 'slow');

# Starts a drill of the slow backup and stops its child as soon as it runs; returns the drill.
sub stalled_drill
{
    my $id = $node->safe_psql('postgres', "SELECT lokbackup_drill('$slow->{id}')");
    my $child = wait_until(
        sub {
            my $worker = worker_pid($node) // return undef;
            my ($pid) = LokbackupTest::children_of($worker, 'lokbackup drill-child');
            return $pid;
        });
    ok($child, "drill $id runs in a drill child");
    kill 'STOP', $child;
    return ($id, $child);
}

reload_settings($node, 'lokbackup.backup_timeout' => '3s');
my ($timed_out) = stalled_drill();
ok(poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $timed_out", 'error'),
    'a drill that runs past lokbackup.backup_timeout ends in error (it says nothing of the backup)');
like(
    $node->safe_psql('postgres', "SELECT failed_check FROM lokbackup_drills WHERE id = $timed_out"),
    qr/^stopped after 3 s \(lokbackup\.backup_timeout\)/,
    'and says it was stopped after the timeout');
reload_settings($node, 'lokbackup.backup_timeout' => '30min');

my ($interrupted, $stopped_child) = stalled_drill();
my $old_worker = worker_pid($node);
$node->safe_psql('postgres', "SELECT pg_terminate_backend($old_worker)");
ok(wait_for_exit($stopped_child), 'the drill child dies with its worker');
ok(poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $interrupted", 'error'),
    'the restarted worker ends the drill it interrupted in error');
like(
    $node->safe_psql('postgres', "SELECT failed_check FROM lokbackup_drills WHERE id = $interrupted"),
    qr/cancelled: the lokbackup worker was stopped|interrupted: the server restarted/,
    'and says why');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_drills WHERE status IN ('pending', 'in_progress')"),
    0, 'no drill is left pending or in progress');

my $after = $node->safe_psql('postgres', "SELECT lokbackup_drill('$slow->{id}')");
ok(poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $after", 'passed'),
    'the next drill of the same backup passes');
is( $node->safe_psql('postgres',
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'lokbackup\\_drill\\_%'"),
    0,
    'and the scratch databases the stopped drills left are dropped');

# --- lokbackup.drill_conninfo: the drill restores into another server ---
my $elsewhere = create_node('drill_target', preload => 0);
reload_settings($node,
    'lokbackup.drill_conninfo' => 'host=' . $elsewhere->host . ' port=' . $elsewhere->port
      . ' dbname=postgres');
my $remote = $node->safe_psql('postgres', "SELECT lokbackup_drill('$slow->{id}')");
ok(poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $remote", 'passed'),
    'a drill into the server lokbackup.drill_conninfo names passes');
like(slurp_file($elsewhere->logfile), qr/CREATE DATABASE "?lokbackup_drill_$remote"?/,
    'it created its scratch database there');
is( $elsewhere->safe_psql('postgres',
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'lokbackup\\_drill\\_%'"),
    0, 'and dropped it');

# A role with CREATE on public plants a CHECK constraint whose function grants it superuser
# when a superuser loads the rows: a drill runs it on the drill server, never here.
$node->safe_psql('postgres', 'CREATE ROLE mallory LOGIN; CREATE DATABASE trap');
$elsewhere->safe_psql('postgres', 'CREATE ROLE mallory LOGIN');
$node->safe_psql('trap', 'GRANT CREATE ON SCHEMA public TO mallory');
$node->safe_psql('trap', <<'SQL');
SET ROLE mallory;
CREATE FUNCTION public.promote(x int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE 'ALTER ROLE mallory SUPERUSER';
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    RETURN true;
END $$;
CREATE TABLE public.planted (x int CHECK (public.promote(x)));
INSERT INTO public.planted VALUES (1);
SQL
reload_settings($node, 'lokbackup.databases' => 'trap');
my $trap = backup_of($node, run_backup($node), 'trap');
reload_settings($node, 'lokbackup.databases' => 'slow');
my $trap_drill = $node->safe_psql('postgres', "SELECT lokbackup_drill('$trap->{id}')");
ok(poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $trap_drill", 'passed'),
    'a backup with a planted CHECK function is drilled on the drill server');
is($node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'"),
    'f', 'mallory is no superuser here');
is($elsewhere->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'"),
    't', '(the planted code did run, on the drill server: why it must be disposable)');

# Someone who can write to storage swaps the object for a script of theirs, of the same size (a
# zstd frame padded with a skippable one): the drill checks the checksum before it replays
# anything, so their statement never runs.
my $pwned = PostgreSQL::Test::Utils::tempdir('pwned') . '/pwned';
my $forged_sql = "COPY (SELECT 'pwned') TO " . sql_literal($pwned) . ";\n";
my $compressed = '';
IPC::Run::run([ 'zstd', '-q', '-c' ], '<', \$forged_sql, '>', \$compressed)
  or die 'zstd failed';
my $trap_object = object_path($node, $trap->{object_key});
my $padding = (-s $trap_object) - length($compressed) - 8;
die "the object is too small to forge: $padding" if $padding < 0;
write_bytes($trap_object,
    $compressed . pack('V', 0x184D2A50) . pack('V', $padding) . ("\0" x $padding));
my $forged_drill = $node->safe_psql('postgres', "SELECT lokbackup_drill('$trap->{id}')");
ok(poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $forged_drill", 'failed'),
    'a drill of an object swapped in storage fails');
like(
    $node->safe_psql('postgres',
        "SELECT failed_check FROM lokbackup_drills WHERE id = $forged_drill"),
    qr/^restore: .*(SHA-256|checksum)/i,
    'on its checksum');
ok(!-e $pwned, 'and the swapped-in statement never ran');
my (undef, undef, $conninfo_error) = $node->psql('postgres',
    "ALTER SYSTEM SET lokbackup.drill_conninfo = 'host=/nowhere sslmode=require password=hunter2'");
like($conninfo_error,
    qr/lokbackup\.drill_conninfo: "sslmode" is not supported; it takes host, port, user, password and dbname/,
    'a drill_conninfo with a keyword it does not take is refused when set, saying what it takes');
# PostgreSQL itself quotes the statement's value back to whoever typed it; lokbackup's own words
# (the DETAIL, which a reload from postgresql.conf logs) never quote it.
my ($conninfo_detail) = $conninfo_error =~ /^(DETAIL:.*)$/m;
unlike($conninfo_detail // 'no DETAIL', qr/hunter2|no DETAIL/, 'and its explanation does not show the password');
reload_settings($node, 'lokbackup.drill_conninfo' => '');
$elsewhere->stop;

# --- a drill waits for the backup run in progress ---
my ($lock, $held, $held_ids) = start_held_backup($node, 'slow', 't');
my $waiting = $node->safe_psql('postgres', "SELECT lokbackup_drill('$slow->{id}')");
is($node->safe_psql('postgres', "SELECT status FROM lokbackup_drills WHERE id = $waiting"),
    'pending', 'a drill asked for during a backup run is pending');
release_lock($lock);
ok(wait_for_status($node, $held->{id}, 'completed'), 'the run completes');
ok(poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $waiting", 'passed'),
    'then the drill runs and passes');
is( $node->safe_psql(
        'postgres',
        "SELECT d.started_at >= max(b.finished_at) FROM lokbackup_drills d, lokbackup_backups b"
          . " WHERE d.id = $waiting AND b.id IN (" . join(',', @$held_ids) . ') GROUP BY d.started_at'),
    't',
    'it started only once every backup of the run had finished');

# --- an encrypted backup: refused without a key, drilled with lokbackup.drill_identity_file ---
my $keys = PostgreSQL::Test::Utils::tempdir('drill_keys');
my ($keygen_out, $keygen_err) = ('', '');
IPC::Run::run([ 'age-keygen', '-o', "$keys/drills.txt" ], '>', \$keygen_out, '2>', \$keygen_err)
  or die "age-keygen failed: $keygen_err";
my ($recipient) = $keygen_err =~ /Public key: (age1\S+)/ or die "no public key in: $keygen_err";
reload_settings($node, 'lokbackup.encrypt_to' => $recipient);
my $sealed = backup_of($node, run_backup($node), 'slow');
my (undef, undef, $sealed_error) =
  $node->psql('postgres', "SELECT lokbackup_drill('$sealed->{id}')");
like($sealed_error, qr/backup $sealed->{id} is encrypted, and restore drills hold no key to decrypt it.*HINT:.*lokbackup\.drill_identity_file/s,
    'without a key, a drill of an encrypted backup is refused, saying which setting gives one');
reload_settings($node, 'lokbackup.drill_identity_file' => "$keys/drills.txt");
my $sealed_drill = $node->safe_psql('postgres', "SELECT lokbackup_drill('$sealed->{id}')");
ok(poll_until($node, "SELECT status FROM lokbackup_drills WHERE id = $sealed_drill", 'passed'),
    'with lokbackup.drill_identity_file, the encrypted backup is drilled and passes');
reload_settings($node, 'lokbackup.encrypt_to' => '', 'lokbackup.drill_identity_file' => '');

# --- what lokbackup_drill() refuses, changing nothing ---
my $drills_before = $node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_drills');
my $roles = backup_of($node, $ids, undef);
for my $case (
    [ "lokbackup_drill('$roles->{id}')", qr/backup $roles->{id} is of the roles: a drill restores a database backup/ ],
    [ "lokbackup_drill('x1')", qr/invalid backup "x1".*HINT:  Pass 'latest' or a backup id/s ],
    [ "lokbackup_drill('latest')", qr/backup 'latest' needs a database/ ],
    [ "lokbackup_drill('999999')", qr/backup 999999 does not exist/ ])
{
    my ($sql, $error) = @$case;
    my ($ret, $stdout, $stderr) = $node->psql('postgres', "SELECT $sql");
    like($stderr, $error, "$sql is refused with a clear error");
}
reload_settings($node, 'lokbackup.drill_on_this_server' => 'off');
my (undef, undef, $nowhere) =
  $node->psql('postgres', "SELECT lokbackup_drill('$slow->{id}')");
like($nowhere,
    qr/restore drills have no server to restore into.*DETAIL:  A drill replays the dump as a superuser.*HINT:  Set lokbackup\.drill_conninfo/s,
    'without drill_conninfo nor drill_on_this_server, a drill is refused: it would run the dump\'s code as a superuser here');
reload_settings($node, 'lokbackup.drill_on_this_server' => 'on');
$node->safe_psql('postgres', 'CREATE ROLE outsider LOGIN');
($ret, $stdout, $stderr) = $node->psql('postgres',
    "SET ROLE outsider; SELECT lokbackup_drill('latest', database => 'parts')");
like($stderr, qr/permission denied for function lokbackup_drill/,
    'a role outside lokbackup_admin cannot start a drill');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_drills'),
    $drills_before, 'and none of these queued a drill');

$hook->stop;
$node->stop;
done_testing();
