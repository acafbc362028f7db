# A backup records what its dump holds, its inventory, for restore drills: in the catalog
# (lokbackup_backups.inventory) and in the manifest. A plain backup has the rows of each table,
# counted from the script as it streamed by, and each sequence's value; whichever way the script
# was made (pg_dump -Fp, or pg_dump -Fc rendered by pg_restore when the database has large
# objects). Names that pg_dump must quote, a newline in a name, and literals, names and function
# bodies that hold a COPY line or a setval() are counted as they are. A custom-format backup has
# the schema's inventory without rows.
use strict;
use warnings FATAL => 'all';

use JSON::PP ();
use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = create_node('inventory', settings => { 'lokbackup.databases' => 'app,small' });

# A COPY block and a setval() of a table that does not exist, as they would stand in a script.
my $fake = "\nCOPY public.fake (a) FROM stdin;\n1\n\\.\nSELECT pg_catalog.setval('public.fake', 9, true);\n";

$node->safe_psql('postgres', 'CREATE DATABASE app; CREATE DATABASE small');
$node->safe_psql('app', <<"SQL");
CREATE TABLE measures (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE measures_2025 PARTITION OF measures FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measures_2026 PARTITION OF measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO measures SELECT g, '2025-03-01' FROM generate_series(1, 3) g;
INSERT INTO measures SELECT g, '2026-03-01' FROM generate_series(1, 5) g;
CREATE TABLE parent (a int);
CREATE TABLE child (b int) INHERITS (parent);
INSERT INTO parent SELECT g FROM generate_series(1, 2) g;
INSERT INTO child SELECT g, g FROM generate_series(1, 4) g;
CREATE TABLE "we""ird name" (x int PRIMARY KEY, CONSTRAINT positive CHECK (x > 0));
INSERT INTO "we""ird name" SELECT g FROM generate_series(1, 3) g;
CREATE TABLE "new
line" (t text);
INSERT INTO "new
line" VALUES ('COPY public.t (a) FROM stdin;'), (E'\\\\.'), (E'a\\nb');
CREATE SEQUENCE counter;
SELECT setval('counter', 41);
SELECT nextval('counter');
CREATE TABLE items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
INSERT INTO items (name) VALUES ('a'), ('b'), ('c');
SELECT lo_from_bytea(0, 'one'), lo_from_bytea(0, 'two');
COMMENT ON TABLE parent IS ${\ sql_literal($fake)};
CREATE FUNCTION fake() RETURNS text LANGUAGE sql AS \$\$ SELECT ${\ sql_literal($fake)} \$\$;
SQL
$node->safe_psql('small',
    'CREATE TABLE t (a int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 7);'
      . " CREATE TABLE \"quo'te\" (a int); INSERT INTO \"quo'te\" VALUES (1)");

my %app_schema = (
    tables => [
        sort 'public."new' . "\n" . 'line"',
        'public."we""ird name"', 'public.child', 'public.items', 'public.measures',
        'public.measures_2025',  'public.measures_2026', 'public.parent'
    ],
    indexes     => [ sort 'public."we""ird name_pkey"', 'public.items_pkey' ],
    constraints => [
        sort 'public."we""ird name"."we""ird name_pkey"', 'public."we""ird name".positive',
        'public.items.items_pkey'
    ],
    sequences     => [ sort 'public.counter', 'public.items_id_seq' ],
    large_objects => 2);
my %app_data = (
    rows_counted => JSON::PP::true,
    table_rows   => {
        'public.measures_2025' => 3,
        'public.measures_2026' => 5,
        'public.parent' => 2,
        'public.child' => 4,
        'public."we""ird name"' => 3,
        'public."new' . "\n" . 'line"' => 3,
        'public.items' => 3
    },
    sequence_values => { 'public.counter' => '42,true', 'public.items_id_seq' => '3,true' });

# The inventory of a run's backup of `database`, from the catalog, after checking that the
# manifest beside the object records the same.
sub inventory_of
{
    my ($ids, $database) = @_;
    my $backup = backup_of($node, $ids, $database);
    is($backup->{status}, 'completed', "the backup of $database is completed");
    my $manifest = JSON::PP::decode_json(
        slurp_bytes(object_path($node, $backup->{object_key}) . '.manifest.json'));
    is_deeply($manifest->{inventory}, $backup->{inventory},
        "the manifest of ${database}'s backup records the catalog's inventory");
    return $backup->{inventory};
}

# --- plain: app has large objects (pg_dump -Fc | pg_restore), small has none (pg_dump -Fp) ---
my $ids = run_backup($node);
is_deeply(inventory_of($ids, 'app'), { %app_schema, %app_data },
    'the plain backup of app records its rows, sequence values and objects exactly');
is_deeply(
    inventory_of($ids, 'small'),
    {   rows_counted => JSON::PP::true,
        table_rows => { 'public.t' => 7, qq{public."quo'te"} => 1 },
        sequence_values => {},
        tables => [ sort 'public.t', qq{public."quo'te"} ],
        indexes => ['public.t_pkey'],
        constraints => ['public.t.t_pkey'],
        sequences => [],
        large_objects => 0
    },
    'and that of small, dumped by pg_dump -Fp');
is(backup_of($node, $ids, undef)->{inventory}, undef, 'the roles dump has no inventory');

# --- custom: the schema's inventory, no rows ---
reload_settings($node, 'lokbackup.format' => 'custom');
$ids = run_backup($node);
is_deeply(
    inventory_of($ids, 'app'),
    {   %app_schema,
        rows_counted => JSON::PP::false,
        table_rows => {},
        sequence_values => {}
    },
    'the custom-format backup of app records its objects, and no rows');

$node->stop;
done_testing();
