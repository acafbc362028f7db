# A restore over an existing database replays into a side database and only then swaps the names:
# the target's open sessions are terminated, the replaced database is kept as
# <db>_before_restore_<id> (or dropped with --drop-previous). A restore that fails (a tampered
# object, a replay killed half-way, the program interrupted) leaves the target as it was and no
# other database behind; when the program is killed with SIGKILL, the next restore of the backup
# into the target drops what it left. Two restores of one backup into one target never run at once.
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('swap', settings => { 'lokbackup.databases' => 'app' });
populate_app_database($node, 'app');
my $source_dump = dump_database($node, 'app');
my $backup = backup_of($node, run_backup($node), 'app');
is($backup->{status}, 'completed', 'the backup of app is completed');
my $id = $backup->{id};

# The databases whose names start with `prefix`, sorted, one a line.
sub databases_like
{
    my ($prefix) = @_;
    return $node->safe_psql('postgres',
            "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database "
          . "WHERE datname LIKE "
          . sql_literal("$prefix%"));
}

sub marker
{
    my ($database) = @_;
    return $node->safe_psql($database,
        "SELECT coalesce((SELECT string_agg(note, ',') FROM marker), '(none)')");
}

# Changed after the backup, so that which database is which can be told.
$node->safe_psql('app', "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('after')");

# --- a failed restore: the object was tampered with ---
my $tampered = backup_of($node, run_backup($node), 'app');
flip_byte(object_path($node, $tampered->{object_key}));
my $failed = run_lokbackup($node,
    [ 'restore', $tampered->{id}, '--database', 'app', '--dbname', 'app', '--yes' ]);
isnt($failed->{exit}, 0, 'the restore of a tampered object fails');
like($failed->{stderr}, qr/checksum mismatch/, 'and says why');
is(marker('app'), 'after', 'the target is as it was');
is(databases_like('app'), 'app', 'and no other database is left behind');

# --- a failed restore: its replay is killed half-way ---
# A check constraint that takes a while for every row holds the replay in the side database.
$node->safe_psql(
    'app', q{
CREATE FUNCTION public.slow_check(int) RETURNS boolean LANGUAGE sql
    AS 'SELECT pg_sleep(0.2) IS NOT NULL';
CREATE TABLE slow (n int CHECK (public.slow_check(n)));
INSERT INTO slow SELECT generate_series(1, 30);
});
my $slow = backup_of($node, run_backup($node), 'app');
$node->safe_psql('app', 'DROP TABLE slow; DROP FUNCTION public.slow_check(int)');
my $side = "app_restoring_$slow->{id}";

# Starts the restore of the slow backup over app; returns once its replay runs in the side
# database.
sub start_slow_restore
{
    my ($stdout, $stderr) = @_;
    my $harness;
    {
        local %ENV = node_env($node);
        $harness = IPC::Run::start(
            [ 'lokbackup', 'restore', $slow->{id}, '--database', 'app', '--dbname', 'app', '--yes' ],
            '<', \'', '>', $stdout, '2>', $stderr);
    }
    ok( poll_until(
            $node,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '$side' "
              . "AND query LIKE 'COPY public.slow%'",
            '1'),
        'the replay runs in the side database');
    return $harness;
}

my ($stdout, $stderr) = ('', '');
my $harness = start_slow_restore(\$stdout, \$stderr);
$node->safe_psql('postgres',
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$side'");
$harness->finish;
isnt($harness->result(0), 0, 'the restore whose replay was killed fails');
note "stderr: $stderr";
is(marker('app'), 'after', 'the target is as it was');
is(databases_like('app'), 'app', 'and the side database was dropped');

# --- a failed restore: the program is interrupted (SIGTERM; Ctrl-C alike) ---
($stdout, $stderr) = ('', '');
$harness = start_slow_restore(\$stdout, \$stderr);
$harness->signal('TERM');
$harness->finish;
isnt($harness->result(0), 0, 'the interrupted restore fails');
like($stderr, qr/interrupted by SIGTERM/, 'and says so');
is(marker('app'), 'after', 'the target is as it was');
is(databases_like('app'), 'app', 'and the side database was dropped');

# --- a second restore of the same backup into the same target, while the first runs ---
($stdout, $stderr) = ('', '');
$harness = start_slow_restore(\$stdout, \$stderr);
my $second = run_lokbackup($node,
    [ 'restore', $slow->{id}, '--database', 'app', '--dbname', 'app', '--yes' ]);
isnt($second->{exit}, 0, 'a second restore of the backup into app is refused while one runs');
like($second->{stderr}, qr/a restore of backup $slow->{id} into database "app" is running/,
    'and says so');

# --- the program is killed (SIGKILL): it can clean up nothing ---
$harness->signal('KILL');
$harness->finish;
ok(poll_until($node, "SELECT count(*) FROM pg_stat_activity WHERE datname = '$side'", '0'),
    "the killed restore's sessions end");
is(marker('app'), 'after', 'the target is as it was');
is(databases_like('app'), "app $side", 'the side database is left behind');
my $next = run_lokbackup($node,
    [ 'restore', $slow->{id}, '--database', 'app', '--dbname', 'app', '--yes' ]);
is($next->{exit}, 0, 'the next restore of the backup into app succeeds');
like($next->{stderr}, qr/database "$side", left by an interrupted restore of this backup, was dropped/,
    'after it dropped what the killed one left');
is(databases_like('app'), "app app_before_restore_$slow->{id}",
    'no other database than the replaced one is left');
# Back to the database as it was, for what follows.
$node->safe_psql('postgres', 'DROP DATABASE app WITH (FORCE)');
$node->safe_psql('postgres', "ALTER DATABASE app_before_restore_$slow->{id} RENAME TO app");

# --- the restore over the database, with a session open in it ---
my $session = $node->background_psql('app');
my $session_pid = $session->query_safe('SELECT pg_backend_pid()');
chomp $session_pid;
my $over = run_lokbackup($node, [ 'restore', $id, '--database', 'app', '--dbname', 'app', '--yes' ]);
is($over->{exit}, 0, 'the restore over app succeeds with a session open in it');
is( $node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE pid = $session_pid"),
    '0', "the target's session was terminated");
eval { $session->quit };
dumps_equal(dump_database($node, 'app'), $source_dump, 'app now holds the backup');
is(databases_like('app'), "app app_before_restore_$id", 'the replaced database is kept');
is(marker("app_before_restore_$id"), 'after', 'and is the database as it was');

# --- the same backup again: the kept database is in the way ---
my $again = run_lokbackup($node, [ 'restore', $id, '--database', 'app', '--dbname', 'app', '--yes' ]);
isnt($again->{exit}, 0, 'a second restore of the same backup over app is refused');
like($again->{stderr}, qr/"app_before_restore_$id" exists/, 'naming the kept database');

# --- --drop-previous ---
my $dropped = run_lokbackup($node,
    [ 'restore', $id, '--dbname', 'app_other', '--create', '--yes' ]);
is($dropped->{exit}, 0, 'a restore into a new database needs no swap');
$node->safe_psql('postgres', "DROP DATABASE app_before_restore_$id");
my $drop = run_lokbackup($node,
    [ 'restore', $id, '--database', 'app', '--dbname', 'app', '--yes', '--drop-previous' ]);
is($drop->{exit}, 0, 'the restore with --drop-previous succeeds');
is(databases_like('app'), 'app app_other', 'the replaced database was dropped');
dumps_equal(dump_database($node, 'app'), $source_dump, 'app holds the backup');

$node->stop;
done_testing();
