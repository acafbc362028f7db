# The README's disaster-recovery runbook ("Disaster recovery: the server is gone"), step by step
# with its own commands: a server with roles, databases and their owners and grants is lost; a
# new server gets, from the bucket alone, the roles first, then every database, the lost
# catalog under another name; then lokbackup backs up again into the same bucket with ids past
# the old ones. Then "When only the catalog database was lost", on the new server.
use strict;
use warnings FATAL => 'all';

use JSON::PP;
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use S3TestServer;
use Test::More;

my $s3 = S3TestServer->start('runbook');
my $bucket = 'lokbackup-runbook';
my $prefix = 'prod';
$s3->create_bucket($bucket);
my %s3_settings = $s3->settings($bucket, $prefix);

# The lost server: every database is backed up (lokbackup.databases empty), the catalog's too.
my $lost = create_node('lost', settings => {%s3_settings});
$lost->safe_psql('postgres', <<'SQL');
CREATE ROLE app_owner LOGIN PASSWORD 'app secret';
CREATE ROLE reporting NOLOGIN;
SQL
populate_app_database($lost, 'app');
$lost->safe_psql('postgres', <<'SQL');
ALTER DATABASE app OWNER TO app_owner;
CREATE DATABASE shop OWNER app_owner TEMPLATE template0 ENCODING 'UTF8';
SQL
$lost->safe_psql('app', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting');
$lost->safe_psql('shop', <<'SQL');
SET ROLE app_owner;
CREATE TABLE orders (id int PRIMARY KEY, total numeric);
INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 1000) g;
GRANT SELECT ON orders TO reporting;
SQL
run_backup($lost);
$lost->safe_psql('shop', 'INSERT INTO orders VALUES (1001, 0)');
my $last_run = run_backup($lost);
my %source = map { $_ => full_dump($lost, $_) } qw(app shop);
my $lost_ids = $lost->safe_psql('postgres', 'SELECT count(*) FROM lokbackup_backups');
my $highest_lost_id = $lost->safe_psql('postgres', 'SELECT max(id) FROM lokbackup_backups');
# The catalog database's dump holds the backups that had finished when it was taken.
my $highest_in_history = $lost->safe_psql('postgres',
    "SELECT max(id) FROM lokbackup_backups WHERE finished_at < (SELECT max(started_at) "
      . "FROM lokbackup_backups WHERE database = 'postgres')");
$lost->stop;

# 1. A new server, without lokbackup preloaded (its catalog will be "ops": see the last part).
my $new = create_node('new', preload => 0, settings => { 'lokbackup.database' => 'ops' });

# 2. The storage's keys and address, for the program only.
my %keys = (AWS_ACCESS_KEY_ID => $s3->access_key, AWS_SECRET_ACCESS_KEY => $s3->secret);
my @from = ('--from', "s3://$bucket/$prefix", '--s3-endpoint', $s3->endpoint, '--s3-region',
    $S3TestServer::region, '--s3-path-style');

# Runs a step of the runbook as a shell would, with `from` set as the README sets it.
sub runbook_step
{
    my ($script) = @_;
    my $from = join(' ', map { "'$_'" } @from);
    return run_lokbackup($new, [ '-c', "from=($from)\n$script" ], program => 'bash', env => \%keys);
}

# 3. What is there.
my $listed = run_lokbackup($new, [ 'list', @from, '--json' ], env => \%keys);
is($listed->{exit}, 0, 'lokbackup list --from --json exits 0') or diag($listed->{stderr});
my $backups = eval { decode_json($listed->{stdout}) } // [];
is(scalar(@$backups), $lost_ids, 'it lists every backup of the lost server from the manifests');
is_deeply([ sort { $a cmp $b } keys %{ { map { $_->{database} => 1 } @$backups } } ],
    [ '(roles)', 'app', 'postgres', 'shop' ], 'the roles and every database are there');
ok(!(grep { $_->{object} ne 'present' } @$backups), 'and every object is present');
my $table = run_lokbackup($new, [ 'list', @from, '--database', 'shop', '--limit', '1' ],
    env => \%keys);
like($table->{stdout}, qr/^ *\d+ \| manual +\| shop +\|.*\| present\n\(1 backup\)$/m,
    'the table form, for one database, shows its newest backup');

# 4. The roles first.
my $roles = runbook_step(<<'STEP');
id=$(lokbackup list "${from[@]}" --database '(roles)' --limit 1 --json | jq '.[0].id')
lokbackup restore "${from[@]}" "$id" --dbname postgres --yes
STEP
is($roles->{exit}, 0, 'step 4: the roles backup restores') or diag($roles->{stderr});
is($new->safe_psql('postgres',
        q{SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('app_owner', 'reporting')}),
    'app_owner,reporting', 'the roles exist on the new server');

# 5. Each database but the lost catalog.
my $databases = runbook_step(<<'STEP');
catalog=postgres
for db in $(lokbackup list "${from[@]}" --json | jq -r --arg catalog "$catalog" \
                '.[].database | select(. != "(roles)" and . != $catalog)' | sort -u); do
    lokbackup restore "${from[@]}" latest --database "$db" --dbname "$db" --create --yes
done
STEP
is($databases->{exit}, 0, 'step 5: every database restores') or diag($databases->{stderr});
for my $database (qw(app shop))
{
    dumps_equal(eval { full_dump($new, $database) } // "(no database: $@)",
        $source{$database}, "$database is as it was, owners and grants included");
}
is($new->safe_psql('postgres', q{SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'}),
    'app_owner', 'shop belongs to its owner again');

# 6. Check: the application's role logs in and sees its data.
is($new->safe_psql('shop', 'SET ROLE reporting; SELECT count(*) FROM orders'),
    '1001', 'the reporting role reads the orders, the last one included');

# 7. Backups again, into the same bucket: new ids past the old ones.
$new->safe_psql('postgres', 'CREATE DATABASE ops');
$new->append_conf('postgresql.conf',
    join('', "shared_preload_libraries = 'lokbackup'\nlokbackup.database = 'ops'\n",
        "lokbackup.schedule = ''\n",
        "lokbackup.databases = 'app,shop,ops'\n",
        map { "$_ = '$s3_settings{$_}'\n" } sort keys %s3_settings));
$new->restart;
$new->safe_psql('ops', 'CREATE EXTENSION lokbackup');
my $first_new = run_backup($new);
cmp_ok((sort { $a <=> $b } @$first_new)[0], '>', $highest_lost_id,
    "step 7: the new server's backups get ids past the lost server's ($highest_lost_id)");

# 8. The lost server's history, under another name.
my $history = runbook_step(<<'STEP');
catalog=postgres
lokbackup restore "${from[@]}" latest --database "$catalog" --dbname lost_catalog --create
STEP
is($history->{exit}, 0, "step 8: the lost catalog restores as lost_catalog")
  or diag($history->{stderr});
is($new->safe_psql('lost_catalog', 'SELECT max(id) FROM lokbackup_backups'),
    $highest_in_history, "the lost server's history is readable there, up to its dump");

# When only the catalog database was lost.
$new->safe_psql('postgres', 'DROP DATABASE ops WITH (FORCE)');
my $catalog_lost = runbook_step(<<'STEP');
createdb ops && psql -d ops -c 'CREATE EXTENSION lokbackup'
lokbackup restore "${from[@]}" latest --database ops --dbname ops_history --create
STEP
is($catalog_lost->{exit}, 0, 'a new catalog, and the lost one restored as ops_history')
  or diag($catalog_lost->{stderr});
is($new->safe_psql('ops_history', 'SELECT count(*) > 0 FROM lokbackup_backups'),
    't', "the lost catalog's history is readable in ops_history");
my $after = run_backup($new);
cmp_ok((sort { $a <=> $b } @$after)[0], '>', (sort { $b <=> $a } @$first_new)[0],
    'backups with the new catalog get ids past every id in storage');

$new->stop;
$s3->stop;
done_testing();
