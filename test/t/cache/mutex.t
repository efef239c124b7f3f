# The cache lock keeps its fast default (a POSIX semaphore) when a
# "Mutex file:DIR default" line, as many configurations have, sets every
# other mutex to fcntl; only a Mutex line that names auth-client-cache
# changes it, and a file lock then gets one startup NOTICE with the fix.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser login env_of);
use ACTest::Node qw(node_app start_node stop_nodes node_log);

plan tests => 7;

END {
    local $?;
    stop_nodes();
}

my $port = 8640;                # a callback the provider accepts
my $dir = Apache::Test::config()->{vars}{t_logs} . "/mutex-$port";
mkdir $dir;
unlink glob "$dir/*";

ok t_cmp(start_node($port, "Mutex file:$dir default\n" . node_app()), undef,
         'a node with "Mutex file:DIR default" starts');
my $log = node_log($port);
ok t_cmp($log, qr/the auth-client-cache lock is posixsem/,
         'the cache lock is still a POSIX semaphore');
ok t_cmp($log !~ /\[cache_mutex_slow\]/ ? 1 : 0, 1, 'no NOTICE about a slow lock');
my $res = (login(browser(), "http://127.0.0.1:$port/app/env.cgi"))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'sessions work under it');
stop_nodes();

ok t_cmp(start_node($port, "Mutex file:$dir default\nMutex fcntl:$dir auth-client-cache\n"
                           . node_app()), undef,
         'a node that names auth-client-cache with fcntl starts');
$log = node_log($port);
my @notices = $log =~ /(:notice\].*\[cache_mutex_slow\])/g;
ok t_cmp(scalar @notices, 1, 'one startup NOTICE about the file lock');
ok t_cmp($notices[0] // '', qr/fcntl.*"Mutex posixsem auth-client-cache"/,
         'it names the mechanism and the directive that fixes it');
