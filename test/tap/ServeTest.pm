# `lokbackup serve` for the TAP tests: started against a node on a free loopback port, stopped when
# the test file ends; and a small HTTP client that keeps the session cookie and the CSRF token as
# the dashboard's page does.
#
#   ServeTest::prepend_hba($node, 'local all admin scram-sha-256');
#   my $serve = ServeTest->start($node, '--session-timeout', 60);
#   my $web = $serve->client;
#   $web->login('admin', 'secret');                  # dies unless the login succeeds
#   my $r = $web->call(GET => '/api/admin/backups');  # { status, json, headers, body }
#   $web->call(POST => '/api/admin/backups', {}, csrf => 0, headers => { Origin => ... });
package ServeTest;

use strict;
use warnings FATAL => 'all';

use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use IPC::Run ();
use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my @started;

# Puts `lines` at the top of the node's pg_hba.conf (the first matching line wins) and reloads;
# the test's own superuser keeps its trust line below them.
sub prepend_hba
{
    my ($node, @lines) = @_;
    my $file = $node->data_dir . '/pg_hba.conf';
    my $hba = PostgreSQL::Test::Utils::slurp_file($file);
    open my $fh, '>', $file or die "cannot write $file: $!";
    print $fh map({ "$_\n" } @lines), $hba;
    close $fh;
    $node->reload;
    return;
}

sub start
{
    my ($class, $node, @options) = @_;
    my $port = PostgreSQL::Test::Cluster::get_free_port();
    my $self = bless {
        port => $port,
        base => "http://127.0.0.1:$port",
        log => "$PostgreSQL::Test::Utils::log_path/serve_$port.log",
      },
      $class;
    local %ENV = node_env($node);
    $self->{harness} = IPC::Run::start(
        [ 'lokbackup', 'serve', '--http-port', $port, @options ],
        '<', \undef, '>>', $self->{log}, '2>>', $self->{log});
    push @started, $self;

    my $answers = wait_until(
        sub { HTTP::Tiny->new(timeout => 5)->get("$self->{base}/login")->{status} == 200 },
        sub { !$self->{harness}->pumpable });
    die "lokbackup serve did not answer on port $port; see $self->{log}" unless $answers;
    return $self;
}

sub log_text
{
    my ($self) = @_;
    return PostgreSQL::Test::Utils::slurp_file($self->{log});
}

sub stop
{
    my ($self) = @_;
    return unless $self->{harness};
    $self->{harness}->signal('TERM');
    eval { $self->{harness}->finish; };
    my $exit = $self->{harness}->result(0);
    delete $self->{harness};
    return $exit;
}

END
{
    $_->stop for @started;
}

# One request written by hand, byte for byte, for what HTTP::Tiny will not send (a Host header of
# its own, bytes that are not UTF-8, a request cut short). Reads the answer until it is complete
# or serve closes the connection, for at most `timeout` seconds (serve keeps a connection open
# after a request it could not parse); `answer => 0` closes the connection at once, for a request
# that serve would wait to see the rest of. (Closing only the sending side is no shortcut: httplib
# then drops its answer.) Returns { status, headers, body }, headers with lower-case names; status
# is undef when serve answered nothing.
sub raw_request
{
    my ($self, $request, %options) = @_;
    my $socket = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port})
      or die "cannot connect to serve: $!";
    binmode $socket;
    print $socket $request;
    my $answer = '';
    my $response;
    if ($options{answer} // 1)
    {
        my $select = IO::Select->new($socket);
        my $deadline = Time::HiRes::time() + ($options{timeout} // $LokbackupTest::default_timeout);
        while ((my $left = $deadline - Time::HiRes::time()) > 0)
        {
            last unless $select->can_read($left);
            last unless sysread($socket, $answer, 65536, length $answer);
            $response = parse_response($answer);
            # An answer to HEAD has a Content-Length but no body.
            last if $response->{complete} || (defined $response->{body} && $request =~ /\AHEAD /);
        }
    }
    close $socket;
    $response = parse_response($answer);
    delete $response->{complete};
    return $response;
}

# { status, headers, body, complete }: complete once the body has its Content-Length.
sub parse_response
{
    my ($answer) = @_;
    # A 100 Continue before the answer is not the answer.
    $answer =~ s{\AHTTP/1\.\d 100 [^\r]*\r\n\r\n}{};
    my ($head, $body) = split /\r\n\r\n/, $answer, 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d+)};
    my %headers = map { /^([^:]+):\s*(.*)$/ ? (lc $1 => $2) : () } split /\r\n/, $head // '';
    my $complete = defined $body && defined $headers{'content-length'}
      && length($body) >= $headers{'content-length'};
    return { status => $status, headers => \%headers, body => $body, complete => $complete };
}

# The process id of serve.
sub pid
{
    my ($self) = @_;
    return $self->{harness}{KIDS}[0]{PID};
}

# Whether the serve process still runs.
sub running
{
    my ($self) = @_;
    return $self->{harness} && $self->{harness}->pumpable;
}

sub client
{
    my ($self) = @_;
    return ServeTest::Client->new($self->{base});
}

package ServeTest::Client;

use strict;
use warnings FATAL => 'all';

my @answers;    # every response body that any client received

sub answers
{
    return @answers;
}

sub new
{
    my ($class, $base) = @_;
    return bless {
        base => $base,
        http => HTTP::Tiny->new(timeout => $LokbackupTest::default_timeout, max_redirect => 0),
        cookie => undef,
        csrf => undef,
      },
      $class;
}

# Sends a request; a hash or array body goes as JSON. Options: headers => {}, csrf => 0 (leave
# the X-CSRF-Token out), raw => 'text' (a body as is). The response's body is decoded as JSON
# when it is JSON.
sub call
{
    my ($self, $method, $path, $body, %options) = @_;
    my %headers = %{ $options{headers} // {} };
    $headers{Cookie} //= "lokbackup_session=$self->{cookie}" if defined $self->{cookie};
    $headers{'X-CSRF-Token'} //= $self->{csrf}
      if defined $self->{csrf} && ($options{csrf} // 1);
    my %request = (headers => \%headers);
    if (defined $options{raw})
    {
        $request{content} = $options{raw};
    }
    elsif (defined $body)
    {
        $request{content} = JSON::PP::encode_json($body);
        $headers{'Content-Type'} //= 'application/json';
    }
    my $response = $self->{http}->request($method, $self->{base} . $path, \%request);
    push @answers, $response->{content};
    my $json;
    $json = eval { JSON::PP::decode_json($response->{content}) }
      if ($response->{headers}{'content-type'} // '') =~ m{^application/json};
    # Files and backup objects are not worth a note.
    Test::More::note("$method $path -> $response->{status} $response->{content}")
      unless $path =~ m{^/assets/} || ($path =~ m{/object$} && $response->{status} == 200);
    return {
        status => $response->{status},
        json => $json,
        headers => $response->{headers},
        body => $response->{content} };
}

# Logs in; returns the response. The session cookie and CSRF token are kept when it succeeds.
sub login
{
    my ($self, $user, $password, %options) = @_;
    my $response = $self->call(POST => '/api/auth/login',
        { username => $user, password => $password }, %options);
    if ($response->{status} == 200)
    {
        my ($cookie) = ($response->{headers}{'set-cookie'} // '') =~ /lokbackup_session=(\w+)/;
        $self->{cookie} = $cookie;
        $self->{csrf} = $response->{json}{csrfToken};
    }
    return $response;
}

# Polls GET `path` until `done` (a sub of the response) is true; returns the last response.
sub poll
{
    my ($self, $path, $done) = @_;
    my $response;
    LokbackupTest::wait_until(sub { $response = $self->call(GET => $path); $done->($response) });
    return $response;
}

1;
