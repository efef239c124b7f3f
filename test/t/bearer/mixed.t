# "AuthClientBearer on": a request with a bearer token is the token's (and
# refused without a redirect when the token is bad), any other one goes the
# browser's way; "only" never looks at a session.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(base_url browser login env_of);
use ACTest::Bearer qw(api_token bearer_get);

plan tests => 16;

my $base = base_url();
my $url = "$base/bearer-mixed/env.cgi";
my $jwt = api_token('ac-api');

# a browser without a token is sent to log in
my $nav = browser(navigate => 1)->get($url);
ok t_cmp($nav->code, 302, 'browser without a token: 302');
ok t_cmp($nav->header('Location') // '', qr{^https://127\.0\.0\.1:3643/auth\?},
         'browser without a token: to the provider');

# curl with a token: 200, no cookie
my $res = bearer_get($url, $jwt);
ok t_cmp($res->code, 200, 'token: 200');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'ac-api', 'token: REMOTE_USER');
ok t_cmp(scalar($res->header('Set-Cookie')) // '', '', 'token: no cookie');

# curl with a bad token: 401, no redirect - also when it looks like a navigation
for my $nav (0, 1) {
    $res = bearer_get($url, "$jwt" . 'x', ($nav ? ('Sec-Fetch-Mode' => 'navigate') : ()));
    ok t_cmp($res->code, 401, "bad token (navigate $nav): 401");
    ok t_cmp($res->header('Location'), undef, "bad token (navigate $nav): no redirect");
    ok t_cmp(scalar($res->header('Set-Cookie')) // '', '', "bad token (navigate $nav): no cookie");
}

# a logged-in browser goes on by its session; with a bad token it is refused
my $ua = browser();
$res = (login($ua, $url))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'session: alice');
$res = $ua->get($url);
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'session again: alice');
$res = $ua->get($url, Authorization => 'Bearer not-a-token');
ok t_cmp($res->code, 401, 'session and a bad token: the token decides');
# the session does not count on a bearer-only location
$res = $ua->get("$base/bearer/env.cgi");
ok t_cmp($res->code, 401, 'session on an only location: 401');
ok t_cmp($res->header('WWW-Authenticate') // '', 'Bearer realm="mod_auth_client"',
         'session on an only location: bare challenge');
