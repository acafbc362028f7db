# The habits people have from pg_dump and psql: -V and -? (--version, --help), -d for the target
# database, -W asking for the password on the terminal, the exit statuses the README lists
# (0 done, 1 failed, 2 wrong usage, 3 damaged: t/002), and list's --database and --json.
use strict;
use warnings FATAL => 'all';

use IPC::Run;
use JSON::PP;
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

my $node = create_node('cli');
populate_app_database($node, $_) for qw(app shop);
my $ids = run_backup($node);
my $app = backup_of($node, $ids, 'app');

my $version = run_lokbackup($node, ['-V']);
is($version->{exit}, 0, '-V exits 0');
like($version->{stdout}, qr/^lokbackup \d+\.\d+\.\d+\n\z/, '-V prints the version');
my $overview = run_lokbackup($node, ['-?']);
is($overview->{exit}, 0, '-? exits 0');
like($overview->{stdout}, qr/Exit status: 0 done, 1 failed, 2 wrong usage, 3 the backup is damaged/,
    '-? lists the commands and the exit statuses');
like(run_lokbackup($node, [ 'list', '-?' ])->{stdout}, qr/^lokbackup list: /,
    'COMMAND -? describes the command');
my $usage = run_lokbackup($node, [ 'list', '--limit', 'many' ]);
is($usage->{exit}, 2, 'a wrong command line exits 2');
like($usage->{stderr}, qr/--limit/, 'and names the option');

# Errors in the program's words, not SQL's.
my $bad_type = run_lokbackup($node, [ 'list', '--type', 'hourly' ]);
is($bad_type->{exit}, 2, 'list --type with an unknown type exits 2');
like($bad_type->{stderr}, qr/invalid type "hourly": use [a-z, ]*daily[a-z, ]*, or leave the option out/,
    'and says what is allowed');
unlike($bad_type->{stderr}, qr/NULL/, 'in the words of the program, not of SQL');
my $wrong_catalog = run_lokbackup($node, [ 'list', '--catalog-dbname', 'app' ]);
is($wrong_catalog->{exit}, 1, 'list with a --catalog-dbname without the catalog exits 1');
like($wrong_catalog->{stderr},
    qr/not installed in database "app": name the database that has it \(lokbackup.database\) with --catalog-dbname/,
    'and says which option names the catalog');

my $restored =
  run_lokbackup($node, [ 'restore', 'latest', '--database', 'app', '-d', 'app_copy', '--create' ]);
is($restored->{exit}, 0, 'restore takes -d for the target') or diag($restored->{stderr});
like($restored->{stdout}, qr/into database "app_copy"/, 'and restores into it');

my $summary = run_lokbackup($node,
    [ 'restore', 'latest', '--database', 'shop', '-d', 'shop_copy', '--create', '--json' ]);
is($summary->{exit}, 0, 'restore --json exits 0') or diag($summary->{stderr});
my $restore_json = eval { decode_json($summary->{stdout}) } // {};
my $shop = backup_of($node, $ids, 'shop');
is_deeply(
    [ @$restore_json{qw(backup_id database target sha256 bytes_read)} ],
    [ $shop->{id}, 'shop', 'shop_copy', $shop->{sha256}, $shop->{size} ],
    'its summary is one JSON object: the backup, the target, the checksum, the bytes read');
like($restore_json->{seconds} // '', qr/^[\d.e-]+$/, 'and how long it took');
like(run_lokbackup($node, [ 'restore', 'latest', '--database', 'shop', '-d', 'shop_copy2', '--create' ])->{stdout},
    qr/into database "shop_copy2" in [\d.]+ s \(.+ read, .+\/s\); checksum verified/,
    'the text summary says the time, the bytes read and the rate');

my $all = run_lokbackup($node, [ 'verify', '--all' ]);
is($all->{exit}, 0, 'verify --all of intact backups exits 0') or diag($all->{stderr});
is(scalar(() = $all->{stdout} =~ /^backup \d+: OK$/mg), scalar(@$ids), 'one OK line per backup');
flip_byte(object_path($node, $app->{object_key}));
my $damaged = run_lokbackup($node, [ 'verify', '--all', '--json' ]);
is($damaged->{exit}, 3, 'verify --all with a damaged backup exits 3');
my $verified = eval { decode_json($damaged->{stdout}) } // {};
is_deeply([ @$verified{qw(intact damaged unreadable)} ], [ scalar(@$ids) - 1, 1, 0 ],
    'its JSON counts the intact and the damaged backups');
is_deeply([ map { $_->{id} } grep { $_->{result} eq 'damaged' } @{ $verified->{backups} // [] } ],
    [ $app->{id} ], 'and names the damaged one');
# With --from, the storage is listed once and each manifest verified in id order.
my $from = run_lokbackup($node, [ 'verify', '--all', '--from', storage_dir($node), '--json' ]);
is($from->{exit}, 3, 'verify --all --from with a damaged backup exits 3');
my $from_verified = eval { decode_json($from->{stdout}) } // {};
is_deeply([ map { "$_->{id} $_->{result}" } @{ $from_verified->{backups} // [] } ],
    [ map { "$_ " . ($_ == $app->{id} ? 'damaged' : 'intact') } sort { $a <=> $b } @$ids ],
    'and verifies each backup of the storage, in id order, the damaged one damaged');

my $listed = run_lokbackup($node, [ 'list', '--database', 'app', '--json' ]);
is($listed->{exit}, 0, 'list --database --json exits 0') or diag($listed->{stderr});
my $rows = eval { decode_json($listed->{stdout}) } // [];
is_deeply([ map { $_->{database} } @$rows ], ['app'], 'it lists the backups of app alone');
is($rows->[0]{id}, $app->{id}, 'with the id as a JSON number');

# -W: the password from the terminal, for a role that pg_hba.conf asks a password of.
$node->safe_psql('postgres',
    q{CREATE ROLE dba LOGIN PASSWORD 'dba-secret-2718' IN ROLE lokbackup_admin});
ServeTest::prepend_hba($node, 'local all dba scram-sha-256');

# Runs `lokbackup list -U dba [-W]` with a terminal of its own (a pty); once it prompts, types
# `typed` there, as a person would (typed earlier, the terminal would echo it).
sub list_as_dba
{
    my ($typed, @options) = @_;
    my ($input, $terminal, $stderr) = ('', '', '');
    local %ENV = node_env($node);
    delete $ENV{PGPASSWORD};
    my $timeout = IPC::Run::timeout($LokbackupTest::default_timeout);
    my $harness = IPC::Run::start([ 'lokbackup', 'list', '-U', 'dba', @options ],
        '<pty<', \$input, '>pty>', \$terminal, '2>', \$stderr, $timeout);
    if (defined $typed)
    {
        $harness->pump until $terminal =~ /Password: / || !$harness->pumpable;
        $input = $typed;
    }
    my $exit = eval { $harness->finish; $harness->result(0) } // -1;
    return { exit => $exit, terminal => $terminal, stderr => $stderr };
}

my $without = list_as_dba(undef, '--limit', '1');
is($without->{exit}, 1, 'without a password, the login fails');
like($without->{stderr}, qr/password/, "with libpq's word for it");
my $prompted = list_as_dba("dba-secret-2718\n", '-W', '--limit', '1');
is($prompted->{exit}, 0, '-W takes the password typed on the terminal') or diag($prompted->{stderr});
like($prompted->{terminal}, qr/^Password: /, 'after a prompt');
unlike($prompted->{terminal}, qr/dba-secret/, 'which does not echo the password');
like($prompted->{terminal}, qr/\(1 backup\)/, 'and lists');
my $wrong = list_as_dba("not the password\n", '-W');
is($wrong->{exit}, 1, 'a wrong password typed fails');

$node->stop;
done_testing();
