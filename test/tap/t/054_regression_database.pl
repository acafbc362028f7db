# PostgreSQL's own regression database (what `make installcheck` of PostgreSQL leaves behind:
# nearly every kind of object, and ALTER DATABASE SET values) restores with lokbackup in both
# formats, into a new database and over itself, and through serve's API, as stock pg_dump -Fc |
# pg_restore --single-transaction restores it, with the source's database properties.
#
# The regression suite is the server's major version's, prepared by test/fetch-pg-regress (which
# test/install-deps runs). Some of its tests fail when its minor version is not the server's; what
# matters here is the database the suite leaves, not its expected outputs.
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

my ($major) = `pg_config --version` =~ /^PostgreSQL (\d+)/;
my $suite = "/var/cache/lokbackup-test/pg-regress-$major";
BAIL_OUT("PostgreSQL's regression suite is not in $suite: run test/fetch-pg-regress as root")
  unless -f "$suite/lib/regress.so";

# The suite runs up to 20 sessions at once; the catalog stays in postgres.
my $node = create_node('regression',
    settings => { 'lokbackup.databases' => 'regression', max_connections => 40 });
{
    my $output = PostgreSQL::Test::Utils::tempdir();
    chomp(my $bindir = `pg_config --bindir`);
    my ($stdout, $stderr) = ('', '');
    IPC::Run::run(
        [
            $ENV{PG_REGRESS}, "--inputdir=$suite/src", "--outputdir=$output", "--bindir=$bindir",
            "--dlpath=$suite/lib", '--host=' . $node->host, '--port=' . $node->port,
            "--schedule=$suite/src/parallel_schedule", '--max-connections=20'
        ],
        '>', \$stdout, '2>', \$stderr);
    note "the regression suite:\n$stdout$stderr";
}
my $relations = $node->safe_psql('regression',
    q{SELECT count(*) FROM pg_class WHERE relnamespace <> 'pg_catalog'::regnamespace
      AND relnamespace <> 'information_schema'::regnamespace AND relnamespace::regnamespace::text
      NOT LIKE 'pg_toast%'});
cmp_ok($relations, '>', 500, "the regression database has $relations relations");

my $reference = full_dump($node, stock_restore($node, 'regression', 'reference'));
like($reference, qr/ATTACH PARTITION/, 'it has partitions');
like($reference, qr/CREATE DOMAIN/, 'domains');
like($reference, qr/INHERITS \(/, 'inheritance');
like($reference, qr/SELECT pg_catalog\.lo_create/, 'large objects');
my $source_properties = database_properties($node, 'regression');
like($source_properties, qr/settings :.*lc_messages=C/, 'and ALTER DATABASE SET values');

my %backup;
for my $format ('plain', 'custom')
{
    reload_settings($node, 'lokbackup.format' => $format);
    $backup{$format} = backup_of($node, run_backup($node), 'regression');
    is($backup{$format}{status}, 'completed', "$format: the backup is completed");
}

for my $format ('plain', 'custom')
{
    my $target = "regression_$format";
    my $restore = run_lokbackup($node,
        [ 'restore', $backup{$format}{id}, '--dbname', $target, '--create', '--yes' ],
        timeout => 600);
    is($restore->{exit}, 0, "$format: the restore into a new database succeeds");
    dumps_equal(full_dump($node, $target), $reference,
        "$format: the restored database equals what stock pg_restore makes");
    is(database_properties($node, $target), $source_properties,
        "$format: the restored database has the source's properties");
}

for my $format ('custom', 'plain')
{
    my $id = $backup{$format}{id};
    my $over = run_lokbackup($node, [ 'restore', $id, '--dbname', 'regression', '--yes' ],
        timeout => 600);
    is($over->{exit}, 0, "$format: the restore over the regression database itself succeeds");
    dumps_equal(full_dump($node, 'regression'), $reference,
        "$format: the replaced database equals the stock restore");
    is(database_properties($node, 'regression'), $source_properties,
        "$format: and has the properties it had");
}

# The dashboard's restore is the same flow, through serve.
$node->safe_psql('postgres',
    q{CREATE ROLE dba LOGIN SUPERUSER PASSWORD 'dba-secret'});
ServeTest::prepend_hba($node, 'local all dba scram-sha-256');
my $web = ServeTest->start($node)->client;
$web->login('dba', 'dba-secret');
my $id = $backup{custom}{id};
my $r = $web->call(POST => "/api/admin/backups/$id/restore",
    { password => 'dba-secret', target => 'regression_web' });
is($r->{status}, 202, 'serve: the restore starts');
$r = $web->poll("/api/admin/restores/$r->{json}{restore}{id}",
    sub { $_[0]{json}{restore}{status} ne 'running' });
is($r->{json}{restore}{status}, 'completed', 'serve: the restore completes')
  or diag explain $r->{json};
dumps_equal(full_dump($node, 'regression_web'), $reference,
    'serve: the restored database equals the stock restore');

$node->stop;
done_testing();
