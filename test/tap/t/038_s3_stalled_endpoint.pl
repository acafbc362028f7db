# An S3 endpoint that accepts connections and never answers: the backups end as failed within
# lokbackup.s3_stall_timeout and the retry limits (an attempt that moves no byte is abandoned, and
# once a request gave up the backup sends nothing more), their errors name the endpoint and
# lokbackup.s3_endpoint, no row stays in_progress, and lokbackup_running shows the wait while it
# lasts: since when the backup waits for storage, why, and what storage acknowledged before. A
# storage new to the catalog is listed before its first backups: that listing stalls too, and
# fails the run as quickly.
#
# Two such endpoints, both real sockets on loopback: one that listens and never accepts (the kernel
# completes the connections; nothing ever answers), and stalling_proxy.py in front of the real S3
# server, which passes the first ~6 MB of requests (the first 5 MB part is stored and
# acknowledged) and then stops reading and answering, in the middle of the second part.
use strict;
use warnings FATAL => 'all';

use File::Basename ();
use IPC::Run ();
use LokbackupTest;
use NotificationSinks qw(start_silent_server);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;
use Time::HiRes ();

my $s3 = S3TestServer->start('stall');
my $bucket = 'lokbackup-stall';
$s3->create_bucket($bucket);
my $part_size = 5 * 1024 * 1024;

# Without the stall timeout libcurl waited 60 s per attempt, and every clean-up request waited its
# own retries; a backup here must fail well within this.
my $bound = 45;

my ($silent, $silent_port) = start_silent_server();
my $silent_endpoint = "http://127.0.0.1:$silent_port";

my $node = create_node(
    's3_stall',
    settings => {
        $s3->settings($bucket),
        'lokbackup.s3_endpoint' => $silent_endpoint,
        'lokbackup.databases' => 'big',
        'lokbackup.compression' => 'none',
        'lokbackup.s3_part_size' => '5MB',
        'lokbackup.s3_stall_timeout' => '2s',
        'lokbackup.s3_max_attempts' => '3',
        'lokbackup.s3_retry_deadline' => '10s', });
$node->safe_psql('postgres', 'CREATE DATABASE big');
$node->safe_psql('big', <<'SQL');
CREATE TABLE filler (id int, a text, b text);
INSERT INTO filler SELECT i, md5(i::text), md5((-i)::text) FROM generate_series(1, 260000) i;
SQL

# --- the setting is validated ---
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'ALTER SYSTEM SET lokbackup.s3_stall_timeout = 0');
isnt($ret, 0, 'lokbackup.s3_stall_timeout 0 is refused');
like(
    $stderr,
    qr/0 s is outside the valid range for parameter "lokbackup.s3_stall_timeout" \(1 \.\. 3600\)/,
    'the refusal names the setting and its range');

# lokbackup_running as a hash (undef while no backup runs).
sub running
{
    my $rows = LokbackupTest::decode_rows(
        $node->safe_psql('postgres', 'SELECT row_to_json(r) FROM lokbackup_running r'));
    return $rows->[0];
}

# Runs lokbackup_run(wait => true) in a session of its own; waits until lokbackup_running shows a
# backup that waits for storage with an error that says the endpoint stalled, and returns that row
# (undef when none did). Then checks that the run's backups of `failing` (database names, '' for
# the roles) fail within the bound with such an error, that the others completed or failed so,
# that none is left in_progress, and that the run ends.
sub run_against_stalled_endpoint
{
    my ($endpoint, $what, @failing) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $last_id = $node->safe_psql('postgres', 'SELECT coalesce(max(id), 0) FROM lokbackup_backups');
    my $started = Time::HiRes::time();
    my ($run_out, $run_err) = ('', '');
    my $run = IPC::Run::start(
        [ 'psql', '-XAtq', '-d', $node->connstr('postgres'),
          '-c', 'SELECT lokbackup_run(wait => true)' ],
        '<', \undef, '>', \$run_out, '2>', \$run_err,
        IPC::Run::timeout($LokbackupTest::default_timeout));
    my $unfinished = sub {
        $node->safe_psql('postgres',
            "SELECT count(*) FROM lokbackup_backups WHERE id > $last_id"
              . " AND status IN ('pending', 'in_progress')");
    };
    ok( wait_until(
            sub {
                $node->safe_psql('postgres',
                    "SELECT count(*) FROM lokbackup_backups WHERE id > $last_id") > 0;
            }),
        "$what: the run's backups were created");
    my $seen = wait_until(
        sub {
            my $row = running();
            return $row
              if $row
              && defined $row->{waiting_for_storage_since}
              && ($row->{storage_problem} // '') =~ /stalled/;
            return undef;
        },
        sub { $unfinished->() == 0 });
    ok(wait_until(sub { $unfinished->() == 0 }), "$what: no backup is left pending or in_progress");
    my $elapsed = Time::HiRes::time() - $started;
    cmp_ok($elapsed, '<', $bound, "$what: the run's backups ended within $bound s");
    note sprintf('%s: the backups ended after %.1f s', $what, $elapsed);
    my $stalled = qr/the S3 endpoint \Q$endpoint\E stalled \(.*lokbackup\.s3_stall_timeout is 2 s\): check lokbackup\.s3_endpoint/;
    for my $row (@{ backup_rows($node, "id > $last_id") })
    {
        my $subject = $row->{database} // '';
        if (grep { $_ eq $subject } @failing)
        {
            is($row->{status}, 'failed', "$what: backup $row->{id} failed");
        }
        next if $row->{status} eq 'completed';
        like($row->{error}, $stalled,
            "$what: the error of backup $row->{id} names the endpoint, the stall and the setting");
        unlike($row->{error}, qr/\Q${\ $s3->secret }\E/, "$what: the error holds no secret");
    }
    # The run ends too: the worker removes what the failed backups left (with the endpoint still
    # stalled, it cannot, and says so) once their rows are recorded.
    $run->finish;
    like($run_err, qr/failed/, "$what: lokbackup_run(wait => true) reports the failure");
    return $seen;
}

# --- an endpoint that never answers at all ---
# The storage is new to the catalog, so the run first lists it for the backup ids in use; that
# listing is what stalls. The backups fail with its error, and since no child ran, nothing is
# queued for removal (each removal would wait on the same silent endpoint).
{
    my $shown = run_against_stalled_endpoint($silent_endpoint, 'silent endpoint', 'big', '');
    ok(!$shown, 'silent endpoint: no backup ever showed as running: none was started');
    my $failed = backup_rows($node, "status = 'failed'");
    like($failed->[0]{error}, qr/cannot list s3:\/\/$bucket at \Q$silent_endpoint\E to find the backup ids/,
        'silent endpoint: the error says the listing of the storage failed');
    is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_removals'),
        '0', 'silent endpoint: no removal is queued for backups that wrote nothing');
}

# --- an endpoint that takes the first part, then stalls in the middle of the second ---
{
    my ($port_line, $proxy_stderr) = ('', '');
    my $script = File::Basename::dirname(__FILE__) . '/../stalling_proxy.py';
    my $proxy = IPC::Run::start([ 'python3', $script, $s3->port, $part_size + 1024 * 1024 ],
        '<', \undef, '>', \$port_line, '2>', \$proxy_stderr);
    ok(wait_until(sub { $proxy->pump_nb; $port_line =~ /^\d+\n/ }),
        'the stalling proxy listens');
    my ($proxy_port) = $port_line =~ /^(\d+)/;
    my $proxy_endpoint = "http://127.0.0.1:$proxy_port";
    reload_settings($node, 'lokbackup.s3_endpoint' => $proxy_endpoint);

    my $shown = run_against_stalled_endpoint($proxy_endpoint, 'stalling endpoint', 'big');
    ok($shown, 'stalling endpoint: lokbackup_running showed the backup waiting for storage');
    is($shown->{database}, 'big', 'stalling endpoint: the waiting backup is the one of big');
    cmp_ok($shown->{uploaded_bytes}, '>=', $part_size,
        'stalling endpoint: it shows the part that storage acknowledged before the stall');
    cmp_ok($shown->{stored_bytes}, '>', $shown->{uploaded_bytes},
        'stalling endpoint: and more bytes handed to storage than it acknowledged');
    like(
        $shown->{storage_problem},
        qr/upload part 2 of s3:\/\/$bucket\/.*the S3 endpoint \Q$proxy_endpoint\E stalled/,
        'stalling endpoint: and that the upload of part 2 stalled');
    $proxy->kill_kill;
}

$node->stop;
$s3->stop;
done_testing();
