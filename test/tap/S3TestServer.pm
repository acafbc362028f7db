# A real S3 server for the TAP tests: OpenStack Swift with its s3api middleware, all in one, on
# loopback, started as the unprivileged test user in a scratch directory. Swift checks SigV4
# signatures (headers and presigned URLs, with their expiry) and implements multipart upload
# completely (initiate, upload part, complete, abort, list uploads), like AWS S3.
#
#   my $s3 = S3TestServer->start('name');   # or start('name', secret => 'distinctive')
#   $s3->create_bucket('backups');
#   create_node('x', settings => { $s3->settings('backups', 'prefix') });
#   $s3->keys('backups', 'prefix/')       # what is in the bucket, listed by an independent client
#   $s3->stop_proxy; ...; $s3->start_proxy;   # the S3 endpoint goes away and comes back
#
# Every look into the bucket goes through Debian's `aws` command (awscli), an independent client.
# Credentials: access key test:tester, secret testing (or the one given to start); region
# us-east-1; path-style addressing.
#
# Needs, once, as root: the Debian packages swift swift-proxy swift-account swift-container
# swift-object memcached awscli, and /etc/swift/swift.conf (Swift reads it from that fixed path);
# test/install-deps sets up both. `available` says what is missing.
#
# A second, lighter S3 server for what Swift cannot show: @20minutes/s3rver (npm, installed into
# test/tap/s3rver by test/install-deps, run by node), which checks SigV4 signatures but
# implements neither the listing nor the abort of multipart uploads:
#   my $s3 = S3TestServer->start_s3rver('name');   # access key S3RVER, secret S3RVER
#
# The layout of one server: memcached (tempauth keeps its tokens there), an account, a container
# and an object server, each one process (workers = 0) with a one-device ring, and the proxy with
# the s3api and tempauth middlewares in its pipeline. Every server logs to a file in the test's
# log directory (tmp_check/log/<test>_swift_<name>_<server>.log). Whatever a test file started is
# stopped when the file ends, however it ends.
package S3TestServer;

use strict;
use warnings FATAL => 'all';

use Carp qw(croak);
use File::Basename ();
use File::Path ();
use HTTP::Tiny ();
use IO::Socket::INET ();
use IPC::Run ();
use JSON::PP ();
use LokbackupTest qw(write_bytes);
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

our $access_key = 'test:tester';
our $default_secret_key = 'testing';
our $region = 'us-east-1';

# Longest a start, a stop or one aws command may take before it counts as a failure.
our $timeout = 60;

# Where test/install-deps installs s3rver, beside its start script.
my $s3rver_dir = File::Basename::dirname(__FILE__) . '/s3rver';

my @servers;    # every server this test file started, stopped at the end

# Empty when Swift and awscli are installed; otherwise why the S3 tests cannot run.
sub available
{
    my @missing = grep { !-x "/usr/bin/$_" }
      qw(swift-proxy-server swift-account-server swift-container-server swift-object-server
      swift-ring-builder memcached aws);
    return 'not installed: ' . join(', ', @missing) . ' (run test/install-deps as root)'
      if @missing;
    return '/etc/swift/swift.conf is missing (run test/install-deps as root)'
      unless -r '/etc/swift/swift.conf';
    return '';
}

# Empty when node and s3rver are installed; otherwise why s3rver cannot run.
sub s3rver_available
{
    return 'node is not installed (run test/install-deps as root)' unless -x '/usr/bin/node';
    return "s3rver is not installed in $s3rver_dir (run test/install-deps as root)"
      unless -f "$s3rver_dir/node_modules/\@20minutes/s3rver/package.json";
    return available();    # aws, to look into its buckets
}

# Starts an s3rver named `name` and returns once it listens.
sub start_s3rver
{
    my ($class, $name) = @_;
    my $why = s3rver_available();
    croak "cannot start s3rver: $why" if $why;
    my $self = bless {
        kind => 's3rver',
        name => $name,
        access_key => 'S3RVER',
        secret => 'S3RVER',
        dir => PostgreSQL::Test::Utils::tempdir("s3rver_$name"),
        pids => {},
        port => PostgreSQL::Test::Cluster::get_free_port(), }, $class;
    push @servers, $self;
    File::Path::make_path("$self->{dir}/data");
    $self->write_aws_configuration;
    $self->spawn('s3rver', '/usr/bin/node', "$s3rver_dir/start.js", $self->{port},
        "$self->{dir}/data");
    $self->wait_for_port('s3rver', $self->{port});
    note "s3rver $name: S3 endpoint " . $self->endpoint . ", scratch directory $self->{dir}";
    return $self;
}

# Starts a Swift named `name` (for log files) and returns once it answers S3 requests. Options:
#   secret => '...'                 the secret key of test:tester (default: testing)
#   users => { 'acct:user' => key } more access keys and their secrets (admins of their account)
sub start
{
    my ($class, $name, %options) = @_;
    $name //= 's3';
    my $why = available();
    croak "cannot start Swift: $why" if $why;

    my $self = bless {
        kind => 'swift',
        name => $name,
        access_key => $access_key,
        secret => $options{secret} // $default_secret_key,
        users => $options{users} // {},
        dir => PostgreSQL::Test::Utils::tempdir("swift_$name"),
        pids => {},
        port => PostgreSQL::Test::Cluster::get_free_port(),
        memcached_port => PostgreSQL::Test::Cluster::get_free_port(),
        backend_ports =>
          { map { $_ => PostgreSQL::Test::Cluster::get_free_port() } qw(account container object) },
    }, $class;
    push @servers, $self;
    $self->write_configuration;

    $self->spawn('memcached', '/usr/bin/memcached', '-l', '127.0.0.1', '-p',
        $self->{memcached_port},
        '-U', '0', '-m', '64');
    for my $kind (qw(account container object))
    {
        $self->spawn($kind, "/usr/bin/swift-$kind-server", "$self->{dir}/etc/$kind-server.conf",
            '-v');
    }

    # All start at once (each takes a second or two of Python imports); then wait for each.
    $self->spawn_proxy;
    $self->wait_for_port($_, $self->{backend_ports}{$_}) for qw(account container object);
    $self->wait_for_port('memcached', $self->{memcached_port});
    $self->wait_for_proxy;
    note "Swift $name: S3 endpoint " . $self->endpoint . ", scratch directory $self->{dir}";
    return $self;
}

sub endpoint
{
    my ($self) = @_;
    return "http://127.0.0.1:$self->{port}";
}

sub port { return $_[0]->{port} }

# The keys of the server's (first) user: test:tester and its secret for Swift.
sub access_key { return $_[0]->{access_key} }
sub secret { return $_[0]->{secret} }

# The postgresql.conf settings that point lokbackup at `bucket` (below `prefix`, if given) here.
sub settings
{
    my ($self, $bucket, $prefix) = @_;
    return (
        'lokbackup.storage' => "s3://$bucket"
          . (defined $prefix && $prefix ne '' ? "/$prefix" : ''),
        'lokbackup.s3_endpoint' => $self->endpoint,
        'lokbackup.s3_region' => $region,
        'lokbackup.s3_path_style' => 'on',
        'lokbackup.s3_access_key_id' => $self->{access_key},
        'lokbackup.s3_secret_access_key' => $self->{secret});
}

# The environment of a client that talks to this server: the keys as the AWS tools take them.
sub client_env
{
    my ($self) = @_;
    return (
        AWS_ACCESS_KEY_ID => $self->{access_key},
        AWS_SECRET_ACCESS_KEY => $self->{secret},
        AWS_DEFAULT_REGION => $region,
        AWS_REGION => $region,
        AWS_CONFIG_FILE => "$self->{dir}/aws-config",
        AWS_SHARED_CREDENTIALS_FILE => "$self->{dir}/aws-credentials",
        AWS_EC2_METADATA_DISABLED => 'true',
        AWS_PAGER => '');
}

# Runs `aws --endpoint-url ENDPOINT @arguments`; returns { exit, stdout, stderr }.
#   env => { NAME => value } for more environment, timeout => seconds
sub aws
{
    my ($self, $arguments, %options) = @_;
    my ($stdout, $stderr) = ('', '');
    local %ENV = (%ENV, $self->client_env, %{ $options{env} // {} });
    my @command = ('/usr/bin/aws', '--endpoint-url', $self->endpoint, @$arguments);
    my $harness = IPC::Run::start(\@command, '<', \undef, '>', \$stdout, '2>', \$stderr,
        IPC::Run::timeout($options{timeout} // $timeout));
    my $exit = eval { $harness->finish; $harness->result(0) };
    if (!defined $exit)
    {
        $harness->kill_kill;
        $exit = -1;
        $stderr .= "\n(aws did not finish in time: $@)";
    }
    return { exit => $exit, stdout => $stdout, stderr => $stderr };
}

# Like aws, but dies unless the command succeeds; returns its stdout.
sub aws_ok
{
    my ($self, @arguments) = @_;
    my $result = $self->aws(\@arguments);
    croak "aws @arguments failed (exit $result->{exit}): $result->{stderr}"
      unless $result->{exit} == 0;
    return $result->{stdout};
}

# `aws s3api ... --output json`, decoded (undef for an empty answer).
sub aws_json
{
    my ($self, @arguments) = @_;
    my $out = $self->aws_ok('s3api', @arguments, '--output', 'json');
    return $out =~ /\S/ ? JSON::PP::decode_json($out) : undef;
}

# Creates `bucket` (3 to 63 lower-case letters, digits, dots and hyphens). Swift creates its
# account on the first request: an attempt that meets a server still warming up (refused
# connection, 5xx) is repeated until the deadline; any other failure is final.
sub create_bucket
{
    my ($self, $bucket) = @_;
    my $deadline = Time::HiRes::time() + $timeout;
    for (;;)
    {
        my $result = $self->aws([ 's3', 'mb', "s3://$bucket" ]);
        return if $result->{exit} == 0;
        croak "aws s3 mb s3://$bucket failed: $result->{stderr}"
          if Time::HiRes::time() > $deadline
          || $result->{stderr} !~ /Could not connect|ServiceUnavailable|InternalError|\b50\d\b/;
        Time::HiRes::usleep(200_000);
    }
}

# Every key in `bucket` that starts with `prefix`, sorted (objects only, complete ones).
sub keys
{
    my ($self, $bucket, $prefix) = @_;
    my @arguments = ('list-objects-v2', '--bucket', $bucket);
    push @arguments, '--prefix', $prefix if defined $prefix && $prefix ne '';
    my $listing = $self->aws_json(@arguments);
    return [ sort map { $_->{Key} } @{ $listing->{Contents} // [] } ];
}

# Key => size of every object in `bucket` below `prefix`.
sub sizes
{
    my ($self, $bucket, $prefix) = @_;
    my @arguments = ('list-objects-v2', '--bucket', $bucket);
    push @arguments, '--prefix', $prefix if defined $prefix && $prefix ne '';
    my $listing = $self->aws_json(@arguments);
    return { map { $_->{Key} => $_->{Size} } @{ $listing->{Contents} // [] } };
}

# The multipart uploads that are open (initiated, neither completed nor aborted) in `bucket`, as
# "key uploadid" strings, sorted.
sub open_uploads
{
    my ($self, $bucket) = @_;
    my $listing = $self->aws_json('list-multipart-uploads', '--bucket', $bucket);
    return [ sort map { "$_->{Key} $_->{UploadId}" } @{ $listing->{Uploads} // [] } ];
}

# Downloads s3://bucket/key into `path` with `aws s3 cp`.
sub download
{
    my ($self, $bucket, $key, $path) = @_;
    $self->aws_ok('s3', 'cp', '--only-show-errors', "s3://$bucket/$key", $path);
    return $path;
}

# The bytes of s3://bucket/key.
sub object_bytes
{
    my ($self, $bucket, $key) = @_;
    my $path = PostgreSQL::Test::Utils::tempdir('object') . '/object';
    $self->download($bucket, $key, $path);
    open my $fh, '<:raw', $path or die "cannot open $path: $!";
    local $/;
    my $bytes = <$fh>;
    close $fh;
    return $bytes;
}

# The proxy, the S3 endpoint: stop_proxy kills it (SIGKILL, like a crashed or unreachable
# server: connections are refused), start_proxy starts it on the same port and returns once it
# answers. The storage servers behind it keep running and keep what was stored.
sub stop_proxy
{
    my ($self) = @_;
    croak 'only Swift has a proxy to stop' unless $self->{kind} eq 'swift';
    $self->kill_server('proxy', 'KILL');
    return;
}

sub start_proxy
{
    my ($self) = @_;
    $self->spawn_proxy;
    $self->wait_for_proxy;
    return;
}

sub spawn_proxy
{
    my ($self) = @_;
    $self->spawn('proxy', '/usr/bin/swift-proxy-server', "$self->{dir}/etc/proxy-server.conf",
        '-v');
    return;
}

sub wait_for_proxy
{
    my ($self) = @_;
    my $http = HTTP::Tiny->new(timeout => 5);
    my $deadline = Time::HiRes::time() + $timeout;
    for (;;)
    {
        my $response = $http->get($self->endpoint . '/healthcheck');
        last if $response->{success};
        croak "Swift proxy of $self->{name} did not start: see " . $self->logfile('proxy')
          if Time::HiRes::time() > $deadline || !$self->running('proxy');
        Time::HiRes::usleep(50_000);
    }
    return;
}

# True while the server `what` (proxy, account, container, object, memcached) runs.
sub running
{
    my ($self, $what) = @_;
    my $pid = $self->{pids}{$what} // return 0;
    return waitpid($pid, POSIX::WNOHANG()) == 0;
}

# Stops every server of this Swift.
sub stop
{
    my ($self) = @_;
    $self->kill_server($_, 'TERM') for sort CORE::keys %{ $self->{pids} };
    return;
}

sub logfile
{
    my ($self, $what) = @_;
    my $test = $0;
    $test =~ s{.*/}{};
    $test =~ s/\.pl$//;
    return "$PostgreSQL::Test::Utils::log_path/${test}_swift_$self->{name}_$what.log";
}

sub spawn
{
    my ($self, $what, @command) = @_;
    croak "$what of Swift $self->{name} already runs" if $self->running($what);
    my $log = $self->logfile($what);
    my $pid = fork // croak "fork: $!";
    if ($pid == 0)
    {
        # The child: its own process group, so that a signal to the test does not reach it twice.
        POSIX::setpgid(0, 0);
        open STDIN, '<', '/dev/null' or POSIX::_exit(126);
        open STDOUT, '>>', $log or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(126);
        exec @command or POSIX::_exit(127);
    }
    $self->{pids}{$what} = $pid;
    return $pid;
}

sub kill_server
{
    my ($self, $what, $signal) = @_;
    my $pid = delete $self->{pids}{$what} // return;
    kill $signal, $pid;
    my $deadline = Time::HiRes::time() + 10;
    while (waitpid($pid, POSIX::WNOHANG()) == 0)
    {
        if (Time::HiRes::time() > $deadline)
        {
            kill 'KILL', $pid;
            waitpid($pid, 0);
            last;
        }
        Time::HiRes::usleep(20_000);
    }
    return;
}

sub wait_for_port
{
    my ($self, $what, $port) = @_;
    my $deadline = Time::HiRes::time() + $timeout;
    until (IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp'))
    {
        croak "$what of Swift $self->{name} did not start: see " . $self->logfile($what)
          if Time::HiRes::time() > $deadline || !$self->running($what);
        Time::HiRes::usleep(50_000);
    }
    return;
}

sub write_configuration
{
    my ($self) = @_;
    my $dir = $self->{dir};
    my $user = getpwuid($>);
    File::Path::make_path("$dir/etc", "$dir/node/d1", "$dir/cache");

    # The servers drop privileges to `user` (default swift) at start: name ourselves.
    my $common = join("\n",
        'bind_ip = 127.0.0.1',
        'workers = 0', "user = $user",
        "swift_dir = $dir/etc",
        "recon_cache_path = $dir/cache",
        'log_level = INFO', '');
    make_rings("$dir/etc", map { $self->{backend_ports}{$_} } qw(account container object));
    for my $kind (qw(account container object))
    {
        my $port = $self->{backend_ports}{$kind};
        write_bytes("$dir/etc/$kind-server.conf", <<CONF);
[DEFAULT]
${common}bind_port = $port
devices = $dir/node
mount_check = false
disable_fallocate = true

[pipeline:main]
pipeline = $kind-server

[app:$kind-server]
use = egg:swift#$kind
CONF
    }

    # tempauth: access key account:user is configured as user_<account>_<user> = <secret> .admin.
    my %users = ($access_key => $self->{secret}, %{ $self->{users} });
    my $tempauth_users = join('',
        map { my ($account, $user) = split /:/; "user_${account}_$user = $users{$_} .admin\n" }
        sort CORE::keys %users);

    # tempauth keeps its tokens in memcached (the `cache` filter): without it every request fails.
    write_bytes("$dir/etc/proxy-server.conf", <<CONF);
[DEFAULT]
${common}bind_port = $self->{port}

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo versioned_writes proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
location = $region

[filter:tempauth]
use = egg:swift#tempauth
$tempauth_users
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$self->{memcached_port}

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
CONF

    $self->write_aws_configuration;
    return;
}

# The aws command: path-style addressing, no profile of the user's own.
sub write_aws_configuration
{
    my ($self) = @_;
    write_bytes("$self->{dir}/aws-config",
        "[default]\nregion = $region\ns3 =\n    addressing_style = path\n");
    write_bytes("$self->{dir}/aws-credentials", '');
    return;
}

# One ring each for the account, container and object servers: one device, on `ports`. Built in
# one Python process with Swift's RingBuilder: swift-ring-builder takes seconds per ring.
sub make_rings
{
    my ($directory, @ports) = @_;
    my $program = <<'PYTHON';
import sys
from swift.common.ring import RingBuilder
directory = sys.argv[1]
for kind, port in zip(('account', 'container', 'object'), sys.argv[2:5]):
    builder = RingBuilder(6, 1, 1)
    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port),
                     'device': 'd1', 'weight': 1})
    builder.rebalance()
    builder.get_ring().save('%s/%s.ring.gz' % (directory, kind))
PYTHON
    my ($out, $err) = ('', '');
    IPC::Run::run([ '/usr/bin/python3', '-c', $program, $directory, @ports ],
        '<', \undef, '>', \$out, '2>', \$err)
      or croak "building the Swift rings failed: $out$err";
    return;
}

# Stops what this test file started, however it ends (a die in the middle included). Only in the
# process that started the servers: a forked child of the test does not own them.
my $owner = $$;

# A test killed by a signal (prove's timeout, Ctrl-C) ends through die, so that this END runs.
for my $signal (qw(INT TERM HUP))
{
    $SIG{$signal} //= sub { die "killed by SIG$signal\n" };
}

END
{
    if ($$ == $owner)
    {
        local $?;
        $_->stop for @servers;
    }
}

1;
