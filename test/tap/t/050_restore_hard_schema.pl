# A database with what PostgreSQL's own regression database showed to be hard for a restore (a NOT
# VALID domain constraint, partitioned tables with primary keys on several levels, inheritance
# with columns in another order, views over views, a large object) and with database properties
# of its own (owner, ACL, comment, connection limit, ALTER DATABASE SET values) restores in both
# formats, into a new database and over itself, as stock pg_dump -Fc | pg_restore
# --single-transaction restores it, with the source's properties. A database-level grant to a
# role that is gone is a warning, not a failed restore.
use strict;
use warnings FATAL => 'all';

use IPC::Run ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('hard', settings => { 'lokbackup.databases' => 'hard' });
$node->safe_psql(
    'postgres', q{
CREATE ROLE app_owner LOGIN;
CREATE ROLE app_reader;
CREATE ROLE gone_reader;
CREATE DATABASE hard OWNER app_owner ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
ALTER DATABASE hard SET work_mem = '3MB';
ALTER DATABASE hard SET search_path = "$user", public, "Odd, ""Schema""";
ALTER ROLE app_reader IN DATABASE hard SET statement_timeout = '5s';
REVOKE ALL ON DATABASE hard FROM PUBLIC;
GRANT CONNECT ON DATABASE hard TO app_reader;
GRANT CONNECT, TEMPORARY ON DATABASE hard TO gone_reader WITH GRANT OPTION;
COMMENT ON DATABASE hard IS 'the hard one';
ALTER DATABASE hard CONNECTION LIMIT 40;
});
$node->safe_psql(
    'hard', q{
SET ROLE app_owner;
CREATE DOMAIN positive AS int;
CREATE TABLE measures (value positive);
INSERT INTO measures VALUES (-1), (5);
ALTER DOMAIN positive ADD CONSTRAINT inv_ck CHECK (VALUE > 0) NOT VALID;
CREATE TABLE m (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (id);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100) PARTITION BY RANGE (at);
CREATE TABLE m1a PARTITION OF m1 FOR VALUES FROM ('2020-01-01') TO ('2030-01-01');
CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (100) TO (200);
INSERT INTO m VALUES (1, '2025-01-01'), (150, '2025-02-02');
CREATE TABLE parent (a int, b text);
CREATE TABLE child (c int, b text, a int);
ALTER TABLE child INHERIT parent;
INSERT INTO child VALUES (3, 'x', 1);
CREATE VIEW v AS SELECT m.id, p.b FROM m JOIN parent p ON p.a = m.id;
CREATE VIEW vv AS SELECT * FROM v;
SELECT lo_from_bytea(777, 'a large object');
GRANT SELECT ON vv TO app_reader;
});

my $reference = full_dump($node, stock_restore($node, 'hard', 'reference'));
like($reference, qr/ADD CONSTRAINT inv_ck CHECK .* NOT VALID/, 'the schema has the NOT VALID domain constraint');

my %backup;
for my $format ('plain', 'custom')
{
    reload_settings($node, 'lokbackup.format' => $format);
    $backup{$format} = backup_of($node, run_backup($node), 'hard');
    is($backup{$format}{status}, 'completed', "$format: the backup is completed");
}

# Then the role that a grant named is gone.
$node->safe_psql('postgres',
    'REVOKE ALL ON DATABASE hard FROM gone_reader CASCADE; DROP ROLE gone_reader');
my $source_properties = database_properties($node, 'hard');
like($source_properties, qr/acl PUBLIC|acl app_owner/, 'the source has an ACL of its own');
like($source_properties, qr/search_path=/, 'and settings');

my $plain_script = '';
IPC::Run::run([ 'zstd', '-dc', object_path($node, $backup{plain}{object_key}) ],
    '>', \$plain_script)
  or die 'zstd -dc failed';
unlike($plain_script, qr/^DROP /m, 'the plain dump was made without --clean');

for my $format ('plain', 'custom')
{
    my $id = $backup{$format}{id};
    my $target = "hard_$format";
    my $restore = run_lokbackup($node,
        [ 'restore', $id, '--dbname', $target, '--create', '--yes' ]);
    is($restore->{exit}, 0, "$format: the restore into a new database succeeds");
    like(
        $restore->{stderr},
        qr/warning: the grant of CONNECT to role "gone_reader" was not restored: role "gone_reader" does not exist/,
        "$format: the grant to the role that is gone is reported");
    dumps_equal(full_dump($node, $target), $reference,
        "$format: the restored database equals what stock pg_restore makes");
    is(database_properties($node, $target), $source_properties,
        "$format: the restored database has the source's properties");
}

# Over the source itself: into a side database, then the names are swapped.
for my $format ('custom', 'plain')
{
    my $id = $backup{$format}{id};
    my $over = run_lokbackup($node, [ 'restore', $id, '--dbname', 'hard', '--yes' ]);
    is($over->{exit}, 0, "$format: the restore over the source itself succeeds");
    like($over->{stdout}, qr/kept as "hard_before_restore_$id"/,
        "$format: it says where the replaced database is kept");
    dumps_equal(full_dump($node, 'hard'), $reference,
        "$format: the replaced database equals the stock restore");
    is(database_properties($node, 'hard'), $source_properties, "$format: and has the properties it had");
    is( $node->safe_psql('postgres',
            "SELECT count(*) FROM pg_database WHERE datname = 'hard_before_restore_$id'"),
        '1', "$format: the replaced database is kept");
}

$node->stop;
done_testing();
