# Nothing that a client sends ends `lokbackup serve`: bytes that are not UTF-8 in every part of a
# request, bodies that are not JSON or have no length, odd and huge headers, requests cut short;
# then thousands of generated requests over every route, after which serve still runs and still
# answers.
use strict;
use warnings FATAL => 'all';

use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;
use Time::HiRes ();

my $node = create_node('hostile');
my $password = 'admin-secret-4711';
$node->safe_psql('postgres',
    "CREATE ROLE admin LOGIN PASSWORD '$password' IN ROLE lokbackup_admin");
ServeTest::prepend_hba($node, 'local all admin scram-sha-256');

my $serve = ServeTest->start($node);
my $host = "127.0.0.1:$serve->{port}";
# Logged in before the storm, and never used by it: it shows that serve still answers a session.
my $watcher = $serve->client;
is($watcher->login('admin', $password)->{status}, 200, 'the watching client logs in');
my $admin = $serve->client;
is($admin->login('admin', $password)->{status}, 200, 'the admin logs in');
my $session = "lokbackup_session=$admin->{cookie}";

sub request
{
    my ($head, $body) = @_;
    $body //= '';
    return $serve->raw_request("$head\r\nHost: $host\r\nConnection: close\r\n"
          . (length $body ? 'Content-Length: ' . length($body) . "\r\n" : '')
          . "\r\n$body");
}

sub json_of
{
    my ($response) = @_;
    return eval { JSON::PP::decode_json($response->{body} // '') } // {};
}

# --- bytes that are not UTF-8 ---
my $r = request("GET /\xff HTTP/1.1");
is($r->{status}, 404, 'GET /\xff (a raw byte that is not UTF-8): 404');
like(json_of($r)->{error}, qr{no such route: GET /}, '... as a JSON error');
ok($serve->running, '... and serve still runs');
$r = request('GET /%FF HTTP/1.1');
is($r->{status}, 404, 'GET /%FF: 404');
like(json_of($r)->{error}, qr{no such route: GET /\x{fffd}}, '... the byte shown as U+FFFD');
ok($serve->running, '... and serve still runs');
$r = $serve->raw_request("GET /login HTTP/1.1\r\nHost: \xff\xfe:1\r\nConnection: close\r\n\r\n");
is($r->{status}, 421, 'a Host header that is not UTF-8: 421');
ok(json_of($r)->{error}, '... as a JSON error');
$r = request("GET /api/admin/backups?type=\xff&status=%C3%28 HTTP/1.1\r\nCookie: $session");
is($r->{status}, 400, 'query parameters that are not UTF-8: 400');
$r = request("GET /api/auth/session HTTP/1.1\r\nCookie: lokbackup_session=\xff%FF\xfe");
is($r->{status}, 401, 'a cookie that is not UTF-8: 401');
$r = request("GET /api/auth/session HTTP/1.1\r\nX-\xff: \xfe\r\nUser-Agent: \xc3\x28");
ok($r->{status}, 'headers that are not UTF-8: answered');
$r = request("POST /api/auth/login HTTP/1.1\r\nContent-Type: application/json",
    qq({"username": "\xff\xfe", "password": "x"}));
is($r->{status}, 400, 'a JSON body that is not UTF-8: 400');
$r = request("POST /api/auth/login HTTP/1.1\r\nContent-Type: application/json",
    '{"username": "\udcff", "password": "x"}');
ok(defined $r->{status} && $r->{status} >= 400 && $r->{status} < 500,
    'a lone surrogate escape in a JSON body: a 4xx answer');
$r = request("POST /api/auth/login HTTP/1.1\r\nContent-Type: application/json", '[' x 60000);
is($r->{status}, 400, 'a body of 60000 nested arrays: 400');
$r = request("POST /api/auth/login HTTP/1.1\r\nContent-Type: application/json",
    ('[' x 30000) . (']' x 30000));
is($r->{status}, 400, 'a valid body of 30000 nested arrays: 400');
request('GET /x%0Alokbackup%20serve:%20forged%0D%1B[2J HTTP/1.1');
unlike($serve->log_text, qr/^lokbackup serve: forged|\e/m,
    'a path with line breaks and escape sequences forges no log line');
ok($serve->running, 'serve still runs after every one of them');

# --- bodies ---
$r = request("POST /api/auth/logout HTTP/1.1\r\nCookie: $session");
is($r->{status}, 400, 'a POST without Content-Length (curl -X POST): 400');
like(json_of($r)->{error}, qr/no Content-Length/, '... saying what is missing');
like(json_of($r)->{hint}, qr/Content-Length: 0/, '... and what to send');
$r = request("POST /api/admin/backups HTTP/1.1\r\nCookie: $session\r\nContent-Type: text/plain\r\n"
      . "X-CSRF-Token: $admin->{csrf}",
    '{}');
is($r->{status}, 415, 'a text/plain body to a route that changes something: 415');
like(json_of($r)->{error}, qr{text/plain}, '... naming the type sent');
like(json_of($r)->{hint}, qr{application/json}, '... and the one allowed');
$r = request("POST /api/auth/logout HTTP/1.1\r\nCookie: $session\r\n"
      . "Content-Type: application/x-www-form-urlencoded\r\nX-CSRF-Token: $admin->{csrf}",
    'a=b');
is($r->{status}, 415, 'a form body to logout: 415');
is($watcher->call(GET => '/api/auth/session')->{status}, 200, 'the refused logout logged nobody out');
$r = request("POST /api/auth/login HTTP/1.1\r\nContent-Type: application/jsonp",
    qq({"username": "admin", "password": "x"}));
is($r->{status}, 415, 'Content-Type application/jsonp: 415');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_backups'),
    '0', 'no refused request started a backup');

# --- odd headers and requests cut short ---
$r = request("GET /login HTTP/1.1\r\nX-Long: " . ('a' x 20000));
ok($r->{status} && $r->{status} >= 400, 'a header line of 20000 bytes: refused');
$r = request("GET /login HTTP/1.1\r\n" . join('', map { "X-$_: $_\r\n" } 1 .. 300) . 'X-End: 1');
ok($r->{status}, 'a request with 300 headers: answered');
$r = request("GET /login HTTP/1.1\r\nRange: bytes=99999999999999999999999-");
ok($r->{status}, 'a Range beyond 64 bits: answered');
$r = $serve->raw_request("POST /api/auth/login HTTP/1.1\r\nHost: $host\r\nContent-Length: 100\r\n"
      . "Content-Type: application/json\r\n\r\n{\"user", answer => 0);
ok($serve->running, 'a body cut short: serve still runs');
$r = $serve->raw_request("POST /api/auth/login HTTP/1.1\r\nHost: $host\r\n"
      . "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n\xff\r\n");
ok($r->{status} && $r->{status} >= 400, 'a chunked body with a bad chunk size: refused');

# --- a refused body on a kept-alive connection ---
# A form-encoded login (415), then a request for the login page on the same connection, as a
# browser reuses one: the refused body must be read as the body it is, never as the start of the
# next request (whose line, with the password in it, went to the log).
{
    my $socket = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $serve->{port})
      or die "cannot connect to serve: $!";
    binmode $socket;
    my $select = IO::Select->new($socket);
    # Reads one whole response (its Content-Length), or what came before the deadline.
    my $read_response = sub {
        my $answer = '';
        my $deadline = Time::HiRes::time() + $LokbackupTest::default_timeout;
        while ((my $left = $deadline - Time::HiRes::time()) > 0)
        {
            last unless $select->can_read($left);
            last unless sysread($socket, $answer, 65536, length $answer);
            my $response = ServeTest::parse_response($answer);
            return $response if $response->{complete};
        }
        return ServeTest::parse_response($answer);
    };
    my $form = "username=admin&password=$password";
    syswrite($socket, "POST /api/auth/login HTTP/1.1\r\nHost: $host\r\n"
          . "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
          . length($form) . "\r\n\r\n");
    # An answer that must not come: serve waits for the body it was announced. A second is long
    # enough for serve to answer a request whose headers it has, as it did.
    ok(!$select->can_read(1), 'serve does not answer before the body has come');
    syswrite($socket, $form);
    is($read_response->()->{status}, 415, 'a form login on a kept-alive connection: 415');
    syswrite($socket, "GET /login HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n\r\n");
    is($read_response->()->{status}, 200, 'the next request on that connection: 200');
    close $socket;
    unlike($serve->log_text, qr/\Q$password\E/, "the refused body's password is not in the log");
}

# --- slow clients ---
# Each connection holds one of serve's threads until its request has come, however slowly it
# comes: 24 clients that send a byte at a time must not keep serve from answering others.
my @slow = map {
    IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $serve->{port})
      or die "cannot connect to serve: $!"
} 1 .. 24;
# The pause between two bytes is what makes these clients slow: it paces them, nothing waits on
# it (the check below waits for serve's answer, with its own timeout).
my $seconds_between_bytes = 0.5;
my $trickler = fork // die "cannot fork: $!";
if ($trickler == 0)
{
    while (1)
    {
        syswrite($_, 'G') for @slow;
        Time::HiRes::sleep($seconds_between_bytes);
    }
}
my $session_check = HTTP::Tiny->new(timeout => 30)->get("$serve->{base}/api/auth/session",
    { headers => { Cookie => "lokbackup_session=$watcher->{cookie}" } });
kill 'KILL', $trickler;
waitpid($trickler, 0);
close $_ for @slow;
is($session_check->{status}, 200, 'serve answers while 24 clients send their requests slowly');

# --- thousands of generated requests over every route ---
my @routes = (
    '/', '/login', '/assets/app.js', '/assets/login.js', '/assets/style.css', '/api/auth/login',
    '/api/auth/logout', '/api/auth/session', '/api/admin/backups', '/api/admin/backups/1',
    '/api/admin/backups/1/download', '/api/admin/backups/1/restore', '/api/admin/restores',
    '/api/admin/restores/1', '/api/admin/backups/99999999999999999999999/download');
my @methods = ('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'get', "G\xffT", 'BREW', '');
my @types = ('application/json', 'application/json; charset=utf-8', 'text/plain',
    'application/x-www-form-urlencoded', "application/\xff", 'multipart/form-data; boundary=x', '');

sub pick { return $_[ int rand @_ ] }

sub random_bytes
{
    my ($length) = @_;
    return join '', map { chr int rand 256 } 1 .. $length;
}

sub random_text
{
    return pick(
        random_bytes(int rand 20),
        join('', map { sprintf '%%%02X', int rand 256 } 1 .. 1 + int rand 6),
        "\xc3\x28", "\xed\xa0\x80", "\xf4\x90\x80\x80", 'x' x (1 + int rand 3000), '..', '%',
        '%zz', "\x00", '9' x 25, 'admin');
}

sub random_body
{
    return pick(
        '', '{}', random_bytes(int rand 200),
        JSON::PP->new->encode({ username => 'admin', password => random_text() }),
        JSON::PP->new->encode({ password => $password, target => random_text(), confirmTarget => 1 }),
        qq({"username": "@{[random_text()]}", "password": "@{[random_text()]}"}),
        '[' x (1 + int rand 5000), '{"a":' x (1 + int rand 500), '"' . random_bytes(50) . '"',
        '{"username": ' . (9 x 400) . '}');
}

sub random_request
{
    my $path = pick(@routes);
    $path .= pick('', '/' . random_text(), random_text(), '?' . random_text() . '=' . random_text(),
        '?page=' . random_text() . '&limit=' . random_text() . '&type=' . random_text());
    my $request = pick(@methods) . ' ' . $path . ' ' . pick('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', random_text()) . "\r\n";
    $request .= 'Host: ' . (rand() < 0.85 ? $host : random_text()) . "\r\n" if rand() < 0.95;
    $request .= 'Cookie: ' . pick($session, "lokbackup_session=" . random_text(), random_text()) . "\r\n"
      if rand() < 0.6;
    $request .= "X-CSRF-Token: " . pick($admin->{csrf}, random_text()) . "\r\n" if rand() < 0.5;
    $request .= 'Origin: ' . pick("http://$host", random_text()) . "\r\n" if rand() < 0.2;
    $request .= 'Sec-Fetch-Site: ' . pick('same-origin', 'cross-site', random_text()) . "\r\n" if rand() < 0.1;
    $request .= 'Range: bytes=' . random_text() . "\r\n" if rand() < 0.1;
    $request .= "X-Lokbackup-Poll: 1\r\n" if rand() < 0.1;
    $request .= 'Expect: ' . pick('100-continue', random_text()) . "\r\n" if rand() < 0.05;
    $request .= random_text() . ': ' . random_text() . "\r\n" for 1 .. int rand 4;
    my $type = pick(@types);
    $request .= "Content-Type: $type\r\n" if length $type;
    my $body = random_body();
    my $length = pick(length $body, length $body, length $body, 0, length($body) + 10, -1,
        '18446744073709551617', random_text(), undef);
    $request .= "Content-Length: $length\r\n" if defined $length;
    my $chunked = rand() < 0.05;
    $request .= "Transfer-Encoding: chunked\r\n" if $chunked;
    $request .= "Connection: close\r\n\r\n$body";
    # Some requests are cut short, anywhere.
    my $cut = rand() < 0.15;
    $request = substr($request, 0, int rand length $request) if $cut;
    # Whether serve has all of the request: the test waits for the answer only then, for serve
    # would wait for the rest.
    my $whole = !$cut && !$chunked && (!defined $length || $length eq length $body);
    return ($request, $whole);
}

my $seed = $ENV{LOKBACKUP_FUZZ_SEED} // time;
srand($seed);
note("fuzz seed $seed (LOKBACKUP_FUZZ_SEED repeats it)");
my @recent;
my $sent = 0;
my $answered = 0;
my $unanswered = 0;
for (1 .. 3000)
{
    my ($request, $whole) = random_request();
    push @recent, $request;
    shift @recent if @recent > 10;
    my $response = eval { $serve->raw_request($request, answer => $whole, timeout => 2) };
    last unless $response;
    $sent++;
    $answered++ if $response->{status};
    $unanswered++ if $whole && !$response->{status};
}
note("$unanswered whole requests were not answered within 2 seconds");
is($sent, 3000, 'serve took every one of 3000 generated requests');
ok($serve->running, 'serve still runs after them')
  or diag('the last requests sent: ' . join("\n---\n", map { JSON::PP->new->ascii->encode([$_]) } @recent));
cmp_ok($answered, '>', 500, 'serve answered the whole ones');
$r = $watcher->call(GET => '/api/auth/session');
is($r->{status}, 200, 'serve still answers GET /api/auth/session');
is($r->{json}{user}, 'admin', '... for the session opened before');
unlike($serve->log_text, qr/\Q$password\E/, 'no password appears in the log');

is($serve->stop, 0, 'serve stops on SIGTERM, exit code 0');

done_testing();
