# Helpers of the lokbackup scheduling TAP tests (t/02x_*.pl): local mail and webhook sinks that
# record what the notifier delivers, a port where nothing answers, waiting for server log lines,
# and fabricated catalog history (rows and stored objects of backups "taken" days or months ago).
#
# The sinks are the unit tests' (test/unit/smtp_sink.py, Debian python3-aiosmtpd, and
# test/unit/webhook_sink.py): each listens on a free port of 127.0.0.1 and writes every message
# it accepts to <directory>/<n>.json. They are stopped when the test file ends.
package NotificationSinks;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Cwd ();
use File::Basename ();
use File::Path ();
use IO::Socket::INET;
use IPC::Run ();
use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

our @EXPORT = qw(
  start_smtp_sink start_webhook_sink start_silent_server closed_port
  wait_for_log_line log_offset
  fabricate_backup fabricate_stored_objects stored_object_files
  seconds_until
);

my $unit_dir =
  Cwd::abs_path(File::Basename::dirname(Cwd::abs_path(__FILE__)) . '/../unit');

my @running;    # sinks to stop at the end

# Starts `script` with `arguments`; returns the sink once it has printed its port.
sub start_sink
{
    my ($kind, $script, @arguments) = @_;
    my $directory = PostgreSQL::Test::Utils::tempdir("${kind}_sink");
    my ($stdout, $stderr) = ('', '');
    my $harness = IPC::Run::start([ 'python3', "$unit_dir/$script", $directory, @arguments ],
        '<', \undef, '>', \$stdout, '2>', \$stderr);
    my $deadline = Time::HiRes::time() + $LokbackupTest::default_timeout;
    while ($stdout !~ /^(\d+)\n/)
    {
        die "$script ended before it listened: $stderr" unless $harness->pumpable;
        die "$script did not print its port in time: $stderr" if Time::HiRes::time() > $deadline;
        $harness->pump_nb;
        Time::HiRes::usleep(20_000);
    }
    my ($port) = $stdout =~ /^(\d+)\n/;
    my $sink = bless {
        kind => $kind,
        port => 0 + $port,
        directory => $directory,
        harness => $harness,
        stderr => \$stderr },
      'NotificationSinks::Sink';
    push @running, $sink;
    note "$kind sink listens on 127.0.0.1:$port, writes to $directory";
    return $sink;
}

# An SMTP server that accepts AUTH of `user` with `password` (and mail without AUTH).
sub start_smtp_sink
{
    my (%options) = @_;
    return start_sink(
        'smtp', 'smtp_sink.py',
        $options{user} // 'lokbackup',
        $options{password} // 'secret');
}

# An HTTP server that answers every POST with `status` (200 unless given).
sub start_webhook_sink
{
    my (%options) = @_;
    return start_sink('webhook', 'webhook_sink.py', $options{status} // 200);
}

# A TCP port that accepts connections (the kernel completes the handshake) but never answers: a
# mail server that hangs. Returns the listening socket (keep it) and its port.
sub start_silent_server
{
    my $socket = IO::Socket::INET->new(
        LocalAddr => '127.0.0.1',
        LocalPort => 0,
        Proto => 'tcp',
        Listen => 16) or die "cannot listen: $!";
    return ($socket, $socket->sockport);
}

# A port of 127.0.0.1 where nothing listens (connections are refused).
sub closed_port
{
    my $socket = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
      or die "cannot bind: $!";
    my $port = $socket->sockport;
    close $socket;
    return $port;
}

# The current end of the node's server log: pass it to wait_for_log_line to look only at what
# is written from now on.
sub log_offset
{
    my ($node) = @_;
    return -s $node->logfile // 0;
}

# Polls the server log from `offset` until a line matches `regexp`, for at most `timeout`
# seconds. Returns the matching line, or undef.
sub wait_for_log_line
{
    my ($node, $regexp, $offset, $timeout) = @_;
    $timeout //= $LokbackupTest::default_timeout;
    my $deadline = Time::HiRes::time() + $timeout;
    for (;;)
    {
        my $log = PostgreSQL::Test::Utils::slurp_file($node->logfile, $offset // 0);
        for my $line (split /\n/, $log)
        {
            return $line if $line =~ $regexp;
        }
        return undef if Time::HiRes::time() > $deadline;
        Time::HiRes::usleep(100_000);
    }
}

# Seconds (fractional) from the server's now() until the timestamptz `sql` evaluates to.
sub seconds_until
{
    my ($node, $sql) = @_;
    return $node->safe_psql(catalog_database($node),
        "SELECT extract(epoch FROM ($sql) - clock_timestamp())");
}

# Inserts a backup row as a superuser would, as if the worker had taken it. Options:
#   database (undef: the roles), type, status ('completed'), finished => SQL timestamptz
#   expression (the backup finished then; requested and started a minute before), requested_by
#   ('lokbackup schedule' unless manual), pinned, error, object => 1 (give it an object key in
#   the layout the worker uses), compression ('zstd').
# Returns the row (as backup_row returns it).
sub fabricate_backup
{
    my ($node, %o) = @_;
    my $type = $o{type} // 'daily';
    my $status = $o{status} // 'completed';
    my $finished = $o{finished} // 'now()';
    my $requested_by = $o{requested_by}
      // ($type eq 'manual' ? 'lokbackup-test' : 'lokbackup schedule');
    my $database = defined $o{database} ? sql_literal($o{database}) : 'NULL';
    my $completed = $status eq 'completed';
    my $finished_at = $status =~ /^(pending|in_progress)$/ ? 'NULL' : "($finished)";
    my $id = $node->safe_psql(catalog_database($node), <<"SQL");
INSERT INTO lokbackup_backups
    (run_id, type, status, contents, database, format, compression, compression_level, size,
     raw_size, sha256, requested_by, requested_at, started_at, finished_at, error, pinned,
     storage)
VALUES
    (nextval('lokbackup_run_seq'), '$type', '$status',
     CASE WHEN $database IS NULL THEN 'roles' ELSE 'database' END, $database, 'plain',
     '@{[ $o{compression} // 'zstd' ]}', 0,
     @{[ $completed ? '1000, 5000, repeat(\'ab\', 32)' : 'NULL, NULL, NULL' ]},
     '$requested_by', ($finished) - interval '1 minute', ($finished) - interval '1 minute',
     $finished_at, @{[ defined $o{error} ? sql_literal($o{error}) : 'NULL' ]},
     @{[ $o{pinned} ? 'true' : 'false' ]}, @{[ sql_literal(storage_dir($node)) ]})
RETURNING id
SQL

    if ($o{object})
    {
        my $extension =
          { zstd => '.sql.zst', gzip => '.sql.gz', none => '.sql' }->{ $o{compression} // 'zstd' };

        # <database>/<YYYY>/<MM>/<database>-<type>-<YYYYMMDDTHHMMSSZ>-<id>.sql.zst, ~roles for
        # the roles (object_key.hpp); the names here are plain, so nothing is percent-encoded.
        $node->safe_psql(catalog_database($node), <<"SQL");
UPDATE lokbackup_backups SET object_key =
    coalesce(database, '~roles') || to_char(requested_at AT TIME ZONE 'UTC', '/YYYY/MM/')
    || coalesce(database, 'roles') || '-' || type || '-'
    || to_char(requested_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"') || '-' || id
    || '$extension'
WHERE id = $id
SQL
    }
    return backup_row($node, $id);
}

# Writes small files for a fabricated backup: its object and, beside it, its manifest; with
# partial => 1 also what an interrupted writer leaves (<key>.partial). Returns their paths.
sub fabricate_stored_objects
{
    my ($node, $row, %options) = @_;
    my @paths = stored_object_files($node, $row, %options);
    for my $path (@paths)
    {
        File::Path::make_path(File::Basename::dirname($path));
        open my $fh, '>:raw', $path or die "cannot create $path: $!";
        print $fh $path =~ /\.manifest\.json$/
          ? JSON::PP::encode_json({ backup_id => 0 + $row->{id}, fabricated => JSON::PP::true })
          : "fabricated backup $row->{id}\n"
          or die "cannot write $path: $!";
        close $fh or die "cannot close $path: $!";
    }
    return @paths;
}

# The paths of a backup's object and manifest (and .partial with partial => 1) in local storage.
sub stored_object_files
{
    my ($node, $row, %options) = @_;
    my $object = storage_dir($node) . "/$row->{object_key}";
    my @paths = ($object, "$object.manifest.json");
    push @paths, "$object.partial" if $options{partial};
    return @paths;
}

END
{
    # Stopping a sink waits for it, which sets $?: keep the test's exit status.
    local $?;
    $_->stop for @running;
}

package NotificationSinks::Sink;

use strict;
use warnings FATAL => 'all';

use JSON::PP ();
use Time::HiRes ();

sub port { return $_[0]{port} }

# What the sink received, in order of arrival: the records the sink script wrote (for the
# webhook with `json`, the body decoded).
sub messages
{
    my ($self) = @_;
    opendir my $dh, $self->{directory} or die "cannot read $self->{directory}: $!";
    my @numbers = sort { $a <=> $b } map { /^(\d+)\.json$/ ? $1 : () } readdir $dh;
    closedir $dh;
    my @records;
    for my $n (@numbers)
    {
        my $record =
          JSON::PP::decode_json(PostgreSQL::Test::Utils::slurp_file("$self->{directory}/$n.json"));
        $record->{json} = eval { JSON::PP::decode_json($record->{body}) }
          if $self->{kind} eq 'webhook';
        push @records, $record;
    }
    return \@records;
}

sub count
{
    my ($self) = @_;
    return scalar @{ $self->messages };
}

# Polls until the sink has received at least `count` messages, for at most `timeout` seconds.
# Returns the messages.
sub wait_for
{
    my ($self, $count, $timeout) = @_;
    $timeout //= $LokbackupTest::default_timeout;
    my $deadline = Time::HiRes::time() + $timeout;
    while ($self->count < $count && Time::HiRes::time() < $deadline)
    {
        Time::HiRes::usleep(100_000);
    }
    return $self->messages;
}

# A bounded negative check: watches the sink for `seconds` and returns true when it still has
# no more than `count` messages then. Only for asserting that nothing (more) arrives: the
# notifier is a child the worker does not wait for, so there is no event to wait for instead.
sub stays_at
{
    my ($self, $count, $seconds) = @_;
    my $deadline = Time::HiRes::time() + $seconds;
    while (Time::HiRes::time() < $deadline)
    {
        return 0 if $self->count > $count;
        Time::HiRes::usleep(100_000);
    }
    return $self->count <= $count;
}

sub stop
{
    my ($self) = @_;
    return unless $self->{harness};
    eval { $self->{harness}->kill_kill; };
    delete $self->{harness};
    return;
}

1;
