# Sessions and logins in progress on the embedded cache (shmcb, and no
# AuthClientPassphrase: a random key) live through graceful restarts
# ("apachectl graceful", what a logrotate reload sends) while the cache
# configuration stays the same; a changed AuthClientLoginCacheSize or
# AuthClientPassphrase, or a restart that is not graceful, starts a fresh
# cache and says why in the log.  On an extra node (ACTest::Node), which it
# restarts; runs on the default (shmcb) suite only, the node's cache being
# its own whatever -defines say.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser login env_of to_callback follow);
use ACTest::Node qw(node_app start_node stop_nodes restart_node reconfigure_node node_log);

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
plan tests => 23, need {
    'the embedded cache across restarts: part of the default (shmcb) run'
        => !$defines{AC_MEMCACHE} && !$defines{AC_REDIS},
};

END {
    local $?;
    stop_nodes();
}

my $port = 8650;
my $app = "http://127.0.0.1:$port/gh/env.cgi";

sub who {
    my ($ua) = @_;
    my $res = $ua->get($app);
    return $res->code == 200 ? env_of($res)->{REMOTE_USER} // '' : 'HTTP ' . $res->code;
}

sub count {
    my ($re) = @_;
    my @hits = node_log($port) =~ /$re/g;
    return scalar @hits;
}

ok t_cmp(start_node($port, node_app()), undef, 'node started (shmcb, no passphrase)');

my $ua = browser();
my $res = (login($ua, $app))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice-gh', 'logged in');

# a login in progress: the provider has sent the browser back, the
# callback is not requested yet
my $pending = browser();
my $callback = to_callback($pending, $app);
ok t_cmp(defined $callback, 1, 'a second login waits at its callback');

ok t_cmp(restart_node($port, 'graceful'), undef, 'graceful restart 1');
ok t_cmp(who($ua), 'alice-gh', 'the session works after one graceful restart');
ok t_cmp(restart_node($port, 'graceful'), undef, 'graceful restart 2');
ok t_cmp(who($ua), 'alice-gh', 'the session works after two graceful restarts');
ok t_cmp(count(qr/kept across the graceful restart \(\d+ since the cache was created\) \[cache_kept\]/), 2,
         'each restart says it kept the cache');
ok t_cmp(count(qr/\[cache_fresh\]/), 0, 'no fresh cache so far');

$res = (follow($pending, $pending->get($callback)))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice-gh',
         'the login in progress completes after the restarts');
ok t_cmp(who($pending), 'alice-gh', 'and its session works');

# another size for the logins in progress: another cache
ok t_cmp(reconfigure_node($port, node_app() . "AuthClientLoginCacheSize 1048576\n"), undef,
         'reconfigured');
ok t_cmp(restart_node($port, 'graceful'), undef, 'graceful restart with AuthClientLoginCacheSize changed');
ok t_cmp(count(qr/AuthClientCache or AuthClientLoginCacheSize changed: a fresh cache.*\[cache_fresh\]/), 1,
         'the log says the changed configuration starts a fresh cache');
ok t_cmp(who($ua), 'HTTP 302', 'the session of before is gone: to the provider again');

# a passphrase now: another cache again
$res = (login($ua = browser(), $app))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice-gh', 'logged in again');
reconfigure_node($port, node_app() . "AuthClientLoginCacheSize 1048576\n"
                        . "AuthClientPassphrase graceful-test-passphrase-0123\n");
ok t_cmp(restart_node($port, 'graceful'), undef, 'graceful restart with AuthClientPassphrase set');
ok t_cmp(count(qr/AuthClientPassphrase changed: a fresh cache.*\[cache_fresh\]/), 1,
         'the log says the passphrase starts a fresh cache');
ok t_cmp(who($ua), 'HTTP 302', 'the session of before is gone');

# a restart that is not graceful may have killed a child halfway through a
# store: a fresh cache, even with the same configuration
$res = (login($ua = browser(), $app))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice-gh', 'logged in again');
ok t_cmp(restart_node($port, 'restart'), undef, 'restart that is not graceful');
ok t_cmp(count(qr/the restart was not graceful: a fresh cache.*\[cache_fresh\]/), 1,
         'the log says a restart that is not graceful starts a fresh cache');
ok t_cmp(who($ua), 'HTTP 302', 'the session of before is gone');
