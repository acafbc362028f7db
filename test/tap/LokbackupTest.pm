# Shared helpers of the lokbackup TAP tests: a node with the extension preloaded, the catalog,
# storage, the lokbackup program, the backup child, and waiting by polling with a deadline.
#
# The tests run as an unprivileged user against the installed lokbackup (make install), e.g. one
# file: PATH=$(pg_config --bindir):$PATH prove -I test/tap \
#     -I $(dirname $(dirname $(pg_config --pgxs)))/test/perl test/tap/t/004_child_failures.pl
# Server logs and each test's log land in test/tap/tmp_check/log/.
package LokbackupTest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Basename ();

# PostgreSQL::Test::Cluster->init runs `pg_regress --config-auth`; PGXS's prove_installcheck sets
# PG_REGRESS, a plain `prove` run does not: find it beside the pgxs makefile of pg_config.
BEGIN
{
    unless ($ENV{PG_REGRESS})
    {
        my $pg_config = $ENV{PG_CONFIG} || 'pg_config';
        chomp(my $pgxs = `$pg_config --pgxs`);
        die "cannot run $pg_config --pgxs" unless $pgxs;

        # .../lib/pgxs/src/makefiles/pgxs.mk -> .../lib/pgxs/src/test/regress/pg_regress
        $ENV{PG_REGRESS} =
          File::Basename::dirname(File::Basename::dirname($pgxs)) . '/test/regress/pg_regress';
    }
}

use File::Find ();
use File::Spec ();
use IPC::Run ();
use JSON::PP ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

our @EXPORT = qw(
  manifest_agrees
  create_node storage_dir catalog_database reload_settings
  poll_until wait_until wait_for_status
  run_backup run_backup_allow_failures start_backup backup_row backup_rows decode_rows run_backups backup_of
  object_path file_sha256 stored_files files_below partial_files no_partial_files flip_byte truncate_file slurp_bytes write_bytes
  run_lokbackup
  worker_pid backup_child_pid descendant_pids pid_alive wait_for_exit stop_failure_pattern
  reject_connections hold_lock release_lock hold_roles_dump wait_until_dump_blocked start_held_backup
  populate_app_database user_relations dump_database full_dump stock_restore database_properties dumps_equal
  sql_literal node_env segments_between
);

# Restore keys make every plain dump differ (\restrict <random>): a fixed one makes dumps comparable.
my $restrict_key = 'lokbackuptest';

# Longest any single wait, query or program run of these tests may take before it counts as a
# failure: generous, for a loaded 2-core CI machine; it only matters when something is wrong.
our $default_timeout = 120;

my %catalog_of;    # node name -> lokbackup.database

# A started node with lokbackup preloaded, its storage under the node's base directory and the
# extension created in the catalog database. Options:
#   preload => 0     a plain server without lokbackup (a new server a bucket is restored into)
#   settings => {}   more postgresql.conf lines, name => value (values are quoted here)
#   streaming => 1   a primary that standbys can stream from
#   install_path => DIR   a server of another installation (another major version)
sub create_node
{
    my ($name, %options) = @_;
    my $preload = $options{preload} // 1;

    # No scheduled backup fires in the middle of a test unless the test asks for one.
    my %settings = ('lokbackup.schedule' => '', %{ $options{settings} // {} });
    my $catalog = $settings{'lokbackup.database'} // 'postgres';

    my $node = PostgreSQL::Test::Cluster->new($name,
        $options{install_path} ? (install_path => $options{install_path}) : ());
    $node->init(allows_streaming => $options{streaming} // 0);
    if ($preload)
    {
        # lokbackup creates no configured storage directory: it must exist, as a DBA makes it.
        mkdir(storage_dir($node), 0700) or die "cannot create " . storage_dir($node) . ": $!";
        $node->append_conf(
            'postgresql.conf',
            join('',
                "shared_preload_libraries = 'lokbackup'\n",
                "lokbackup.storage = " . conf_quote(storage_dir($node)) . "\n",
                map { "$_ = " . conf_quote($settings{$_}) . "\n" } sort keys %settings));
    }
    $node->start;
    $catalog_of{ $node->name } = $catalog;
    $node->safe_psql($catalog, 'CREATE EXTENSION lokbackup') if $preload;
    return $node;
}

sub conf_quote
{
    my ($value) = @_;
    $value =~ s/'/''/g;
    return "'$value'";
}

# SQL string literal.
sub sql_literal
{
    my ($value) = @_;
    $value =~ s/'/''/g;
    return "'$value'";
}

sub storage_dir
{
    my ($node) = @_;
    # Absolute, as lokbackup.storage must be: PostgreSQL 18's test modules keep base directories
    # relative.
    return File::Spec->rel2abs($node->basedir . '/storage');
}

sub catalog_database
{
    my ($node) = @_;
    return $catalog_of{ $node->name } // 'postgres';
}

# Writes settings to postgresql.conf, reloads, and returns once a new session sees every value
# (give values as SHOW prints them: '2s', '30min', 'gzip'). The postmaster signals its children
# before it forks a backend with the new values, so by then the worker has its SIGHUP pending and
# handles it before it takes another request.
sub reload_settings
{
    my ($node, %settings) = @_;
    $node->append_conf('postgresql.conf',
        join('', map { "$_ = " . conf_quote($settings{$_}) . "\n" } sort keys %settings));
    $node->reload;
    for my $name (sort keys %settings)
    {
        poll_until($node, "SELECT current_setting(" . sql_literal($name) . ")", $settings{$name})
          or die "$name = '$settings{$name}' was not reloaded";
    }
    return;
}

# Polls `sql` in the catalog database (or options{dbname}) until it prints `expected`, for at
# most `timeout` seconds. Returns true when it did.
sub poll_until
{
    my ($node, $sql, $expected, $timeout, %options) = @_;
    $timeout //= $default_timeout;

    # poll_query_until tries 10 times a second for timeout_default seconds.
    local $PostgreSQL::Test::Utils::timeout_default = $timeout;
    return $node->poll_query_until($options{dbname} // catalog_database($node), $sql, $expected);
}

# Calls `check` ten times a second until it returns true, for at most $default_timeout seconds,
# or until `give_up` (when given) returns true; returns what `check` returned last.
sub wait_until
{
    my ($check, $give_up) = @_;
    my $deadline = Time::HiRes::time() + $default_timeout;
    while (1)
    {
        my $result = $check->();
        return $result
          if $result || Time::HiRes::time() > $deadline || ($give_up && $give_up->());
        Time::HiRes::usleep(100_000);
    }
}

# Polls until backup `id` has `status`; returns true when it did.
sub wait_for_status
{
    my ($node, $id, $status, $timeout) = @_;
    return poll_until($node,
        "SELECT status FROM lokbackup_backups WHERE id = $id", $status, $timeout);
}

sub parse_ids
{
    my ($array) = @_;
    $array =~ s/^\{|\}$//g;
    return [ split /,/, $array ];
}

# lokbackup_run(wait => true): the ids of the run's backups, once all have completed. Dies when
# one failed (lokbackup_run raises an error then): use run_backup_allow_failures.
sub run_backup
{
    my ($node, $type) = @_;
    return run_and_wait($node, $type, 0);
}

# lokbackup_run(wait => true) for a run whose backups may fail: the ids of the run's backups, once
# all have finished, whatever their status.
sub run_backup_allow_failures
{
    my ($node, $type) = @_;
    return run_and_wait($node, $type, 1);
}

sub run_and_wait
{
    my ($node, $type, $allow_failures) = @_;
    $type //= 'manual';
    my $catalog = catalog_database($node);
    my ($ret, $stdout, $stderr) = $node->psql(
        $catalog,
        "SELECT lokbackup_run(" . sql_literal($type) . ", wait => true)",
        timeout => $default_timeout);
    return parse_ids($stdout) if $ret == 0;
    die "lokbackup_run(wait => true) failed: $stderr"
      unless $allow_failures && $stderr =~ /HINT:.*lokbackup_list\(status => 'failed'\)/;
    # The error names the failed backups only; the run is the newest.
    return parse_ids(
        $node->safe_psql(
            $catalog,
            "SELECT array_agg(id ORDER BY id) FROM lokbackup_backups"
              . " WHERE run_id = (SELECT max(run_id) FROM lokbackup_backups)"));
}

# lokbackup_run() without waiting: the ids of the run's backups, once the worker created them.
sub start_backup
{
    my ($node) = @_;
    return parse_ids(
        $node->safe_psql(
            catalog_database($node),
            "SELECT lokbackup_run()",
            timeout => $default_timeout));
}

sub decode_rows
{
    my ($text) = @_;
    return [ map { JSON::PP::decode_json($_) } grep { $_ ne '' } split /\n/, $text ];
}

# One catalog row, as a hash.
sub backup_row
{
    my ($node, $id) = @_;
    my $rows = backup_rows($node, "id = $id");
    die "backup $id does not exist" unless @$rows;
    return $rows->[0];
}

# Catalog rows matching a WHERE clause, oldest first.
sub backup_rows
{
    my ($node, $where) = @_;
    $where //= 'true';
    return decode_rows(
        $node->safe_psql(
            catalog_database($node),
            "SELECT row_to_json(b) FROM lokbackup_backups b WHERE $where ORDER BY id"));
}

# Rows of the backups with these ids.
sub run_backups
{
    my ($node, $ids) = @_;
    return backup_rows($node, 'id IN (' . join(',', @$ids) . ')');
}

# The row of a run's backup of `database` (undef: the roles).
sub backup_of
{
    my ($node, $ids, $database) = @_;
    my ($row) = grep {
            defined $database
          ? defined $_->{database} && $_->{database} eq $database
          : !defined $_->{database}
    } @{ run_backups($node, $ids) };
    return $row;
}

# Absolute path of a stored object, as the server resolves it: in the storage its row records.
sub object_path
{
    my ($node, $object_key) = @_;
    return $node->safe_psql(catalog_database($node),
        "SELECT lokbackup_internal.storage_location(storage, s3_endpoint, s3_region, s3_path_style, "
          . "object_key) FROM lokbackup_backups WHERE object_key = "
          . sql_literal($object_key));
}

# Every file below the storage directory, as paths relative to it, sorted.
sub stored_files
{
    my ($node) = @_;
    return files_below(storage_dir($node));
}

# Every file below the directory `root`, as paths relative to it, sorted.
sub files_below
{
    my ($root) = @_;
    return [] unless -d $root;
    my @files;
    File::Find::find(
        {   wanted => sub { push @files, substr($File::Find::name, length($root) + 1) if -f $_ },
            no_chdir => 1 },
        $root);
    return [ sort @files ];
}

sub partial_files
{
    my ($node) = @_;
    return [ grep { /\.partial$/ } @{ stored_files($node) } ];
}

# Waits until storage holds no .partial object: a failed backup's is removed just after its status
# is committed. Returns true when none is left; otherwise shows what is.
sub no_partial_files
{
    my ($node) = @_;
    return 1 if wait_until(sub { !@{ partial_files($node) } });
    Test::More::diag("left in storage: @{ partial_files($node) }");
    return 0;
}

sub slurp_bytes
{
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "cannot open $path: $!";
    local $/;
    my $bytes = <$fh>;
    close $fh;
    return $bytes;
}

# The SHA-256 of a file, as sha256sum prints it.
sub file_sha256
{
    my ($path) = @_;
    my $out = '';
    IPC::Run::run([ 'sha256sum', $path ], '>', \$out) or die "sha256sum $path failed";
    return (split ' ', $out)[0];
}

sub write_bytes
{
    my ($path, $bytes) = @_;
    open my $fh, '>:raw', $path or die "cannot write $path: $!";
    print $fh $bytes or die "cannot write $path: $!";
    close $fh or die "cannot close $path: $!";
    return;
}

# Inverts every bit of the byte in the middle of the file.
sub flip_byte
{
    my ($path) = @_;
    my $size = -s $path;
    open my $fh, '+<:raw', $path or die "cannot open $path: $!";
    my $offset = int($size / 2);
    seek $fh, $offset, 0 or die "seek: $!";
    read $fh, my $byte, 1 or die "read: $!";
    seek $fh, $offset, 0 or die "seek: $!";
    print $fh chr(ord($byte) ^ 0xff) or die "write: $!";
    close $fh or die "close: $!";
    return;
}

sub truncate_file
{
    my ($path, $size) = @_;
    truncate $path, $size or die "cannot truncate $path: $!";
    return;
}

# The environment a client program needs to reach the node (PGHOST, PGPORT), plus `extra`.
sub node_env
{
    my ($node, %extra) = @_;
    return (%ENV, PGHOST => $node->host, PGPORT => $node->port, %extra);
}

# Runs the installed lokbackup program against the node (PGHOST, PGPORT), stdin a pipe (never a
# terminal). Returns { exit => code, stdout => ..., stderr => ... }.
#   stdin => text, timeout => seconds, env => { NAME => value }, program => another lokbackup
sub run_lokbackup
{
    my ($node, $arguments, %options) = @_;
    my $stdin = $options{stdin} // '';
    my ($stdout, $stderr) = ('', '');
    local %ENV = node_env($node, %{ $options{env} // {} });
    my @command = ($options{program} // 'lokbackup', @$arguments);
    note 'running: ' . join(' ', @command);
    my $harness = IPC::Run::start(\@command, '<', \$stdin, '>', \$stdout, '2>', \$stderr,
        IPC::Run::timeout($options{timeout} // $default_timeout));
    my $exit = eval { $harness->finish; $harness->result(0) };

    if (!defined $exit)
    {
        # Timed out: a hung restore is a failure of the test, not the end of the test file.
        $harness->kill_kill;
        $exit = -1;
        $stderr .= "\n(lokbackup did not finish in time: $@)";
    }
    note "exit $exit\nstdout:\n$stdout\nstderr:\n$stderr";
    return { exit => $exit, stdout => $stdout, stderr => $stderr };
}

# WAL segment names in order, from `first` to `last` (same timeline, 16 MB segments).
sub segments_between
{
    my ($first, $last) = @_;
    my ($tli, $log, $seg) = map { hex } unpack('A8 A8 A8', $first);
    my @names;
    for (;;)
    {
        my $name = sprintf('%08X%08X%08X', $tli, $log, $seg);
        push @names, $name;
        last if $name ge $last;
        ($log, $seg) = $seg == 0xFF ? ($log + 1, 0) : ($log, $seg + 1);
    }
    return @names;
}

# The pid of the lokbackup background worker, or undef.
sub worker_pid
{
    my ($node) = @_;
    my $pid = $node->safe_psql('postgres',
        "SELECT pid FROM pg_stat_activity WHERE backend_type = 'lokbackup worker'");
    return $pid eq '' ? undef : $pid;
}

# The pids of the direct children of `pid` whose command line matches `pattern`.
sub children_of
{
    my ($pid, $pattern) = @_;
    my @arguments = ('pgrep', '-P', $pid);
    push @arguments, '-f', $pattern if defined $pattern;
    my $out = '';
    IPC::Run::run(\@arguments, '>', \$out);
    return map { 0 + $_ } split ' ', $out;
}

# The pid of the worker's `lokbackup backup-child` that runs `program` (by default pg_dump: the
# child of a database's backup; pg_dumpall: the roles dump's, which runs alongside), or undef when
# none does.
sub backup_child_pid
{
    my ($node, $program) = @_;
    $program //= 'pg_dump';
    my $worker = worker_pid($node) // return undef;
    my ($child) =
      grep { children_of($_, "/$program ") } children_of($worker, 'lokbackup backup-child');
    return $child;
}

# Every process below `pid` (children, their children, ...).
sub descendant_pids
{
    my ($pid) = @_;
    my @found;
    my @todo = ($pid);
    while (@todo)
    {
        my @children = children_of(shift @todo);
        push @found, @children;
        push @todo, @children;
    }
    return @found;
}

# True while a process `pid` exists and is not a zombie.
sub pid_alive
{
    my ($pid) = @_;
    return 0 unless kill 0, $pid;
    open my $fh, '<', "/proc/$pid/stat" or return 0;
    my $stat = <$fh>;
    close $fh;
    return $stat !~ /^\d+ \(.*\) Z /;
}

# Waits until none of `pids` runs any more; returns true when none does.
sub wait_for_exit
{
    my (@pids) = @_;
    return wait_until(
        sub {
            !grep { pid_alive($_) } @pids;
        });
}

# What the error of a backup that a server stop (`fast` or `immediate`) interrupted may say.
# Normally the worker explains it: at a fast stop it fails the backup as it exits, after an
# immediate one the next worker fails it at start. On a loaded machine the backend serving pg_dump
# may end first, and the backup child then reports pg_dump's lost connection before the worker is
# signalled: a failure that is just as true.
sub stop_failure_pattern
{
    my ($mode) = @_;
    return $mode eq 'immediate'
      ? qr/interrupted by server restart|server closed the connection unexpectedly|immediate shutdown/
      : qr/the lokbackup worker was stopped|terminating connection due to administrator command/;
}

my %hba_original;    # node name -> its pg_hba.conf as init wrote it

# Makes pg_hba.conf reject every connection to `database`, pg_dump's too (the bootstrap superuser
# is not exempt), or accept them again when `reject` is false: a backup of that database then fails
# at once, always the same way. Returns true once a new connection is refused (or accepted).
sub reject_connections
{
    my ($node, $database, $reject) = @_;
    my $hba = $node->data_dir . '/pg_hba.conf';
    my $original = $hba_original{ $node->name } //= slurp_file($hba);
    open my $fh, '>', $hba or die "cannot write $hba: $!";
    print $fh ($reject ? "local $database all reject\n" : ''), $original;
    close $fh or die "cannot close $hba: $!";
    $node->reload;

    # The postmaster reads pg_hba.conf again when it handles the SIGHUP.
    return wait_until(
        sub {
            my ($ret) = $node->psql($database, 'SELECT 1');
            return ($ret != 0) == !!$reject;
        });
}

# Holds a lock on `table` in `database` from a session of its own, ACCESS EXCLUSIVE unless `mode`
# says otherwise, so that a pg_dump of that database blocks on it. Returns the session, for
# release_lock().
sub hold_lock
{
    my ($node, $database, $table, $mode) = @_;
    $mode //= 'ACCESS EXCLUSIVE';
    my $session = $node->background_psql($database);
    # A lock may be held for minutes (t/042 holds one while two firings pass): each query gets the
    # default timeout of its own, not a share of one for the whole session.
    $session->set_query_timer_restart;
    $session->query_safe("BEGIN; LOCK TABLE $table IN $mode MODE;");
    return $session;
}

sub release_lock
{
    my ($session) = @_;
    $session->query_safe('ROLLBACK');
    $session->quit;
    return;
}

# Holds the roles dump of the next run: pg_dumpall --globals-only waits for this lock at its first
# query, which reads the roles' comments. No catalog cache covers this table, so a new connection
# never opens it (a lock on a catalog that has one would block the first connection after the
# relation cache file was invalidated). pg_dump of a database reads the database's comment from it
# and waits as well until the lock goes.
sub hold_roles_dump
{
    my ($node) = @_;
    return hold_lock($node, catalog_database($node), 'pg_catalog.pg_shdescription');
}

# Waits until a backend of `database` (pg_dump) waits for a lock; returns true when one does.
sub wait_until_dump_blocked
{
    my ($node, $database) = @_;
    return poll_until(
        $node,
        "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = "
          . sql_literal($database)
          . " AND wait_event_type = 'Lock'",
        't');
}

# Starts a run whose backup of `database` blocks on a lock held on `table`; returns the lock's
# session (for release_lock), the catalog row of that backup, in progress, and the run's ids.
sub start_held_backup
{
    my ($node, $database, $table) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $lock = hold_lock($node, $database, $table);
    my $ids = start_backup($node);
    my $row = backup_of($node, $ids, $database);
    ok( wait_for_status($node, $row->{id}, 'in_progress'),
        "backup $row->{id} of $database is in progress");
    ok(wait_until_dump_blocked($node, $database), "backup $row->{id}: pg_dump waits for the lock");
    ok( -e storage_dir($node) . "/$row->{object_key}.partial",
        "backup $row->{id}: its object is being written as .partial");
    return ($lock, $row, $ids);
}

# Creates `database` with content that a dump and restore can get wrong: quoted mixed-case names,
# an enum, jsonb, bytea with every byte value, non-ASCII text, a partitioned table with rows in
# several partitions, identity and serial columns, a view, a plpgsql trigger and a large object.
sub populate_app_database
{
    my ($node, $database) = @_;
    $node->safe_psql('postgres',
        qq{CREATE DATABASE "$database" ENCODING 'UTF8' TEMPLATE template0});
    $node->safe_psql($database, <<'SQL');
CREATE SCHEMA "Mixed Case";
CREATE TYPE "Mixed Case"."Mood" AS ENUM ('sad', 'ok', 'Happy Day', 'naïve');

CREATE TABLE "Mixed Case"."Odd ""Table"" Name" (
    "Id" integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "Serial No" serial NOT NULL,
    "Mood" "Mixed Case"."Mood" NOT NULL,
    "Doc" jsonb,
    "Bytes" bytea,
    "Town" text,
    "Changed By" text
);

CREATE TABLE "Mixed Case".audit (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    row_id integer NOT NULL,
    note text NOT NULL
);

CREATE FUNCTION "Mixed Case".remember_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW."Changed By" := 'trigger: ' || TG_OP;
    INSERT INTO "Mixed Case".audit (row_id, note) VALUES (NEW."Id", 'Zürich ☃ 東京');
    RETURN NEW;
END
$$;
CREATE TRIGGER "Remember Row" BEFORE INSERT ON "Mixed Case"."Odd ""Table"" Name"
    FOR EACH ROW EXECUTE FUNCTION "Mixed Case".remember_row();

INSERT INTO "Mixed Case"."Odd ""Table"" Name" ("Mood", "Doc", "Bytes", "Town")
SELECT (enum_range(NULL::"Mixed Case"."Mood"))[1 + i % 4],
       jsonb_build_object('i', i, 'nested', jsonb_build_object('arr', jsonb_build_array(i, 'x', null, true)),
                          'text', E'quote '' backslash \\ tab \t newline \n done'),
       CASE WHEN i = 1 THEN (SELECT decode(string_agg(lpad(to_hex(b), 2, '0'), '' ORDER BY b), 'hex')
                             FROM generate_series(0, 255) b)
            ELSE decode(md5(i::text), 'hex') END,
       CASE i % 3 WHEN 0 THEN 'Zürich ☃ 東京' WHEN 1 THEN E'line one\nline two\\.\t' ELSE NULL END
FROM generate_series(1, 3000) i;

CREATE TABLE "Mixed Case".measurements (
    city text NOT NULL,
    taken_on date NOT NULL,
    reading numeric(10, 3)
) PARTITION BY RANGE (taken_on);
CREATE TABLE "Mixed Case".measurements_2024 PARTITION OF "Mixed Case".measurements
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE "Mixed Case".measurements_2025 PARTITION OF "Mixed Case".measurements
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE "Mixed Case".measurements_other PARTITION OF "Mixed Case".measurements DEFAULT;
INSERT INTO "Mixed Case".measurements
SELECT (ARRAY['Zürich', '東京', 'São Paulo'])[1 + i % 3], date '2023-11-01' + i, i / 7.0
FROM generate_series(1, 1000) i;

CREATE VIEW "Mixed Case"."Happy View" AS
    SELECT "Id", "Town" FROM "Mixed Case"."Odd ""Table"" Name" WHERE "Mood" = 'Happy Day';

CREATE TABLE public.plain_table (id serial PRIMARY KEY, label text);
INSERT INTO public.plain_table (label) SELECT 'row ' || i FROM generate_series(1, 100) i;

SELECT lo_from_bytea(424242, convert_to('large object: Zürich ☃ 東京', 'UTF8'));
COMMENT ON TABLE "Mixed Case"."Odd ""Table"" Name" IS 'comment with ''quotes'' and ☃';
SQL
    return;
}

# The user tables, views and schemas of `database`, as "kind name" lines, sorted.
sub user_relations
{
    my ($node, $database) = @_;
    return $node->safe_psql($database, <<'SQL');
SELECT string_agg(entry, E'\n' ORDER BY entry) FROM (
    SELECT 'relation ' || c.oid::regclass::text AS entry
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
    UNION ALL
    SELECT 'schema ' || nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname !~ '^pg_'
    UNION ALL
    SELECT 'large object ' || oid FROM pg_largeobject_metadata
) entries
SQL
}

# A plain pg_dump of `database` without ownership, comparable between databases and servers.
sub dump_database
{
    my ($node, $database) = @_;
    my ($stdout, $stderr) = ('', '');
    local %ENV = node_env($node);
    IPC::Run::run([ 'pg_dump', '--no-owner', "--restrict-key=$restrict_key", '-d', $database ],
        '>', \$stdout, '2>', \$stderr)
      or die "pg_dump of $database failed: $stderr";
    return $stdout;
}

# What stock tools restore, to compare a restore with: `target` made by createdb -T template0,
# then pg_dump -Fc `source` | pg_restore --single-transaction into it. Returns `target`.
sub stock_restore
{
    my ($node, $source, $target) = @_;
    $node->safe_psql('postgres', "CREATE DATABASE \"$target\" TEMPLATE template0");
    my $stderr = '';
    local %ENV = node_env($node);
    IPC::Run::run([ 'pg_dump', '-Fc', '-d', $source ],
        '|', [ 'pg_restore', '--single-transaction', '--exit-on-error', '-d', $target ],
        '2>', \$stderr)
      or die "the stock restore of $source into $target failed: $stderr";
    return $target;
}

# A plain pg_dump of `database` with owners and privileges, comparable between databases of one
# server.
sub full_dump
{
    my ($node, $database) = @_;
    my ($stdout, $stderr) = ('', '');
    local %ENV = node_env($node);
    IPC::Run::run([ 'pg_dump', "--restrict-key=$restrict_key", '-d', $database ],
        '>', \$stdout, '2>', \$stderr)
      or die "pg_dump of $database failed: $stderr";
    return $stdout;
}

# The properties of `database` that pg_dump leaves out (owner, encoding, locale, connection limit,
# comment, ACL, ALTER DATABASE SET values), a line each, as the catalog shows them.
sub database_properties
{
    my ($node, $database) = @_;
    return $node->safe_psql(
        'postgres', q{
SELECT 'owner ' || pg_get_userbyid(datdba) || E'\nencoding ' || pg_encoding_to_char(encoding)
  || E'\nlocale ' || datcollate || '/' || datctype || '/' || datlocprovider::text
  || E'\nconnection limit ' || datconnlimit
  || E'\ncomment ' || coalesce(shobj_description(oid, 'pg_database'), '(none)')
  || E'\nacl ' || coalesce((SELECT string_agg(CASE WHEN grantee = 0 THEN 'PUBLIC'
        ELSE pg_get_userbyid(grantee) END || ':' || privilege_type || ':' || is_grantable, ' '
        ORDER BY 1) FROM aclexplode(datacl)), '(default)')
  || E'\nsettings ' || coalesce((SELECT string_agg(coalesce(pg_get_userbyid(NULLIF(setrole, 0)), '')
        || ':' || array_to_string(setconfig, '|'), ' ' ORDER BY 1)
        FROM pg_db_role_setting WHERE setdatabase = d.oid), '(none)')
FROM pg_database d WHERE datname = } . sql_literal($database));
}

# Passes when two dumps are the same text; otherwise shows the first line that differs.
sub dumps_equal
{
    my ($got, $expected, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return 1 if ok($got eq $expected, $name);
    my @want = split /\n/, $expected;
    my @have = split /\n/, $got;
    for my $i (0 .. ($#want > $#have ? $#want : $#have))
    {
        my ($x, $y) = ($want[$i] // '(end)', $have[$i] // '(end)');
        next if $x eq $y;
        diag("first difference at line " . ($i + 1) . ":\n  expected: $x\n  got:      $y");
        last;
    }
    return 0;
}


# Asserts that a manifest (decoded JSON) says what the catalog row says.
sub manifest_agrees
{
    my ($manifest, $row, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @fields = qw(id database contents type object_key sha256 size raw_size format compression);
    return is_deeply({ map { $_ => $manifest->{$_} } @fields },
        { map { $_ => $row->{$_} } @fields }, $name);
}

1;
