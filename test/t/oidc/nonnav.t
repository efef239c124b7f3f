# Requests that cannot follow a redirect to the provider (XHR, fetch(),
# form posts) get 401 with a WWW-Authenticate challenge instead of a login;
# so does every request on a location with AuthClientUnauthAction 401.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common qw(POST);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of);

plan tests => 21;

my $base = base_url();
my $ua = browser();

sub is_401 {
    my ($res, $what) = @_;
    ok t_cmp($res->code, 401, "$what: 401");
    ok t_cmp($res->header('WWW-Authenticate') // '', qr/^Bearer\b.*realm=/,
             "$what: WWW-Authenticate");
    ok t_cmp($res->header('Location'), undef, "$what: no redirect");
}

is_401($ua->get("$base/app/env.cgi", 'X-Requested-With' => 'XMLHttpRequest'), 'XHR');
is_401($ua->get("$base/app/env.cgi", 'Sec-Fetch-Mode' => 'cors'), 'Sec-Fetch-Mode: cors');
is_401($ua->get("$base/app/env.cgi", 'Sec-Fetch-Mode' => 'no-cors'), 'Sec-Fetch-Mode: no-cors');
is_401($ua->request(POST "$base/app/env.cgi", [ a => 1 ]), 'POST');
is_401(browser(navigate => 1)->get("$base/api/env.cgi"), '/api/ navigation');

# a navigation, with or without the fetch metadata a browser sends
my $nav = browser(navigate => 1)->get("$base/app/env.cgi");
ok t_cmp($nav->code, 302, 'navigation (Sec-Fetch-Mode: navigate): 302');
ok t_cmp($nav->header('Location') // '', qr{^https://127\.0\.0\.1:3643/auth\?},
         'navigation: to the provider');
ok t_cmp($ua->get("$base/app/env.cgi")->code, 302, 'plain GET: 302');

# once logged in, XHR and POST pass on the session, also on /api/
my $res = (login($ua, "$base/app/env.cgi"))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'logged in');
$res = $ua->get("$base/app/env.cgi", 'X-Requested-With' => 'XMLHttpRequest',
                'Sec-Fetch-Mode' => 'cors');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'XHR with a session: passes');
$res = $ua->get("$base/api/env.cgi");
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', '/api/ with a session: passes');
