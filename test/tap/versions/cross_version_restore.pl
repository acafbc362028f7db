# A dump restores into a server of its own major version or a newer one. A backup made on an
# older server (its storage directory, with --from) restores into the newer one, in both formats,
# with the newer server's lokbackup; the newer server's backup is refused by the older server's
# lokbackup, saying why and what to do, before anything is created.
#
# Run with the newer version's pg_config first on PATH (test/run runs it for each version it
# builds); LOKBACKUP_OLDER_PG names the older installation, Debian's PostgreSQL 15 by default.
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $older_path = $ENV{LOKBACKUP_OLDER_PG} // '/usr/lib/postgresql/15';
my $older_lokbackup = "$older_path/bin/lokbackup";
BAIL_OUT("no lokbackup in the older installation $older_path") unless -x $older_lokbackup;

my $old = create_node('old', install_path => $older_path,
    settings => { 'lokbackup.databases' => 'app' });
my $new = create_node('new', settings => { 'lokbackup.databases' => 'app' });
my ($old_major, $new_major) =
  map { int($_->safe_psql('postgres', 'SHOW server_version_num') / 10000) } ($old, $new);
cmp_ok($old_major, '<', $new_major, "the servers are PostgreSQL $old_major and $new_major");

populate_app_database($_, 'app') for ($old, $new);

# What stock tools make of the older server's database on the newer server: the older pg_dump
# -Fc, the newer pg_restore --single-transaction (an upgrade changes what the catalog shows, such
# as the names of NOT NULL constraints in 18).
$new->safe_psql('postgres', 'CREATE DATABASE reference TEMPLATE template0');
{
    local %ENV = node_env($old);
    my $stderr = '';
    IPC::Run::run([ "$older_path/bin/pg_dump", '-Fc', '-d', 'app' ],
        '|', [ 'pg_restore', '--single-transaction', '--exit-on-error', '-h', $new->host,
            '-p', $new->port, '-d', 'reference' ], '2>', \$stderr)
      or die "the stock restore failed: $stderr";
}
my $source_dump = dump_database($new, 'reference');

for my $format ('plain', 'custom')
{
    reload_settings($old, 'lokbackup.format' => $format);
    my $row = backup_of($old, run_backup($old), 'app');
    is($row->{status}, 'completed', "$format: the older server's backup is completed");
    my $restore = run_lokbackup($new,
        [ 'restore', $row->{id}, '--from', storage_dir($old), '--dbname', "from_$format",
          '--create', '--yes' ]);
    is($restore->{exit}, 0, "$format: it restores into the newer server");
    dumps_equal(dump_database($new, "from_$format"), $source_dump,
        "$format: the restored database equals the source");
}

my $row = backup_of($new, run_backup($new), 'app');
my $refused = run_lokbackup($old,
    [ 'restore', $row->{id}, '--from', storage_dir($new), '--dbname', 'from_newer', '--create',
      '--yes' ],
    program => $older_lokbackup);
isnt($refused->{exit}, 0, "the older server's lokbackup refuses the newer server's backup");
like(
    $refused->{stderr},
    qr/was made by PostgreSQL $new_major\.\S*, and this server runs $old_major: a dump restores into a server of its own major version or a newer one/,
    'saying why');
like($refused->{stderr}, qr/HINT:  Restore it into a server of PostgreSQL $new_major or later/,
    'and what to do');
is($old->safe_psql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'from_newer'"),
    '0', 'nothing was created');

$_->stop for ($old, $new);
done_testing();
