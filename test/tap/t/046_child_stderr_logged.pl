# What the backup child and the pg_dump under it write to stderr reaches the server log through
# the worker, one LOG line each: with the log_line_prefix like every other line, naming the backup
# by its id, and with control bytes escaped, so that a database's name cannot put an escape
# sequence in the log. Nothing of it reaches the log bare.
use strict;
use warnings FATAL => 'all';

use LokbackupTest;
use NotificationSinks;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $hostile = "bro\x1b[31mken";
my $node = create_node(
    'child_stderr',
    settings => {
        'lokbackup.databases' => qq{broken, "$hostile"},
        'log_line_prefix' => '%m [%p] sqlstate=%e ' });
$node->safe_psql('postgres', 'CREATE DATABASE broken');
$node->safe_psql('postgres', qq{CREATE DATABASE "$hostile"});

# pg_hba.conf refuses pg_dump's connections to both: pg_dump fails and says so on stderr.
my $hba = $node->data_dir . '/pg_hba.conf';
my $original = slurp_file($hba);
open my $fh, '>', $hba or die "cannot write $hba: $!";
print $fh qq{local broken all reject\nlocal "$hostile" all reject\n}, $original;
close $fh or die "cannot close $hba: $!";
$node->reload;
ok( wait_until(
        sub {
            my ($broken) = $node->psql('broken', 'SELECT 1');
            my ($hostile_ret) = $node->psql($hostile, 'SELECT 1');
            return $broken != 0 && $hostile_ret != 0;
        }),
    'pg_hba.conf rejects connections to both databases');

my $offset = log_offset($node);
my $ids = run_backup_allow_failures($node);
my $broken = backup_of($node, $ids, 'broken');
my $evil = backup_of($node, $ids, $hostile);
is($broken->{status}, 'failed', 'the backup of broken fails');
is($evil->{status}, 'failed', 'the backup of the hostile name fails');

my $prefix = qr/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] sqlstate=00000 /;
like(
    wait_for_log_line($node, qr/lokbackup: stderr of backup $broken->{id}: /, $offset) // '',
    qr/^${prefix}LOG:  lokbackup: stderr of backup $broken->{id}: (lokbackup|pg_dump): error: .*database "broken"/,
    "the child's error is a LOG line with the log_line_prefix and the backup's id");

my $escaped = quotemeta 'database "bro\x1b[31mken"';
my $evil_line =
  wait_for_log_line($node, qr/lokbackup: stderr of backup $evil->{id}: /, $offset) // '';
like($evil_line, qr/^${prefix}LOG:  lokbackup: stderr of backup $evil->{id}: .*$escaped/,
    "the line about the hostile name shows its escape byte as \\x1b");
unlike($evil_line, qr/\x1b/, 'and holds no raw escape byte');

my @bare =
  grep { /^pg_dump|^lokbackup: / } split /\n/, slurp_file($node->logfile, $offset);
is_deeply(\@bare, [], 'no line of the child or of pg_dump reaches the log without the prefix');

$node->stop;
done_testing();
