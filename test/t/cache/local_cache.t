# AuthClientSessionLocalCache on two nodes behind one memcached: with a
# lifetime of L seconds (5 here), a logout on node B ends the session on B at once
# and on node A only when A's own copy runs out - still accepted before L,
# refused after; a logout on node A is refused on A at once.  Runs only
# with -defines AC_MEMCACHE.  Each node runs one process, so "A's copy" is
# the copy of the process every request reaches.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common qw(POST);
use LWP::UserAgent;
use Time::HiRes qw(sleep time);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser login env_of jar_cookie);
use ACTest::Node qw(node_app start_node stop_nodes);
use ACTest::Services ();

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
plan tests => 14, need {
    'the local session cache across nodes: run with -defines AC_MEMCACHE'
        => $defines{AC_MEMCACHE},
};

END {
    local $?;
    stop_nodes();
}

my $lifetime = 5;                        # seconds; a logout at the provider is slow
my ($A, $B) = (8640, 8641);              # callbacks the provider accepts
my $config = <<"CONF" . node_app();
StartServers      1
ServerLimit       1
ThreadsPerChild   16
MaxRequestWorkers 16
MinSpareThreads   1
MaxSpareThreads   16
AuthClientCache memcache:127.0.0.1:$ACTest::Services::PORT{memcached}
AuthClientPassphrase "integration-passphrase-0123456789"
AuthClientSessionLocalCache $lifetime
CONF

ok t_cmp(start_node($_, $config), undef, "node $_ started") for $A, $B;

# one request with the session cookie alone, redirects not followed
sub with_session {
    my ($port, $sid) = @_;
    return LWP::UserAgent->new(max_redirect => 0)
        ->get("http://127.0.0.1:$port/app/env.cgi", Cookie => "ac_session=$sid");
}

sub logout_on {
    my ($port, $sid) = @_;
    return LWP::UserAgent->new(max_redirect => 0)->request(
        POST "http://127.0.0.1:$port/auth/logout", Origin => "http://127.0.0.1:$port",
        Cookie => "ac_session=$sid", Content => []);
}

sub refused { my ($res) = @_; return $res->code == 302 ? 'refused' : $res->code }

# a logout on B: A keeps its copy up to the lifetime, not longer
my $ua = browser();
my $res = (login($ua, "http://127.0.0.1:$A/app/env.cgi"))[-1];
my $copied = time;                      # A's copy was made by then
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', "logged in on $A");
my $sid = jar_cookie($ua, 'ac_session') // '';
ok t_cmp(with_session($B, $sid)->code, 200, "$B takes the session");
ok t_cmp(logout_on($B, $sid)->code, 303, "logged out on $B");
ok t_cmp(refused(with_session($B, $sid)), 'refused', "$B refuses it at once");
$res = with_session($A, $sid);
my $elapsed = time - $copied;
ok t_cmp($elapsed < $lifetime - 0.5 ? 1 : 0, 1,
         sprintf('the next request on %d within the lifetime (%.2f s)', $A, $elapsed));
ok t_cmp($res->code, 200, "$A still accepts it before the lifetime");
ok t_cmp(env_of($res)->{OIDC_CLAIM_groups} // '', 'staff,admins',
         "$A answers it with its claims from its copy");
sleep $copied + $lifetime + 0.5 - time;
ok t_cmp(refused(with_session($A, $sid)), 'refused',
         "$A refuses it once the lifetime has passed");

# a logout on A: refused on A at once, though A had a copy a moment ago
$ua = browser();
$res = (login($ua, "http://127.0.0.1:$A/app/env.cgi"))[-1];
$sid = jar_cookie($ua, 'ac_session') // '';
ok t_cmp(with_session($A, $sid)->code, 200, "a new session on $A");
ok t_cmp(logout_on($A, $sid)->code, 303, "logged out on $A");
ok t_cmp(refused(with_session($A, $sid)), 'refused', "$A refuses it at once");
ok t_cmp(refused(with_session($B, $sid)), 'refused', "and $B too");
