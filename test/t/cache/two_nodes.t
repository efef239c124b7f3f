# Two httpd nodes behind one memcached (as behind a load balancer): a login
# on one is a session on the other, a logout on one ends it on both, and a
# node with another passphrase cannot read the sessions; a node whose
# memcached is down answers with an error page, never a pass.  Runs only with
# -defines AC_MEMCACHE.  The nodes are extra httpd processes (ACTest::Node)
# started here from a generated configuration, and stopped here whatever
# happens.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common qw(POST);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser login env_of jar_cookie);
use ACTest::Node qw(start_node stop_nodes);
use ACTest::Services ();

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
plan tests => 19, need {
    'two nodes share sessions through memcached: run with -defines AC_MEMCACHE'
        => $defines{AC_MEMCACHE},
};

my $passphrase = 'integration-passphrase-0123456789';   # as conf/extra.conf.in

END {
    local $?;
    stop_nodes();
}

sub node_config {
    my ($secret, $cache_port) = @_;
    my $t = Apache::Test::config()->{vars}{serverroot};
    return <<"CONF";
AuthClientCache memcache:127.0.0.1:$cache_port
AuthClientPassphrase "$secret"
<AuthClientProvider op>
    ServerMetadataURL https://127.0.0.1:$ACTest::Services::PORT{oidc}/.well-known/openid-configuration
    ClientID          ac-test
    ClientSecret      ac-test-secret
    Scope             openid email profile groups address
</AuthClientProvider>

Alias /app/ "$t/htdocs/app/"
<Directory "$t/htdocs/app">
    Options +ExecCGI
    AddHandler cgi-script .cgi
</Directory>
<Location /app/>
    AuthType           oauth
    AuthClientProvider op
    Require            valid-user
</Location>
CONF
}

sub start {
    my ($port, $secret, $cache_port) = @_;
    return start_node($port, node_config($secret,
                      $cache_port // $ACTest::Services::PORT{memcached}));
}

my %url = map { $_ => "http://127.0.0.1:$_/app/env.cgi" } 8640, 8641, 8642, 8643;

sub to_login {
    my ($res, $what) = @_;
    ok t_cmp($res->code, 302, "$what: 302");
    ok t_cmp($res->header('Location') // '', qr{^https://127\.0\.0\.1:3643/auth\?},
             "$what: to the provider");
}

ok t_cmp(start(8640, $passphrase), undef, 'node 8640 started');
ok t_cmp(start(8641, $passphrase), undef, 'node 8641 started');
ok t_cmp(start(8642, "another-passphrase-0123456789"), undef,
         'node 8642 (another passphrase) started');
# nothing listens on this port: the cache of node 8643 is down
ok t_cmp(start(8643, $passphrase, 11799), undef,
         'node 8643 (memcached down) started');

# a login on one node is a session on the other
my $ua = browser();
my $res = (login($ua, $url{8640}))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'logged in on 8640');
my $sid = jar_cookie($ua, 'ac_session') // '';
$res = $ua->get($url{8641});
ok t_cmp($res->code, 200, '8641 takes the session');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', '8641: REMOTE_USER');
ok t_cmp(env_of($res)->{OIDC_CLAIM_groups}, 'staff,admins', '8641: claims');

# another passphrase cannot open the sessions
to_login($ua->get($url{8642}), 'node with another passphrase');

# a cache outage is an error page, for a session and for a new login alike
for my $who ([$ua, 'with a session'], [browser(), 'without a session']) {
    $res = $who->[0]->get($url{8643});
    ok t_cmp($res->code, 503, "memcached down, $who->[1]: 503");
    ok t_cmp($res->header('X-Auth-Client-Error') // '', 'cache_unavailable',
             "memcached down, $who->[1]: cache_unavailable");
    ok t_cmp($res->decoded_content // '', qr/Sign-in failed/,
             "memcached down, $who->[1]: the error page, not the app");
}

# a logout on one node ends the session on the other
$res = $ua->request(POST 'http://127.0.0.1:8640/auth/logout',
                    Origin => 'http://127.0.0.1:8640', Content => []);
ok t_cmp($res->code, 303, 'logged out on 8640');
my $replay = browser();
$replay->cookie_jar->set_cookie(0, 'ac_session', $sid, '/', '127.0.0.1');
to_login($replay->get($url{8641}), 'the old session cookie on 8641');
