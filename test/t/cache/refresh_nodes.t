# Two httpd nodes behind one memcached, one session: past the refresh
# margin, parallel requests on both nodes at once still make one refresh
# grant at the provider - the node that refreshes leaves the result under
# the old refresh token, and the other waits for it instead of spending
# the rotated token.  Runs only with -defines AC_MEMCACHE.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::PP qw(decode_json);
use LWP::UserAgent;
use Time::HiRes qw(sleep time);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(parallel_tokens browser login env_of jar_cookie);
use ACTest::Node qw(start_node stop_nodes);
use ACTest::Services ();

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
plan tests => 9, need {
    'two nodes refresh through memcached: run with -defines AC_MEMCACHE'
        => $defines{AC_MEMCACHE},
};

END {
    local $?;
    stop_nodes();
}

my $op = "https://127.0.0.1:$ACTest::Services::PORT{oidc}";
my $provider_ua = LWP::UserAgent->new(timeout => 10,
                                      ssl_opts => { SSL_ca_file => $ENV{ACTEST_CA} });
sub grants {
    my $res = $provider_ua->get("$op/test/stats");
    die 'provider stats: ' . $res->status_line . "\n" unless $res->is_success;
    return decode_json($res->content)->{grants}{'ac-refresh'}{refresh_token} // 0;
}

sub node_config {
    my $t = Apache::Test::config()->{vars}{serverroot};
    return <<"CONF";
AuthClientCache memcache:127.0.0.1:$ACTest::Services::PORT{memcached}
AuthClientPassphrase "integration-passphrase-0123456789"
<AuthClientProvider op-refresh>
    ServerMetadataURL $op/.well-known/openid-configuration
    ClientID          ac-refresh
    ClientSecret      ac-refresh-secret
    Scope             openid email profile
</AuthClientProvider>
Alias /refresh/ "$t/htdocs/app/"
<Directory "$t/htdocs/app">
    Options +ExecCGI
    AddHandler cgi-script .cgi
</Directory>
<Location /refresh/>
    AuthType                  oauth
    AuthClientProvider        op-refresh
    AuthClientPassAccessToken On
    AuthClientRefreshMargin   4
    Require                   valid-user
</Location>
CONF
}

my @ports = (8645, 8646);
ok t_cmp(start_node($_, node_config()), undef, "node $_ started") for @ports;

my $ua = browser();
my $res = (login($ua, "http://127.0.0.1:$ports[0]/refresh/env.cgi"))[-1];
my $env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'alice', "logged in on $ports[0]");
my $sid = jar_cookie($ua, 'ac_session');
$res = LWP::UserAgent->new->get("http://127.0.0.1:$ports[1]/refresh/env.cgi",
                                Cookie => "ac_session=$sid");
ok t_cmp(env_of($res)->{OIDC_access_token}, $env->{OIDC_access_token},
         "$ports[1] has the same session and token");

# past the margin (the exported expiry is whole seconds)
my $wait = $env->{OIDC_access_token_expires} - 4 - time + 1.3;
sleep $wait if $wait > 0;
my $before = grants();
my ($codes, $tokens) = parallel_tokens([ map { "http://127.0.0.1:$ports[$_ % 2]/refresh/env.cgi" } 0 .. 9 ], $sid);
my %codes = %$codes;
my %tokens = %$tokens;
ok t_cmp($codes{200} // 0, 10, 'ten parallel requests on two nodes past the margin: all served');
ok t_cmp(scalar keys %tokens, 1, 'all with the same token');
ok t_cmp((keys %tokens)[0] ne $env->{OIDC_access_token} ? 1 : 0, 1, 'a new one');
ok t_cmp(grants(), $before + 1, 'from exactly one refresh grant at the provider');
$res = LWP::UserAgent->new->get("http://127.0.0.1:$ports[1]/refresh/env.cgi",
                                Cookie => "ac_session=$sid");
ok t_cmp(env_of($res)->{OIDC_access_token}, (keys %tokens)[0], 'and both nodes keep it');
