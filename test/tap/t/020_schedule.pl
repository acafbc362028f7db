# The worker takes scheduled backups by itself: with lokbackup.schedule = '* * * * *' a run starts
# at the next full minute, its backups typed monthly, weekly or daily by what came before, and
# lokbackup_next_run() moves on. A reload to '' stops the schedule; a reload to a time of day (in
# lokbackup.timezone) schedules exactly that time, and the worker fires then.
#
# The schedule has a resolution of one minute, so this file waits for two minute boundaries and
# watches a third pass without a run: about two to three minutes.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

# A time zone with a half-hour offset and no daylight-saving time: a schedule read in UTC (or in
# the server's zone) would fire 5 h 30 min off, and "tomorrow, same time" is exactly 24 h away.
my $zone = 'Asia/Kolkata';
my $node = create_node('schedule', settings => { 'lokbackup.timezone' => $zone });
$node->safe_psql('postgres', 'CREATE DATABASE app');

sub query { return $node->safe_psql('postgres', $_[0]) }

# Once the worker has served a request it has read the catalog and started the (empty) schedule:
# from then on a changed schedule counts from its reload.
my $manual = run_backups($node, run_backup($node));
is( join(',', map { $_->{status} } @$manual),
    'completed,completed,completed',
    'a manual run completes');
is(query('SELECT lokbackup_next_run() IS NULL'),
    't', "with lokbackup.schedule = '' nothing is scheduled");

# Scheduled history, so that the next run's backups of app and postgres are not the first of the
# month: postgres had one a minute ago (so, normally, in the same ISO week), app one earlier this
# month but before this week, when the calendar has such a time (not in a month's first week).
fabricate_backup(
    $node,
    database => 'postgres',
    type => 'monthly',
    finished => "now() - interval '1 minute'");
my $before_this_week = query(<<"SQL");
SELECT CASE WHEN w > date_trunc('month', local)
            THEN (w - interval '1 hour') AT TIME ZONE '$zone' END
FROM (SELECT now() AT TIME ZONE '$zone' AS local,
             date_trunc('week', now() AT TIME ZONE '$zone') AS w) t
SQL
if ($before_this_week ne '')
{
    fabricate_backup(
        $node,
        database => 'app',
        type => 'monthly',
        finished => "'$before_this_week'::timestamptz + interval '1 minute'");
}
else
{
    note 'this week began in another month: app has no scheduled backup this month';
}
my $history_end = query('SELECT max(id) FROM lokbackup_backups');

# The type the product must give each scheduled backup with an id above `after`, computed from
# the catalog (backup_type.hpp): monthly when no earlier scheduled backup of the same database
# (completed, running or pending) is in the same calendar month in the schedule's time zone,
# weekly when none is in the same ISO week, else daily. As "database type expected" lines.
sub types_with_expectation
{
    my ($after) = @_;
    return query(<<"SQL");
WITH earlier AS (
    SELECT id, database, requested_at AT TIME ZONE '$zone' AS local FROM lokbackup_backups
    WHERE type <> 'manual' AND status IN ('completed', 'in_progress', 'pending')),
backups AS (
    SELECT id, database, type, requested_at AT TIME ZONE '$zone' AS local FROM lokbackup_backups
    WHERE id > $after AND requested_by = 'lokbackup schedule')
SELECT string_agg(format('%s %s %s', coalesce(b.database, '(roles)'), b.type,
    CASE WHEN NOT EXISTS (SELECT FROM earlier p
                          WHERE p.id < b.id AND p.database IS NOT DISTINCT FROM b.database
                            AND date_trunc('month', p.local) = date_trunc('month', b.local))
         THEN 'monthly'
         WHEN NOT EXISTS (SELECT FROM earlier p
                          WHERE p.id < b.id AND p.database IS NOT DISTINCT FROM b.database
                            AND date_trunc('week', p.local) = date_trunc('week', b.local))
         THEN 'weekly'
         ELSE 'daily' END), E'\\n' ORDER BY b.database NULLS FIRST)
FROM backups b
SQL
}

# Passes when every "database type expected" line has the type expected.
sub typed_as_expected
{
    my ($typed, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @lines = map { [ split / / ] } split /\n/, $typed;
    return is_deeply([ map { "$_->[0] $_->[1]" } @lines ],
        [ map { "$_->[0] $_->[2]" } @lines ], $name);
}

# Waits for a scheduled run to start (a backup with an id above `after`) and finish, for at most
# `timeout` seconds; returns its rows.
sub wait_for_scheduled_run
{
    my ($after, $timeout) = @_;
    my $appeared = poll_until($node, "SELECT count(*) > 0 FROM lokbackup_backups WHERE id > $after",
        't', $timeout);
    return [] unless $appeared;
    poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_backups "
          . "WHERE id > $after AND status IN ('pending', 'in_progress')",
        '0');
    return backup_rows($node, "id > $after");
}

# Sleeps until `seconds` before the timestamptz `sql` (no polling: the waits here are long).
sub sleep_until_before
{
    my ($sql, $seconds) = @_;
    my $left = seconds_until($node, $sql) - $seconds;
    Time::HiRes::sleep($left) if $left > 0;
    return;
}

# --- '* * * * *': the worker fires at the next full minute ---
# Not in the last seconds of a minute: the next full minute after the reload must be the one
# after the moment the worker handles it.
sleep_until_before("date_trunc('minute', clock_timestamp()) + interval '1 minute'", -1)
  if query("SELECT extract(second FROM clock_timestamp()) >= 55") eq 't';
my $reloaded_at = query('SELECT clock_timestamp()');
reload_settings($node, 'lokbackup.schedule' => '* * * * *');
ok(poll_until($node, 'SELECT lokbackup_next_run() IS NOT NULL', 't'),
    'after the reload a run is scheduled');
my $first = query('SELECT lokbackup_next_run()');
is( query(
            "SELECT '$first'::timestamptz = "
          . "date_trunc('minute', '$reloaded_at'::timestamptz) + interval '1 minute'"),
    't',
    "lokbackup_next_run() is the full minute after the reload ($first), not a catch-up of the "
      . 'scheduled backup a minute before it');
is(query('SELECT next_scheduled_run = lokbackup_next_run() FROM lokbackup_dashboard'),
    't', 'lokbackup_dashboard.next_scheduled_run shows it too');

my $wait = seconds_until($node, "'$first'::timestamptz") + 60;
sleep_until_before("'$first'", 2);
my $run = wait_for_scheduled_run($history_end, $wait);
ok(scalar @$run, 'a scheduled run starts by itself at that minute');
is(join(',', map { $_->{database} // '(roles)' } @$run),
    '(roles),app,postgres', 'it backs up the roles and every database');
is(join(',', map { $_->{status} } @$run), 'completed,completed,completed', 'and completes');
is( join(',', map { $_->{requested_by} } @$run),
    'lokbackup schedule,lokbackup schedule,lokbackup schedule',
    "requested by 'lokbackup schedule'");
my %runs = map { $_->{run_id} => 1 } @$run;
is(scalar(keys %runs), 1, 'as one run');
is( query(
            "SELECT bool_and(requested_at >= '$first' "
          . "AND requested_at < '$first'::timestamptz + interval '30 s') "
          . "FROM lokbackup_backups WHERE id > $history_end"),
    't',
    'requested at the scheduled minute');
my $typed = types_with_expectation($history_end);
note "types (database, got, expected):\n$typed";
my ($roles_line) = $typed =~ /^(\(roles\) .*)$/m;
is( $roles_line,
    '(roles) monthly monthly',
    "the roles backup is monthly: no scheduled one came before it");
typed_as_expected($typed, 'every backup is typed by what came before it: monthly, weekly or daily');
my ($app_type) = $typed =~ /^app (\w+)/m;
my ($postgres_type) = $typed =~ /^postgres (\w+)/m;
note "app: $app_type, postgres: $postgres_type (normally weekly and daily)";

ok(poll_until($node, "SELECT lokbackup_next_run() > '$first'", 't'),
    'lokbackup_next_run() moves on after the run');
is(query("SELECT lokbackup_next_run() = '$first'::timestamptz + interval '1 minute'"),
    't', 'to the next minute');
my $first_end = query('SELECT max(id) FROM lokbackup_backups');

# --- a reload to '' stops the schedule ---
reload_settings($node, 'lokbackup.schedule' => '');
ok(poll_until($node, 'SELECT lokbackup_next_run() IS NULL', 't'),
    "after a reload to '' nothing is scheduled");

# A negative check, so a bounded wait: past the minute at which '* * * * *' would have fired next,
# with a margin for a run to show up in the catalog.
sleep_until_before("'$first'::timestamptz + interval '68 s'", 0);
ok( poll_until(
        $node, "SELECT clock_timestamp() > '$first'::timestamptz + interval '68 s'",
        't', 120),
    'a minute later');
is(query("SELECT count(*) FROM lokbackup_backups WHERE id > $first_end"),
    '0', "no run started after the reload to ''");

# --- a reload to a time of day: exactly that time, in lokbackup.timezone ---
my $at =
  query("SELECT date_trunc('minute', clock_timestamp() + interval '20 s') + interval '1 minute'");
my $cron =
  query("SELECT to_char('$at'::timestamptz AT TIME ZONE '$zone', 'FMMI FMHH24') || ' * * *'");
note "scheduling '$cron' ($zone), which is $at";
reload_settings($node, 'lokbackup.schedule' => $cron);
ok( poll_until($node, "SELECT lokbackup_next_run() = '$at'", 't'),
    "after a reload to '$cron' in $zone, lokbackup_next_run() is that time: $at");
$wait = seconds_until($node, "'$at'::timestamptz") + 60;
sleep_until_before("'$at'", 2);
$run = wait_for_scheduled_run($first_end, $wait);
ok(scalar @$run, "the schedule resumes: the worker fires at $at");
is(join(',', map { $_->{status} } @$run), 'completed,completed,completed', 'and the run completes');
is( query(
            "SELECT bool_and(requested_at >= '$at' "
          . "AND requested_at < '$at'::timestamptz + interval '30 s') "
          . "FROM lokbackup_backups WHERE id > $first_end"),
    't',
    'requested at that minute');
$typed = types_with_expectation($first_end);
note "types (database, got, expected):\n$typed";
typed_as_expected($typed,
    'typed by what came before it (normally daily: the second of the month and of the week)');
ok(poll_until($node, "SELECT lokbackup_next_run() = '$at'::timestamptz + interval '1 day'", 't'),
    'then the next run is the same time tomorrow');

# --- a reload of lokbackup.timezone alone moves the schedule ---
my ($minute, $hour) = split / /, $cron;
reload_settings($node, 'lokbackup.timezone' => 'UTC');
my $in_utc = query(<<"SQL");
SELECT CASE WHEN c > clock_timestamp() THEN c ELSE c + interval '1 day' END
FROM (SELECT (date_trunc('day', clock_timestamp() AT TIME ZONE 'UTC')
              + make_interval(hours => $hour, mins => $minute)) AT TIME ZONE 'UTC' AS c) t
SQL
ok( poll_until($node, "SELECT lokbackup_next_run() = '$in_utc'", 't'),
    "after a reload to lokbackup.timezone = 'UTC', '$cron' is read in UTC: $in_utc");

$node->stop;
done_testing();
