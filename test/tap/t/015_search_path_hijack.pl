# A plain role that may create objects in public (the default for everyone in clusters upgraded
# from PostgreSQL 14 or older) cannot make lokbackup run its code (CVE-2018-1058): neither the
# worker, which runs its catalog statements as the bootstrap superuser, nor the lokbackup program
# run by a superuser whose search_path puts the attacker's schema first, nor `lokbackup serve`
# with a superuser logged in. Each trap records that it ran and tries to make the attacker a
# superuser; afterwards the attacker is no superuser, no trap ran, and the backups and the
# program's answers are the real ones.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ServeTest;
use Test::More;

my $node = create_node('search_path');
my $attacker = 'mallory';

$node->safe_psql(
    'postgres', qq{
CREATE ROLE $attacker LOGIN;
GRANT CREATE ON SCHEMA public TO $attacker;
-- A schema of the attacker's own, which a victim's search_path names first.
CREATE SCHEMA $attacker AUTHORIZATION $attacker;
});

# Everything below is created by the attacker's own login. The traps are SECURITY INVOKER: they
# run with the privileges of whoever calls them, and a superuser caller makes the attacker one.
$node->safe_psql(
    'postgres', qq{
CREATE TABLE public.trap_log (trap text NOT NULL, ran_as text NOT NULL DEFAULT current_user);
GRANT INSERT ON public.trap_log TO PUBLIC;

CREATE FUNCTION public.trap(name text) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
    INSERT INTO public.trap_log (trap) VALUES (name);
    -- A caller that is no superuser fails here; the log row above must stay all the same.
    BEGIN
        EXECUTE 'ALTER ROLE $attacker SUPERUSER';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END
\$\$;

-- The worker's nextval('<schema>.lokbackup_run_seq'): an unknown literal converts to text
-- more readily than to regclass, so this beats pg_catalog.nextval(regclass) wherever public is
-- in the search_path.
CREATE FUNCTION public.nextval(text) RETURNS bigint LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('public.nextval(text)');
    RETURN pg_catalog.nextval(\$1::pg_catalog.regclass);
END
\$\$;

-- What else the worker's statements call with text or literal arguments: to_char(started_at AT
-- TIME ZONE 'UTC', '...'), now(), status <> 'deleted', type <> 'manual', IN (...) lists (=).
CREATE FUNCTION public.to_char(timestamp, text) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('public.to_char(timestamp, text)');
    RETURN pg_catalog.to_char(\$1, \$2);
END
\$\$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('public.now()');
    RETURN pg_catalog.now();
END
\$\$;
CREATE FUNCTION public.text_ne(text, text) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('public.<>(text, text)');
    RETURN \$1 OPERATOR(pg_catalog.<>) \$2;
END
\$\$;
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.text_ne);
CREATE FUNCTION public.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('public.=(text, text)');
    RETURN \$1 OPERATOR(pg_catalog.=) \$2;
END
\$\$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.text_eq);

-- serve's calls: its admin check pg_has_role('lokbackup_admin', 'USAGE') (two literals: text fits
-- them better than pg_catalog's name), and, in the extension's own schema (public here),
-- lokbackup_download_url(id, '1 hour'), where text fits the literal better than interval.
CREATE FUNCTION public.pg_has_role(text, text) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('public.pg_has_role(text, text)');
    RETURN pg_catalog.pg_has_role(\$1::pg_catalog.name, \$2);
END
\$\$;
CREATE FUNCTION public.lokbackup_download_url(bigint, text) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('public.lokbackup_download_url(bigint, text)');
    RETURN 'https://attacker.example/';
END
\$\$;

-- The program's calls of the extension's functions, for a caller whose search_path names the
-- attacker's schema before the extension's. They answer nothing, so that the caller's statement
-- succeeds and the trap's work commits.
CREATE FUNCTION $attacker.lokbackup_list(text, text, integer, integer)
    RETURNS TABLE (id bigint) LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('$attacker.lokbackup_list');
END
\$\$;
CREATE FUNCTION $attacker.lokbackup_restore_plan(text, text)
    RETURNS TABLE (backup_id bigint, database text, contents text, location text,
                   manifest_location text, sha256 text, size bigint, raw_size bigint,
                   format text, compression text, catalog_database text)
    LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM public.trap('$attacker.lokbackup_restore_plan');
END
\$\$;
},
    extra_params => [ '-U', $attacker ]);

# Whether the attacker got anywhere: 'superuser' or not, and the traps that ran.
sub attacker_gains
{
    my $super = $node->safe_psql('postgres',
        "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = '$attacker'");
    my $traps = $node->safe_psql('postgres',
        "SELECT coalesce(string_agg(trap || ' as ' || ran_as, ', '), '') FROM public.trap_log");
    return ($super eq 't' ? 'superuser' : 'no superuser') . "; traps that ran: [$traps]";
}

my $nothing_gained = "no superuser; traps that ran: []";

# --- the worker ---
my $ids = run_backup($node);
is_deeply(
    [ map { $_->{status} } @{ run_backups($node, $ids) } ],
    [ ('completed') x scalar(@$ids) ],
    'the run with the traps in place completes every backup');
is(attacker_gains(), $nothing_gained,
    'the worker calls none of the traps: the attacker is no superuser');

# --- the lokbackup program, run by a superuser whose search_path names the attacker's first ---
my %hostile_path = (PGOPTIONS => "-c search_path=$attacker,public");
my $list = run_lokbackup($node, ['list'], env => \%hostile_path);
is($list->{exit}, 0, 'lokbackup list exits 0') or diag($list->{stderr});
my $database_backup = (grep { defined $_->{database} } @{ run_backups($node, $ids) })[0];
like(
    $list->{stdout},
    qr/^\s*$database_backup->{id} \| manual\s+\| completed/m,
    "lokbackup list shows the catalog's backups, not the attacker's answer");

my $verify =
  run_lokbackup($node, [ 'verify', 'latest', '--database', $database_backup->{database} ],
    env => \%hostile_path);
is($verify->{exit}, 0, 'lokbackup verify (through the restore plan) exits 0')
  or diag($verify->{stderr});

is(attacker_gains(), $nothing_gained,
    'the program calls none of the traps: the attacker is no superuser');

# --- lokbackup serve, with a superuser logged in ---
$node->safe_psql('postgres', "CREATE ROLE dba LOGIN SUPERUSER PASSWORD 'dba-secret-1234'");
ServeTest::prepend_hba($node, 'local all dba scram-sha-256');
my $web = ServeTest->start($node)->client;
is($web->login('dba', 'dba-secret-1234')->{status}, 200, 'the superuser logs in to serve');
my $listing = $web->call(GET => '/api/admin/backups');
is($listing->{status}, 200, 'serve lists the backups');
is_deeply(
    [ sort { $a <=> $b } map { $_->{id} } @{ $listing->{json}{backups} } ],
    [ sort { $a <=> $b } @$ids ],
    "serve's listing holds the run's backups");
my $link = $web->call(GET => "/api/admin/backups/$database_backup->{id}/download");
unlike($link->{body}, qr/attacker\.example/, "serve's download link is not the attacker's");
is(attacker_gains(), $nothing_gained,
    'serve calls none of the traps: the attacker is no superuser');

done_testing();
