# Single logout across two httpd nodes behind one memcached: a sign-out at
# the provider is delivered to one node (ac-bcl-nodes' backchannel_logout_uri
# is node 8640) and ends the session on the other too; an administrator's
# logout by sub, delivered to 8640, ends a session made on 8641.  Runs only
# with -defines AC_MEMCACHE; the nodes are extra httpd processes
# (ACTest::Node), stopped here whatever happens.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser login env_of jar_cookie);
use ACTest::Logout qw(provider_logout admin_logout);
use ACTest::Node qw(start_node stop_nodes);
use ACTest::Services ();

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
plan tests => 12, need {
    'two nodes share sessions through memcached: run with -defines AC_MEMCACHE'
        => $defines{AC_MEMCACHE},
};

END {
    local $?;
    stop_nodes();
}

sub node_config {
    my $t = Apache::Test::config()->{vars}{serverroot};
    return <<"CONF";
AuthClientCache memcache:127.0.0.1:$ACTest::Services::PORT{memcached}
AuthClientPassphrase "integration-passphrase-0123456789"
AuthClientBackchannelLogoutPath /auth/backchannel
<AuthClientProvider op>
    ServerMetadataURL https://127.0.0.1:$ACTest::Services::PORT{oidc}/.well-known/openid-configuration
    ClientID          ac-bcl-nodes
    ClientSecret      ac-bcl-nodes-secret
    Scope             openid email
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

my %url = map { $_ => "http://127.0.0.1:$_/app/env.cgi" } 8640, 8641;

ok t_cmp(start_node(8640, node_config()), undef, 'node 8640 started');
ok t_cmp(start_node(8641, node_config()), undef, 'node 8641 started');

# a session made on 8640, used on 8641
my $ua = browser();
my $res = (login($ua, $url{8640}))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'logged in on 8640');
ok t_cmp($ua->get($url{8641})->code, 200, '8641 takes the session');

# bob, on 8641, is not concerned
my $bob = browser();
ok t_cmp(env_of((login($bob, $url{8641}, user => 'bob'))[-1])->{REMOTE_USER}, 'bob',
         'bob logged in on 8641');

# the provider tells 8640; 8641 no longer has the session either
$res = provider_logout($ua);
ok t_cmp($res->code, 303, 'signed out at the provider');
ok t_cmp($ua->get($url{8641})->code, 302, 'the session ended on 8641 too');
ok t_cmp($ua->get($url{8640})->code, 302, 'and on 8640');
ok t_cmp($bob->get($url{8641})->code, 200, "bob's session lives");

# a session made on 8641 ends by a logout by sub delivered to 8640
my $a2 = browser();
login($a2, $url{8641});
ok t_cmp($a2->get($url{8640})->code, 200, 'alice again, made on 8641');
ok t_cmp(admin_logout('ac-bcl-nodes', 'alice'), 200, 'logout by sub, delivered to 8640');
ok t_cmp($a2->get($url{8641})->code, 302, 'the session made on 8641 ended');
