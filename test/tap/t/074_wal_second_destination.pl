# WAL archiving with a second destination (lokbackup.storage_copy): every WAL file the archive
# module stores goes to both places, byte for byte; a base backup is copied as dumps are, and
# WAL retention removes what no base backup needs in both; a point-in-time recovery from the
# second destination alone has every row. With the copy required, a copy that cannot be written
# fails the file (PostgreSQL retries it; once the copy is writable both have every segment); with
# it optional, archiving goes on and a WARNING names the copy (one that cannot be reached at all
# is tried again a minute later); the copy at the primary's place stops archiving until it is
# mended, saying why; after the storage moved, the old place (now the copy) keeps the WAL of the
# base backup it holds.
use strict;
use warnings FATAL => 'all';

use File::Path ();
use LokbackupTest;
use NotificationSinks qw(log_offset wait_for_log_line);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $copy = PostgreSQL::Test::Utils::tempdir . "/second place's";
mkdir $copy, 0700 or die "mkdir $copy: $!";
my $node = create_node(
    'wal_copy',
    streaming => 1,
    settings => {
        archive_mode => 'on',
        archive_library => 'lokbackup',
        'lokbackup.storage_copy' => $copy });
my $primary = storage_dir($node);

sub sql { return $node->safe_psql('postgres', $_[0]) }

# Writes some rows, ends the segment, waits until it is archived, and returns its name.
sub write_and_switch
{
    sql('INSERT INTO events SELECT generate_series(1, 1000)');
    return sql('SELECT pg_walfile_name(pg_switch_wal())');
}

sub wait_archived
{
    my ($name) = @_;
    return poll_until($node, "SELECT last_archived_wal >= '$name' FROM pg_stat_archiver", 't');
}

# The archived WAL segments of timeline 1 in `storage`: name => the object's bytes.
sub archived_segments
{
    my ($storage) = @_;
    my $dir = "$storage/~wal/00000001";
    return {} unless -d $dir;
    opendir my $dh, $dir or die "cannot read $dir: $!";
    my %found = map { /^([0-9A-F]{24})-[0-9a-f]{64}\.zst$/ ? ($1 => slurp_bytes("$dir/$_")) : () }
      readdir $dh;
    closedir $dh;
    return \%found;
}

sub unwritable
{
    my ($writable) = @_;
    chmod $writable ? 0700 : 0500, $_ or die "chmod $_: $!" for "$copy/~wal/00000001", $copy;
}

sql('CREATE TABLE events (id int)');
my $last;
$last = write_and_switch() for 1 .. 3;
ok(wait_archived($last), "segments up to $last are archived");
my $in_primary = archived_segments($primary);
ok(exists $in_primary->{$last}, 'the primary has them');
is_deeply(archived_segments($copy), $in_primary,
    'the second destination has the same objects, byte for byte');

# --- a base backup in both places; retention in both ---
my $offset = log_offset($node);
my ($ret, $out, $err) = $node->psql('postgres',
    "SELECT lokbackup_run(kind => 'physical', wait => true)", timeout => 180);
is($ret, 0, 'a base backup') or diag $err;
my $base = LokbackupTest::decode_rows(sql(
        "SELECT row_to_json(b) FROM lokbackup_backups b WHERE contents = 'cluster'"))->[0];
is($base->{status}, 'completed', 'the base backup is completed');
is(sql("SELECT status FROM lokbackup_copies WHERE backup_id = $base->{id}"), 'completed',
    'and so is its copy');
my $start = $base->{start_wal_file};
ok( wait_until(
        sub {
            !grep { $_ lt $start } map { keys %{ archived_segments($_) } } $primary, $copy;
        }),
    "WAL retention removed the segments before $start in both places");
ok(wait_for_log_line($node, qr/WAL retention in \Q$copy\E removed [1-9]\d* archived files/, $offset),
    'the log says so for the second destination');

sql('INSERT INTO events SELECT generate_series(1, 7)');
$last = write_and_switch();
ok(wait_archived($last), 'rows after the base backup are archived');
my $rows = sql('SELECT count(*) FROM events');

# --- a point-in-time recovery from the second destination alone ---
{
    my $restored = PostgreSQL::Test::Cluster->new('from_copy');
    File::Path::make_path($restored->basedir);
    my $result = run_lokbackup($node,
        [ 'restore-pitr', '--pgdata', $restored->data_dir, '--target', 'latest', '--from', $copy ]);
    is($result->{exit}, 0, 'restore-pitr --from the second destination') or diag $result->{stderr};
    $restored->append_conf('postgresql.conf',
        "port = " . $restored->port . "\narchive_mode = off\nshared_preload_libraries = ''\n");
    $restored->start;
    ok(poll_until($restored, 'SELECT NOT pg_is_in_recovery()', 't'), 'recovery ended, promoted');
    is($restored->safe_psql('postgres', 'SELECT count(*) FROM events'), $rows,
        'every archived row, from the second destination\'s WAL');
    $restored->stop;
}

# --- the copy required and unwritable: the file is not archived until it is written there ---
my $failed_before = sql('SELECT failed_count FROM pg_stat_archiver');
unwritable(0);
my $during = write_and_switch();
ok(poll_until($node, "SELECT failed_count > $failed_before FROM pg_stat_archiver", 't'),
    'required copy unwritable: archiving fails');
like(sql('SELECT last_error FROM lokbackup_wal_status'),
    qr/\Q$during\E is archived in \Q$primary\E, but its copy in \Q$copy\E failed: .*Permission denied.*storage_copy_required is on/,
    'lokbackup_wal_status says the copy failed, where, and why');
is(sql("SELECT last_archived_wal < '$during' FROM pg_stat_archiver"), 't',
    'the file does not count as archived');
unwritable(1);
$last = write_and_switch();
ok(wait_archived($last), 'the copy writable again: archiving goes on');
my @both = map { archived_segments($_) } $primary, $copy;
my @missing = grep { !$both[0]{$_} || !$both[1]{$_} } segments_between($start, $last);
is_deeply(\@missing, [], "no gap in either place from $start to $last");

# --- the copy optional: archiving goes on without it, and the log says so ---
$node->append_conf('postgresql.conf', "lokbackup.storage_copy_required = off\n");
$node->reload;
unwritable(0);
$offset = log_offset($node);
my $uncopied = write_and_switch();
ok(wait_archived($uncopied), 'optional copy unwritable: the file is archived');
ok( wait_for_log_line($node,
        qr/WARNING:.*lokbackup archived WAL file "\Q$uncopied\E", but its copy in \Q$copy\E failed/,
        $offset),
    'a WARNING names the file and the second destination');
unwritable(1);
ok(!archived_segments($copy)->{$uncopied}, 'the second destination lacks it');
ok(archived_segments($primary)->{$uncopied}, 'the primary has it');

# --- an optional copy that cannot be reached at all: archiving goes on, and the copy rests ---
my $unmounted = "$copy-unmounted";
$node->append_conf('postgresql.conf',
    'lokbackup.storage_copy = ' . LokbackupTest::conf_quote($unmounted) . "\n");
$node->reload;
$offset = log_offset($node);
my $first_miss = write_and_switch();
ok(wait_archived($first_miss), 'an optional copy in a missing directory: the file is archived');
ok( wait_for_log_line($node,
        qr/archived WAL file "\Q$first_miss\E", but its copy in \Q$unmounted\E failed: storage directory .* does not exist/,
        $offset),
    'a WARNING says the copy\'s directory does not exist');
my $second_miss = write_and_switch();
ok(wait_archived($second_miss), 'the next file is archived too');
ok( wait_for_log_line($node,
        qr/archived WAL file "\Q$second_miss\E", but its copy in \Q$unmounted\E is not written for a minute after it failed/,
        $offset),
    'without trying the copy again within the minute');

# --- the copy at the primary's place is refused: archiving waits, saying why ---
$node->append_conf('postgresql.conf',
    'lokbackup.storage_copy = ' . LokbackupTest::conf_quote($primary) . "\n");
$node->reload;
$offset = log_offset($node);
my $refused = write_and_switch();
ok(wait_for_log_line($node,
        qr/lokbackup\.storage_copy \(\Q$primary\E\) is the place WAL is archived to/, $offset),
    'the copy at the primary\'s place: the log says archiving cannot go on, and why');
is(sql("SELECT last_archived_wal < '$refused' FROM pg_stat_archiver"), 't',
    'and nothing more is archived');

# --- the storage moved, the old place now the copy: it keeps the WAL its own base backup needs ---
my $moved = PostgreSQL::Test::Utils::tempdir . '/moved';
mkdir $moved, 0700 or die "mkdir $moved: $!";
$node->append_conf('postgresql.conf',
    'lokbackup.storage = ' . LokbackupTest::conf_quote($moved) . "\n"
      . 'lokbackup.storage_copy = ' . LokbackupTest::conf_quote($primary) . "\n"
      . "lokbackup.storage_copy_required = on\n");
$node->reload;
$last = write_and_switch();
ok(wait_archived($last), 'archiving into the new place, the old one as the copy');
$offset = log_offset($node);
($ret, $out, $err) = $node->psql('postgres',
    "SELECT lokbackup_run(kind => 'physical', wait => true)", timeout => 180);
is($ret, 0, 'a base backup into the new place') or diag $err;
my $second_start = sql("SELECT start_wal_file FROM lokbackup_backups WHERE contents = 'cluster' "
      . "AND storage = " . LokbackupTest::sql_literal($moved));
cmp_ok($second_start, 'gt', $start, 'it starts after the first base backup');
ok(wait_for_log_line($node, qr/WAL retention in \Q$moved\E removed \d+ archived files before $second_start/,
        $offset),
    'the new place keeps the WAL from its own base backup on');
ok(wait_for_log_line($node, qr/WAL retention in \Q$primary\E removed \d+ archived files before $start/,
        $offset),
    'the old place keeps the WAL from the first base backup on, which it holds');
ok(archived_segments($primary)->{$start}, "$start is still in the old place");

$node->stop('fast');
done_testing();
