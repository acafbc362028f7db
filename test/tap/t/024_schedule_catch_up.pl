# Runs missed while the server was down are made up by ONE catch-up run when the worker comes up
# (the first firing after the last scheduled run lies in the past), not one per missed firing; no
# catch-up when nothing was missed. A schedule changed by a reload counts from the reload: it
# does not make up the firings the new schedule would have had before.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $node = create_node('catch_up');
sub query { return $node->safe_psql('postgres', $_[0]) }

# Once the worker has served a request it has read the catalog and started the (empty) schedule.
run_backup($node);

# The last scheduled run was three days ago.
fabricate_backup($node, type => 'daily', finished => "now() - interval '3 days'");
my $last = fabricate_backup(
    $node,
    database => 'postgres',
    type => 'daily',
    finished => "now() - interval '3 days'");
my $history_end = $last->{id};

# Daily at the time of day it was six hours ago (lokbackup.timezone is UTC): since the last
# scheduled run it would have fired three times; next it fires in 18 hours.
# (One query for both: a minute boundary between two would make them disagree.)
my ($cron, $next) = split /\|/, query(
    "SELECT to_char((now() - interval '6 hours') AT TIME ZONE 'UTC', 'FMMI FMHH24') || ' * * *', "
      . "date_trunc('minute', now() - interval '6 hours') + interval '1 day'");
note "schedule '$cron' (UTC), next firing $next";

# A negative check, so a bounded wait: the worker places a due run as soon as it has worked out
# the schedule, so a run that was going to start shows up in the catalog within `seconds`.
sub no_new_backups
{
    my ($after, $seconds) = @_;
    my $deadline = Time::HiRes::time() + $seconds;
    while (Time::HiRes::time() < $deadline)
    {
        return 0 if query("SELECT count(*) FROM lokbackup_backups WHERE id > $after") ne '0';
        Time::HiRes::usleep(100_000);
    }
    return query("SELECT count(*) FROM lokbackup_backups WHERE id > $after") eq '0';
}

# --- a reload counts from the reload ---
reload_settings($node, 'lokbackup.schedule' => $cron);
ok( poll_until($node, "SELECT lokbackup_next_run() = '$next'", 't'),
    "after the reload the next run is in 18 hours ($next)");
ok(no_new_backups($history_end, 3),
    'no catch-up for the firings before the reload, though the last scheduled run was 3 days ago');

# --- the worker comes up with runs missed: one catch-up run ---
$node->restart;
ok( poll_until(
        $node, "SELECT count(*) > 0 FROM lokbackup_backups WHERE id > $history_end", 't', 60),
    'after a restart the worker starts a catch-up run at once');
ok( poll_until(
        $node,
        "SELECT count(*) FROM lokbackup_backups WHERE id > $history_end "
          . "AND status IN ('pending', 'in_progress')",
        '0'),
    'it finishes');
my $catch_up = backup_rows($node, "id > $history_end");
is( join(
        ',', map { ($_->{database} // '(roles)') . " $_->{status} $_->{requested_by}" } @$catch_up),
    '(roles) completed lokbackup schedule,postgres completed lokbackup schedule',
    'a scheduled run of the roles and postgres, completed');
my $catch_up_end = $catch_up->[-1]{id};
ok( poll_until($node, "SELECT lokbackup_next_run() = '$next'", 't'),
    'then the next run is the regular one, in 18 hours');
ok(no_new_backups($catch_up_end, 3), 'one catch-up run, not one per missed firing');

# --- the worker comes up with nothing missed: no catch-up ---
$node->restart;
ok( poll_until($node, "SELECT lokbackup_next_run() = '$next'", 't'),
    'after another restart the next run is still the regular one');
ok(no_new_backups($catch_up_end, 3), 'and no run starts: nothing was missed');

$node->stop;
done_testing();
