# AuthClientPassCORSPreflight On: a CORS preflight (OPTIONS with Origin
# and Access-Control-Request-Method) goes on unauthenticated to what
# answers it (mod_headers here), without a user or a session even when a
# session cookie comes along; every other request, a plain OPTIONS among
# them, still needs a session.  conf/extra.conf.in, /perpath/cors*.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login);

plan tests => 27;

my $base = base_url();
my @preflight = (Origin => 'https://spa.example',
                 'Access-Control-Request-Method' => 'POST',
                 'Access-Control-Request-Headers' => 'content-type');

sub send_req {
    my ($ua, $method, $path, @headers) = @_;
    my $req = HTTP::Request->new($method => "$base$path");
    $req->header(@headers) if @headers;
    return $ua->request($req);
}

sub passes {
    my ($res, $what) = @_;
    ok t_cmp($res->code, 200, "$what: answered");
    ok t_cmp($res->header('Access-Control-Allow-Origin') // '', 'https://spa.example',
             "$what: by what answers preflights");
    ok t_cmp($res->header('WWW-Authenticate'), undef, "$what: no challenge");
    ok t_cmp($res->header('Location'), undef, "$what: no login");
    ok t_cmp(scalar $res->header('Set-Cookie'), undef, "$what: no cookie, no login started");
    ok t_cmp($res->header('X-Seen-User') // '', '', "$what: no user");
}

sub refused {
    my ($res, $what) = @_;
    ok t_cmp($res->code, 401, "$what: 401 as without the directive");
}

# ---- anonymous ------------------------------------------------------------------
passes(send_req(browser(), OPTIONS => '/perpath/cors/env.cgi', @preflight), 'preflight');
refused(send_req(browser(), OPTIONS => '/perpath/cors/env.cgi'), 'plain OPTIONS');
refused(send_req(browser(), OPTIONS => '/perpath/cors/env.cgi', Origin => 'https://spa.example'),
        'OPTIONS with Origin only');
refused(send_req(browser(), OPTIONS => '/perpath/cors/env.cgi',
                 'Access-Control-Request-Method' => 'POST'),
        'OPTIONS with Access-Control-Request-Method only');
# the preflight headers on another method are no preflight
refused(send_req(browser(), POST => '/perpath/cors/env.cgi', @preflight), 'POST with preflight headers');
refused(send_req(browser(), GET => '/perpath/cors/env.cgi', @preflight, 'Sec-Fetch-Mode' => 'cors'),
        'GET with preflight headers');
# the real request after the preflight needs a session as before
refused(send_req(browser(), GET => '/perpath/cors/env.cgi', Origin => 'https://spa.example',
                 'Sec-Fetch-Mode' => 'cors'), 'the cross-origin GET itself');
refused(send_req(browser(), OPTIONS => '/perpath/cors-off/env.cgi', @preflight),
        'preflight where AuthClientPassCORSPreflight is Off');
refused(send_req(browser(), OPTIONS => '/perpath/auth/env.cgi', @preflight),
        'preflight where it is not set');

# an API of bearer tokens: the preflight carries no token either
my $res = send_req(browser(), OPTIONS => '/perpath/cors-bearer/env.cgi', @preflight);
ok t_cmp($res->code, 200, 'bearer-only API: preflight answered');
ok t_cmp($res->header('WWW-Authenticate'), undef, 'bearer-only API: preflight not challenged');
$res = send_req(browser(), GET => '/perpath/cors-bearer/env.cgi');
ok t_cmp($res->code, 401, 'bearer-only API: a request without a token still 401');

# ---- with a session cookie: still no user, no session touched -----------------------
my $ua = browser();
ok t_cmp((login($ua, "$base/app/env.cgi"))[-1]->code, 200, 'logged in at /app/');
passes(send_req($ua, OPTIONS => '/perpath/cors/env.cgi', @preflight), 'preflight with a session cookie');
$res = send_req($ua, GET => '/perpath/cors/env.cgi');
ok t_cmp($res->code, 200, 'signed in: a GET passes');
ok t_cmp($res->header('X-Seen-User') // '', 'alice', 'signed in: a GET has the user');
# a plain OPTIONS with the session is an authenticated request as before
$res = send_req($ua, OPTIONS => '/perpath/cors/env.cgi');
ok t_cmp($res->header('X-Seen-User') // '', 'alice', 'signed in: a plain OPTIONS has the user');
