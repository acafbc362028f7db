# Rotation deletes exactly the backups that lokbackup.retain_* expire, from storage and from the
# catalog, and nothing else: never a manual backup, a pinned one or a database's newest completed
# backup. A dry run only lists them; a rotation rolled back removes nothing. The worker rotates by
# itself after a run that completed a backup.
#
# Nobody can wait weeks in a test: the history is fabricated, as catalog rows inserted by the
# superuser (finished days or months ago) with small files in storage where their objects and
# manifests would be.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node(
    'rotation',
    settings => {
        'lokbackup.databases' => 'app',
        'lokbackup.retain_daily' => '3',
        'lokbackup.retain_weekly' => '2',
        'lokbackup.retain_monthly' => '2',

        # Ages count in the schedule's time zone; one with daylight-saving time.
        'lokbackup.timezone' => 'Europe/Berlin', });
for my $database (qw(app other))
{
    $node->safe_psql('postgres', "CREATE DATABASE $database");
}
$node->safe_psql('postgres', 'CREATE ROLE alice LOGIN IN ROLE lokbackup_admin');

# Ages keep a margin of a day or more from every limit (3 days, 2 weeks, 2 calendar months), so
# that neither the test's own duration nor a daylight-saving change moves a backup across one.
my %history;    # name -> row
my %expired;    # name -> reason rotation must give

sub history
{
    my ($name, $reason, %options) = @_;
    my $row = fabricate_backup($node, object => 1, %options);
    fabricate_stored_objects($node, $row, partial => $options{partial});
    $history{$name} = $row;
    $expired{$name} = $reason if defined $reason;
    return;
}

my $daily = 'daily backup older than 3 days';
my $weekly = 'weekly backup older than 2 weeks';
my $monthly = 'monthly backup older than 2 months';
my $failed = 'failed backup older than 3 days';

# app: every kind of backup, expired and not.
history(
    'app daily 4d', $daily,
    database => 'app',
    type => 'daily',
    finished => "now() - interval '4 days'");
history(
    'app daily 2d', undef,
    database => 'app',
    type => 'daily',
    finished => "now() - interval '2 days'");
history(
    'app weekly 20d', $weekly,
    database => 'app',
    type => 'weekly',
    finished => "now() - interval '20 days'");
history(
    'app weekly 10d', undef,
    database => 'app',
    type => 'weekly',
    finished => "now() - interval '10 days'");
history(
    'app monthly 100d', $monthly,
    database => 'app',
    type => 'monthly',
    finished => "now() - interval '100 days'");
history(
    'app monthly 40d', undef,
    database => 'app',
    type => 'monthly',
    finished => "now() - interval '40 days'");
history(
    'app manual 200d', undef,
    database => 'app',
    type => 'manual',
    finished => "now() - interval '200 days'");
history(
    'app daily 30d pinned', undef,
    database => 'app',
    type => 'daily',
    finished => "now() - interval '30 days'",
    pinned => 1);
history(
    'app failed daily 10d', "$failed: its leftovers are removed",
    database => 'app',
    type => 'daily',
    status => 'failed',
    error => 'fabricated failure',
    finished => "now() - interval '10 days'",
    partial => 1);
history(
    'app failed manual 1d', undef,
    database => 'app',
    type => 'manual',
    status => 'failed',
    error => 'fabricated failure',
    finished => "now() - interval '1 day'");
history(
    'app daily 1h', undef,
    database => 'app',
    type => 'daily',
    finished => "now() - interval '1 hour'");

# A failed backup without an object key: its row goes, there is nothing to remove.
my $no_object = fabricate_backup(
    $node,
    database => 'app',
    type => 'manual',
    status => 'failed',
    error => 'fabricated failure',
    finished => "now() - interval '5 days'");
$history{'app failed manual 5d, no object'} = $no_object;
$expired{'app failed manual 5d, no object'} = $failed;

# Deleted before: never touched again.
my $gone = fabricate_backup(
    $node,
    database => 'app',
    type => 'daily',
    status => 'deleted',
    finished => "now() - interval '100 days'",
    object => 1);
fabricate_stored_objects($node, $gone);
$history{'app daily 100d deleted'} = $gone;

# other: every completed backup has expired, but the newest of them stays.
history(
    'other daily 10d', $daily,
    database => 'other',
    type => 'daily',
    finished => "now() - interval '10 days'");
history(
    'other daily 9d, its newest completed', undef,
    database => 'other',
    type => 'daily',
    finished => "now() - interval '9 days'");
history(
    'other failed daily 1d', undef,
    database => 'other',
    type => 'daily',
    status => 'failed',
    error => 'fabricated failure',
    finished => "now() - interval '1 day'");

# The roles dump counts as a database of its own.
history(
    'roles monthly 400d', $monthly,
    type => 'monthly',
    finished => "now() - interval '400 days'");
history(
    'roles monthly 100d', $monthly,
    type => 'monthly',
    finished => "now() - interval '100 days'");
history('roles daily 1d', undef, type => 'daily', finished => "now() - interval '1 day'");

my %name_of = map { $history{$_}{id} => $_ } keys %history;
my @expected_ids = sort { $a <=> $b } map { $history{$_}{id} } keys %expired;
my $expected_listing =
  join("\n", map { "$_ $name_of{$_}: $expired{ $name_of{$_} }" } @expected_ids);

# Each row's status and whether its files are in storage, as "name: status files" lines (an
# array, so that is_deeply shows the first line that differs).
sub snapshot
{
    my @lines;
    for my $name (sort keys %history)
    {
        my $row = backup_row($node, $history{$name}{id});
        my $files = 'no object';
        if (defined $row->{object_key})
        {
            my @paths = stored_object_files($node, $row, partial => 1);
            $files = join(' ', map { -e $_ ? 'present' : 'absent' } @paths);
        }
        push @lines, "$name: $row->{status}, $files";
    }
    return \@lines;
}
my $before = snapshot();
note "fabricated history:\n" . join("\n", @$before);

sub audit_count
{
    return $node->safe_psql('postgres',
        "SELECT count(*) FROM lokbackup_audit WHERE action = 'rotate'");
}

# lokbackup_rotate()'s rows as "id name: reason" lines.
sub listing
{
    my ($sql) = @_;
    my $out = $node->safe_psql('postgres', $sql);
    return join(
        "\n",
        map { my ($id, $reason) = split /\|/, $_, 2; "$id " . ($name_of{$id} // '?') . ": $reason" }
          grep { $_ ne '' } split /\n/,
        $out);
}

# --- dry run: lists exactly the expired backups, changes nothing ---
is(listing('SELECT backup_id, reason FROM lokbackup_rotate(dry_run => true) ORDER BY backup_id'),
    $expected_listing, 'a dry run lists exactly the expired backups, with their reasons');
is( $node->safe_psql(
        'postgres',
        "SELECT string_agg(format('%s %s %s %s', r.backup_id, coalesce(r.database, '(roles)'), "
          . "r.type, r.finished_at = b.finished_at), ',' ORDER BY r.backup_id) "
          . 'FROM lokbackup_rotate(dry_run => true) r '
          . 'JOIN lokbackup_backups b ON b.id = r.backup_id'),
    join(
        ',',
        map {
            my $r = $history{ $name_of{$_} };
            "$_ " . ($r->{database} // '(roles)') . " $r->{type} t"
        } @expected_ids),
    'each listed with its database (NULL for the roles), type and finished_at');
is_deeply(snapshot(), $before, 'the dry run deleted nothing: rows and files as they were');
is(audit_count(), 0, 'and audited nothing');

# --- a rotation that is rolled back removes nothing ---
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'BEGIN; SELECT count(*) FROM lokbackup_rotate(); ROLLBACK;');
is($ret, 0, 'a rotation inside a transaction that is rolled back runs');
is($stdout, scalar(@expected_ids), 'it would have deleted the expired backups');
is_deeply(snapshot(), $before,
    'after the rollback every row and every file is still there: storage is touched on commit only'
);

# --- a rotation in a subtransaction that is rolled back removes nothing either ---
# The rows come back with the rollback to the savepoint; their objects must stay with them, or the
# catalog lists completed backups whose objects are gone.
($ret, $stdout, $stderr) = $node->psql('postgres',
        'BEGIN; SAVEPOINT before_rotation; SELECT count(*) FROM lokbackup_rotate(); '
      . 'ROLLBACK TO SAVEPOINT before_rotation; COMMIT;');
is($ret, 0, 'a rotation inside a savepoint that is rolled back, then committed, runs');
is_deeply(snapshot(), $before,
    'after the rollback to the savepoint and the commit every row and every file is still there');

# Put back what such a rotation may have removed, so that what follows tests rotation alone.
for my $name (sort keys %history)
{
    fabricate_stored_objects($node, $history{$name},
        partial => ($name =~ /failed daily 10d/ ? 1 : 0))
      if defined $history{$name}{object_key} && !-e object_path($node, $history{$name}{object_key});
}

# --- rotation, by a lokbackup_admin member ---
is( listing('SET ROLE alice; SELECT backup_id, reason FROM lokbackup_rotate() ORDER BY backup_id'),
    $expected_listing,
    'lokbackup_rotate() deletes exactly the expired backups, with their reasons');
for my $name (sort keys %history)
{
    my $row = backup_row($node, $history{$name}{id});
    if (exists $expired{$name})
    {
        is($row->{status}, 'deleted', "$name: marked deleted");
        next unless defined $row->{object_key};
        my @left = grep { -e } stored_object_files($node, $row, partial => 1);
        is_deeply(\@left, [], "$name: object, manifest and leftovers removed from storage");
    }
    elsif ($history{$name}{status} ne 'deleted')
    {
        is($row->{status}, $history{$name}{status}, "$name: kept, still $row->{status}");
        my @missing = grep { !-e } stored_object_files($node, $row);
        is_deeply(\@missing, [], "$name: its object and manifest are still in storage");
    }
    else
    {
        ok(-e object_path($node, $row->{object_key}),
            "$name: a row deleted before is not touched (its stray file stays)");
    }
}
is( $node->safe_psql(
        'postgres',
        "SELECT string_agg(format('%s %s %s', backup_id, actor, detail->>'reason'), E'\\n' "
          . "ORDER BY backup_id) FROM lokbackup_audit WHERE action = 'rotate'"),
    join("\n", map { "$_ alice $expired{ $name_of{$_} }" } @expected_ids),
    "each deletion is audited as 'rotate', with the actor and the reason");
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_rotate()'),
    '0', 'a second rotation finds nothing to delete');

# Pinning protects from rotation, unpinning gives the backup up.
my $pinned = $history{'app daily 30d pinned'}{id};
$node->safe_psql('postgres', "SELECT lokbackup_keep($pinned, false)");
is( listing('SELECT backup_id, reason FROM lokbackup_rotate()'),
    "$pinned app daily 30d pinned: $daily",
    'once unpinned, an expired backup is rotated');
ok(!-e object_path($node, $history{'app daily 30d pinned'}{object_key}), 'and its object removed');

# --- the worker rotates after a run ---
history(
    'app daily 5d, before a run', $daily,
    database => 'app',
    type => 'daily',
    finished => "now() - interval '5 days'");
my $stale = $history{'app daily 5d, before a run'};
my $offset = log_offset($node);
my $run = run_backups($node, run_backup($node));
is(join(',', map { $_->{status} } @$run), 'completed,completed', 'a manual run completes');
ok( wait_for_status($node, $stale->{id}, 'deleted'),
    'after it the worker rotates the expired daily backup away');
ok(!grep({ -e } stored_object_files($node, $stale)), 'its object and manifest are removed');
is( $node->safe_psql(
        'postgres',
        "SELECT actor || ': ' || (detail->>'reason') FROM lokbackup_audit "
          . "WHERE action = 'rotate' AND backup_id = $stale->{id}"),
    "lokbackup rotation: $daily",
    "audited as done by 'lokbackup rotation'");
ok( defined wait_for_log_line(
        $node, qr/lokbackup: rotated away backup $stale->{id}: \Q$daily\E/, $offset),
    'and logged');
is(scalar(grep { -e object_path($node, $_->{object_key}) } @$run), 2, "the run's own backups stay");

$node->stop;
done_testing();
