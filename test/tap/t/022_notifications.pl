# Notices of finished backups reach a real SMTP server and a real webhook: a failed backup sends
# exactly one mail and one JSON POST that name the database, the backup and the error; a completed
# one sends nothing unless lokbackup.notify_on = always. A mail server that refuses connections or
# never answers neither delays nor fails a backup: the failed delivery lands in the server log.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $smtp = start_smtp_sink(user => 'mailer', password => 'pass word');
my $hook = start_webhook_sink();
my $hook_url = 'http://127.0.0.1:' . $hook->port . '/services/T000/B000/secret';
my %mail_settings = (
    'lokbackup.notify_email' => 'ops@example.com, DBA Team <dba@example.org>',
    'lokbackup.smtp_url' => 'smtp://127.0.0.1:' . $smtp->port,
    'lokbackup.smtp_user' => 'mailer',
    'lokbackup.smtp_password' => 'pass word',
    'lokbackup.smtp_from' => 'lokbackup <backup@example.com>',
    # The sink offers no STARTTLS: the password goes in clear only because this says so.
    'lokbackup.smtp_starttls' => 'never');
my $node = create_node(
    'notify',
    settings => {
        'lokbackup.databases' => 'app',
        'lokbackup.notify_webhook' => $hook_url,
        %mail_settings });
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE TABLE held (id int); INSERT INTO held VALUES (1)');

# The backup of app fails at once and always the same way (reject_connections); the roles dump
# connects elsewhere and completes.
sub reject_app
{
    my ($reject) = @_;
    ok(reject_connections($node, 'app', $reject),
        $reject ? 'pg_hba.conf now rejects connections to app' : 'pg_hba.conf accepts app again');
    return;
}

# Runs a backup and waits for it; returns the run's rows: the roles first, then app.
sub run_and_rows
{
    return run_backups($node, run_backup_allow_failures($node));
}

my $iso_utc = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

# --- a failed backup: one mail, one webhook POST ---
reject_app(1);
my ($roles, $app) = @{ run_and_rows() };
is($roles->{status}, 'completed', 'the roles backup completes');
is($app->{status}, 'failed', 'the backup of app fails');
like($app->{error}, qr/pg_hba\.conf rejects connection/, 'because pg_hba.conf rejects pg_dump');

my $mails = $smtp->wait_for(1);
my $posts = $hook->wait_for(1);
is(scalar @$mails, 1, 'the failure is mailed');
is(scalar @$posts, 1, 'the failure is POSTed to the webhook');
if (my $mail = $mails->[0])
{
    note "the mail:\n$mail->{content}\nits body:\n$mail->{body}";
    is_deeply(
        [ sort @{ $mail->{rcpt_tos} } ],
        [ 'dba@example.org', 'ops@example.com' ],
        'the mail goes to both recipients');
    is($mail->{mail_from}, 'backup@example.com', 'from lokbackup.smtp_from');
    is($mail->{login}, 'mailer', 'after logging in as lokbackup.smtp_user');
    is( $mail->{subject},
        qq{[lokbackup] backup $app->{id} of "app" failed},
        'the subject names the backup, the database and what happened');
    like($mail->{body}, qr/^database:\s+app\r?$/m, 'the body names the database');
    like($mail->{body}, qr/^backup id:\s+$app->{id}\r?$/m, 'the body names the backup id');
    like($mail->{body}, qr/^status:\s+failed\r?$/m, 'the body says it failed');
    ok(index($mail->{body}, $app->{error}) >= 0, 'the body carries the error the catalog has');
    unlike($mail->{content}, qr/pass word/, 'the mail does not contain the SMTP password');
}
if (my $post = $posts->[0])
{
    note "the POST: $post->{body}";
    is($post->{path}, '/services/T000/B000/secret', 'the POST goes to the webhook URL');
    is($post->{content_type}, 'application/json', 'as JSON');
    my $json = $post->{json} // {};
    like(
        $json->{text} // '',
        qr/backup $app->{id} of "app" failed/,
        'its Slack-style text names the backup, the database and the outcome');
    is($json->{database}, 'app', 'database');
    is($json->{contents}, 'database', 'contents');
    is($json->{backup_id}, $app->{id}, 'backup_id');
    is($json->{type}, 'manual', 'type');
    is($json->{status}, 'failed', 'status');
    is($json->{error}, $app->{error}, 'error: the error the catalog has');
    is($json->{size}, 0, 'size 0: nothing was stored');
    is($json->{raw_size}, 0, 'raw_size 0');
    ok(defined $json->{duration_seconds} && $json->{duration_seconds} >= 0,
        'duration_seconds is a number of seconds');
    like($json->{started_at} // '', $iso_utc, 'started_at is ISO 8601 UTC');
    is( $json->{started_at},
        $node->safe_psql(
            'postgres',
            "SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
              . "FROM lokbackup_backups WHERE id = $app->{id}"),
        'started_at: when the catalog says the backup started');
    like($json->{finished_at} // '', $iso_utc, 'finished_at is ISO 8601 UTC');
    is($json->{server}, 'notify', 'server: the cluster_name');
}

# --- a completed backup sends nothing by default ---
reject_app(0);
my @completed = @{ run_and_rows() };
is(join(',', map { $_->{status} } @completed), 'completed,completed', 'the next run completes');

# A negative check, so a bounded wait: the notifier is a child the worker starts and does not
# wait for, so nothing marks "no notice is coming". 5 s is ample for one that would be on its
# way (the first one above arrived well within it). The same window shows that the failure was
# notified exactly once.
my $quiet_until = Time::HiRes::time() + 5;
Time::HiRes::usleep(100_000) while Time::HiRes::time() < $quiet_until;
is($smtp->count, 1, 'no mail for completed backups (notify_on = failure), and one for the failure');
is($hook->count, 1, 'no POST for completed backups, and one for the failure');

# --- notify_on = always: one notice per completed backup ---
reload_settings($node, 'lokbackup.notify_on' => 'always');
my @always = @{ run_and_rows() };
is(join(',', map { $_->{status} } @always), 'completed,completed', 'a run completes');
$mails = $smtp->wait_for(3);
$posts = $hook->wait_for(3);
is(scalar @$mails, 3, 'with notify_on = always each completed backup is mailed');
is(scalar @$posts, 3, 'and POSTed');
my %post_of = map { ($_->{json}{backup_id} // 0) => $_->{json} } @$posts[ 1 .. $#$posts ];
my %subject_of = map { ($_->{subject} =~ /backup (\d+)/)[0] // 0 => $_->{subject} } @$mails;

for my $row (@always)
{
    my $what = $row->{database} ? qq{"$row->{database}"} : 'the roles';
    is( $subject_of{ $row->{id} },
        "[lokbackup] backup $row->{id} of $what completed",
        "the mail about backup $row->{id} says it completed");
    my $json = $post_of{ $row->{id} };
    ok($json, "backup $row->{id} was POSTed") or next;
    is($json->{status}, 'completed', "backup $row->{id}: status completed");
    is($json->{error}, undef, "backup $row->{id}: error null");
    is($json->{database}, $row->{database}, "backup $row->{id}: database");
    is($json->{contents}, $row->{database} ? 'database' : 'roles', "backup $row->{id}: contents");
    is($json->{size}, $row->{size}, "backup $row->{id}: size as in the catalog");
    is($json->{raw_size}, $row->{raw_size}, "backup $row->{id}: raw_size as in the catalog");
    is($json->{sha256}, $row->{sha256},
        "backup $row->{id}: sha256 as in the catalog (what restore --sha256 pins)");
    like(
        $json->{text},
        qr/backup $row->{id} of \Q$what\E completed/,
        "backup $row->{id}: the text says it completed");
}

# --- the default, smtp_starttls = optional, never sends the password without TLS ---
reload_settings($node, 'lokbackup.smtp_starttls' => 'optional');
my $clear_offset = log_offset($node);
my $mails_before = $smtp->count;
my @unsent = @{ run_and_rows() };
for my $row (@unsent)
{
    like(
        wait_for_log_line($node, qr/notice of backup $row->{id} not delivered/, $clear_offset)
          // '',
        qr/STARTTLS not supported.*lokbackup sends the mail password only over TLS.*smtp_starttls = never/,
        "backup $row->{id}: the log says the mail server offers no STARTTLS and what to do");
}
ok($smtp->stays_at($mails_before, 1), 'the mail server received no mail (and no password)');
reload_settings($node, 'lokbackup.smtp_starttls' => 'never');

# --- a mail server that never answers delays nothing ---
my ($silent, $silent_port) = start_silent_server();
reload_settings($node, 'lokbackup.smtp_url' => "smtp://127.0.0.1:$silent_port");
my $silent_offset = log_offset($node);
my $started = Time::HiRes::time();
my @hung = @{ run_and_rows() };
my $took = Time::HiRes::time() - $started;
is(join(',', map { $_->{status} } @hung),
    'completed,completed', 'with a mail server that never answers, the run still completes');

# Had the worker waited for its notifiers, each would have given up on the silent server (libcurl's
# connect timeout, 10 s, covers the greeting) and logged so before the run returned.
my $hung_ids = join('|', map { $_->{id} } @hung);
ok( !defined wait_for_log_line($node, qr/notice of backup ($hung_ids) not delivered/,
        $silent_offset, 0),
    sprintf('the run ended (in %.1f s) while its notices were still waiting for the mail server',
        $took));
my @next = @{ run_and_rows() };
is(join(',', map { $_->{status} } @next),
    'completed,completed', 'the worker takes the next run at once');

# --- a mail server that refuses connections: logged, the backup fails as it would ---
my $refusing = closed_port();
reload_settings(
    $node,
    'lokbackup.smtp_url' => "smtp://127.0.0.1:$refusing",
    'lokbackup.notify_on' => 'failure');
reject_app(1);
my $refused_offset = log_offset($node);
my $posts_before = $hook->count;
my (undef, $unmailed) = @{ run_and_rows() };
is($unmailed->{status}, 'failed', 'with an unreachable mail server the failing backup fails');
like(
    $unmailed->{error},
    qr/pg_hba\.conf rejects connection/,
    'with its own error, not a notification error');
ok( defined wait_for_log_line(
        $node,
        qr{notice of backup $unmailed->{id} not delivered: .*smtp://127\.0\.0\.1:$refusing\b},
        $refused_offset),
    'the server log says the notice was not delivered, naming the mail server');
$posts = $hook->wait_for($posts_before + 1);
is(scalar(grep { ($_->{json}{backup_id} // 0) == $unmailed->{id} } @$posts),
    1, 'the webhook still gets the notice the mail server did not');

# --- a webhook that answers 500: logged ---
my $failing_hook = start_webhook_sink(status => 500);
reload_settings(
    $node,
    'lokbackup.notify_webhook' => 'http://127.0.0.1:'
      . $failing_hook->port
      . '/services/T111/B111/hooksecret',
    'lokbackup.notify_email' => '');
my $hook_offset = log_offset($node);
my (undef, $unhooked) = @{ run_and_rows() };
is($unhooked->{status}, 'failed', 'the failing backup fails again');
my $line = wait_for_log_line($node,
    qr/lokbackup: notice of backup $unhooked->{id} not delivered/, $hook_offset);
like($line // '', qr/HTTP status 500/, 'a webhook answering 500 is logged as not delivered');
unlike($line // '', qr/hooksecret/,
    'the log line does not show the secret path of the webhook URL');
is($failing_hook->wait_for(1)->[0]{json}{backup_id},
    $unhooked->{id}, 'after the webhook received the notice');

# --- the notices held by the silent mail server end up in the log ---
for my $row (@hung)
{
    ok( defined wait_for_log_line(
            $node,
            qr{notice of backup $row->{id} not delivered: .*smtp://127\.0\.0\.1:$silent_port\b},
            $silent_offset, 90),
        "the notice of backup $row->{id} that the silent mail server held is logged as not "
          . 'delivered once its delivery timed out');
}
close $silent;
ok(!$node->log_contains('pass word'), 'the SMTP password appears nowhere in the server log');

# --- backups that fail because the worker stops are notified too ---
reject_app(0);
reload_settings(
    $node,
    'lokbackup.notify_webhook' => $hook_url,
    'lokbackup.notify_email' => '',
    'lokbackup.notify_on' => 'failure');

# Waits (bounded) for the webhook to receive the notice of backup `id`; returns its JSON or undef.
sub notice_of
{
    my ($id, $timeout) = @_;
    my $deadline = Time::HiRes::time() + $timeout;
    while (Time::HiRes::time() < $deadline)
    {
        my ($post) = grep { ($_->{json}{backup_id} // 0) == $id } @{ $hook->messages };
        return $post->{json} if $post;
        Time::HiRes::usleep(100_000);
    }
    return undef;
}

# pg_terminate_backend() of the worker in the middle of a backup: the stopping worker fails it.
my ($lock, $held) = start_held_backup($node, 'app', 'held');
my $worker = worker_pid($node);
$node->safe_psql('postgres', "SELECT pg_terminate_backend($worker)");
ok(wait_for_status($node, $held->{id}, 'failed'), 'the backup of a terminated worker fails');
release_lock($lock);
my $notice = notice_of($held->{id}, 20);
ok($notice, "the failure of backup $held->{id} (worker terminated) is notified");
is($notice->{error}, backup_row($node, $held->{id})->{error}, 'with the error the catalog has')
  if $notice;

# A crash in the middle of a backup: the next worker fails it ("interrupted by server restart"), or
# the dying worker records pg_dump's lost connection first (stop_failure_pattern).
($lock, $held) = start_held_backup($node, 'app', 'held');
$node->stop('immediate');
eval { $lock->quit };
$node->start;
ok(wait_for_status($node, $held->{id}, 'failed'), 'a backup a crash interrupted is failed');
like(
    backup_row($node, $held->{id})->{error},
    stop_failure_pattern('immediate'),
    'its error says why');
$notice = notice_of($held->{id}, 20);
ok($notice, "the failure of backup $held->{id} (interrupted by a crash) is notified");
is($notice->{error}, backup_row($node, $held->{id})->{error}, 'with the error the catalog has')
  if $notice;

$node->stop;
done_testing();
