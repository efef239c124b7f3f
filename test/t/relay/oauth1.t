# The API relay toward the Twitter-like OAuth 1.0a provider (conf/extra.conf.in,
# "the API relay"): /relay/tw-*/ is proxied to http://127.0.0.1:4601/1.1/ and
# the module signs each request with the session's token credentials.  The
# provider's /1.1/relay/echo verifies the signature with oauthlib's resource
# endpoint and echoes what arrived, so every "200" below is a signature the
# provider's own library accepted.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request ();
use JSON::PP ();
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of provider_stats);

plan tests => 71;

my $base = base_url();
my $json = JSON::PP->new->utf8;
my @seen;       # every answer the browser got from the relay

sub call {
    my ($ua, $method, $path, %o) = @_;
    my $req = HTTP::Request->new($method => "$base$path", $o{headers} // [], $o{body});
    $req->header('Content-Type' => $o{type}) if $o{type};
    my $res = $ua->request($req);
    push @seen, $res;
    return $res;
}
sub echo_of {
    my ($res) = @_;
    return eval { $json->decode($res->content // '') } // {};
}
sub pairs { return join '&', map { "$_->[0]=$_->[1]" } @{ $_[0] // [] } }
sub calls { return provider_stats('oauth1')->{relay_calls} }
sub logged_in {
    my ($name) = @_;
    my $ua = browser();
    my @steps = login($ua, "$base/$name/env.cgi");
    return ($ua, env_of($steps[-1]));
}
my @same_origin = (Origin => $base);

# ---- GET with a query: signed over it, the provider's library agrees -----------------
my ($ua, $env) = logged_in('tw-hmac');
ok t_cmp($env->{REMOTE_USER}, 'alice_tw', 'logged in with tw-hmac');
my $before = calls();
my $res = call($ua, GET => '/relay/tw-hmac/relay/echo?q=caf%C3%A9&x=a+b&empty=');
my $echo = echo_of($res);
ok t_cmp($res->code, 200, 'GET: the provider verified the signature');
ok t_cmp($echo->{user}, 'alice_tw', 'GET: as the session\'s user');
ok t_cmp($echo->{method}, 'GET', 'GET: the method');
ok t_cmp($echo->{path}, '/1.1/relay/echo', 'GET: under the API base URL');
ok t_cmp(pairs($echo->{query}), "q=caf\x{e9}&x=a b&empty=", 'GET: the query, UTF-8 and all');
ok t_cmp($echo->{signature_location}, 'header', 'GET: signed in the Authorization header');
ok t_cmp($echo->{cookie}, undef, 'GET: the browser\'s Cookie header stays here');
ok t_cmp(calls(), $before + 1, 'GET: one call reached the provider');
ok t_cmp($res->header('Set-Cookie'), undef, "the provider's cookie does not reach the browser");

# ---- form POST with a query and UTF-8 values ----------------------------------------
my $form = 'status=%C3%9Cml%C3%A4ut+%E2%9C%93&note=a%2Bb&note=2&empty=';
$res = call($ua, POST => '/relay/tw-hmac/relay/echo?page=2&lang=d%C3%A9',
            type => 'application/x-www-form-urlencoded; charset=UTF-8',
            body => $form, headers => [@same_origin]);
$echo = echo_of($res);
ok t_cmp($res->code, 200, 'form POST: the provider verified the signature over the body');
ok t_cmp($echo->{method}, 'POST', 'form POST: the method');
ok t_cmp(pairs($echo->{form}), "status=\x{dc}ml\x{e4}ut \x{2713}&note=a+b&note=2&empty=",
         'form POST: the form, decoded by the provider');
ok t_cmp($echo->{body}, $form, 'form POST: the body byte for byte as the browser sent it');
ok t_cmp(pairs($echo->{query}), "page=2&lang=d\x{e9}", 'form POST: the query');

# a chunked form body: read whole, signed, sent on with its length
my @chunks = ('status=%C3%9Cml', '%C3%A4ut&page', '=3');
my $chunked = HTTP::Request->new(POST => "$base/relay/tw-hmac/relay/echo",
                                 ['Content-Type' => 'application/x-www-form-urlencoded',
                                  @same_origin], sub { shift @chunks });
$res = $ua->request($chunked);
push @seen, $res;
ok t_cmp($res->request->header('Content-Length'), undef, 'chunked POST: sent without a length');
ok t_cmp(pairs(echo_of($res)->{form}), "status=\x{dc}ml\x{e4}ut&page=3",
         'chunked POST: the provider verified the signature over the whole body');

# a body that is not a form is not signed, and passes unchanged
my $doc = '{"text":"caf\u00e9","n":1}';
$res = call($ua, POST => '/relay/tw-hmac/relay/echo', type => 'application/json',
            body => $doc, headers => [@same_origin]);
ok t_cmp($res->code, 200, 'JSON POST: signed without its body');
ok t_cmp(echo_of($res)->{body}, $doc, 'JSON POST: the body unchanged');

# Sec-Fetch-Site says same-origin, as a browser's fetch() does
$res = call($ua, POST => '/relay/tw-hmac/relay/echo', type => 'application/x-www-form-urlencoded',
            body => 'a=1', headers => ['Sec-Fetch-Site' => 'same-origin', @same_origin]);
ok t_cmp($res->code, 200, 'POST with Sec-Fetch-Site same-origin');

# ---- RSA-SHA1 ---------------------------------------------------------------------------
my ($rsa) = logged_in('tw-rsa');
$res = call($rsa, GET => '/relay/tw-rsa/relay/echo?x=1');
ok t_cmp($res->code, 200, 'RSA-SHA1: a relayed GET verifies');
$res = call($rsa, POST => '/relay/tw-rsa/relay/echo', type => 'application/x-www-form-urlencoded',
            body => 'x=%E2%9C%93', headers => [@same_origin]);
ok t_cmp(pairs(echo_of($res)->{form}), "x=\x{2713}", 'RSA-SHA1: a relayed form POST verifies');

# ---- SignaturePlacement query: the browser's Authorization goes nowhere ---------------------
my ($q) = logged_in('tw-query');
$res = call($q, GET => '/relay/tw-query/relay/echo?a=1',
            headers => [Authorization => 'Basic YWxpY2U6YWxpY2UtcHc=']);
$echo = echo_of($res);
ok t_cmp($res->code, 200, 'query placement: verified');
ok t_cmp($echo->{signature_location}, 'query', 'query placement: oauth_* in the query');
ok t_cmp($echo->{authorization_scheme}, undef,
         "query placement: the browser's Authorization header is not forwarded");
ok t_cmp(pairs($echo->{query}), 'a=1', 'query placement: the query of the browser kept');

# ---- SignaturePlacement body: appended to a form body, else the query ---------------------------
my ($bd) = logged_in('tw-body');
$res = call($bd, POST => '/relay/tw-body/relay/echo', type => 'application/x-www-form-urlencoded',
            body => 'a=%C3%A9&b=', headers => [@same_origin]);
$echo = echo_of($res);
ok t_cmp($res->code, 200, 'body placement: verified');
ok t_cmp($echo->{signature_location}, 'body', 'body placement: oauth_* in the form body');
ok t_cmp($echo->{body}, 'a=%C3%A9&b=', 'body placement: the browser\'s body comes first, unchanged');
$res = call($bd, POST => '/relay/tw-body/relay/echo', type => 'application/x-www-form-urlencoded',
            body => '', headers => [@same_origin]);
ok t_cmp(echo_of($res)->{signature_location}, 'body', 'body placement: an empty form body too');
$res = call($bd, GET => '/relay/tw-body/relay/echo?a=1');
ok t_cmp(echo_of($res)->{signature_location}, 'query', 'body placement: a GET falls back to the query');

# ---- no token reaches the browser ---------------------------------------------------------
my ($token, $secret) = @$env{qw(OIDC_access_token OIDC_access_token_secret)};
ok t_cmp(length($token // '') >= 20 && length($secret // '') >= 20 ? 1 : 0, 1,
         'the session\'s token and secret (for the checks below)');
my $all = join "\n", map { $_->headers->as_string . "\n" . ($_->content // '') } @seen;
ok t_cmp(index($all, $token), -1, 'the access token is in no answer of the relay');
ok t_cmp(index($all, $secret), -1, 'nor the token secret');
ok t_cmp(scalar(grep { defined $_->header('Set-Cookie') } @seen), 0,
         'no answer of the relay sets a cookie');

# ---- state-changing methods need the same origin ------------------------------------------------
sub refused {
    my ($res, $status, $code, $what) = @_;
    ok t_cmp($res->code, $status, "$what: $status");
    ok t_cmp($res->header('X-Auth-Client-Error'), $code, "$what: $code");
}
$before = calls();
my @post = (type => 'application/x-www-form-urlencoded', body => 'status=pwned');
refused(call($ua, POST => '/relay/tw-hmac/relay/echo', @post,
             headers => [Origin => 'http://evil.example']), 403, 'relay_cross_site',
        'POST from another origin');
refused(call($ua, POST => '/relay/tw-hmac/relay/echo', @post,
             headers => ['Sec-Fetch-Site' => 'cross-site']), 403, 'relay_cross_site',
        'POST with Sec-Fetch-Site cross-site');
refused(call($ua, POST => '/relay/tw-hmac/relay/echo', @post,
             headers => ['Sec-Fetch-Site' => 'same-site', Origin => $base]), 403,
        'relay_cross_site', 'POST from a sibling subdomain (same-site)');
refused(call($ua, POST => '/relay/tw-hmac/relay/echo', @post, headers => [Origin => 'null']),
        403, 'relay_cross_site', 'POST from an opaque origin');
refused(call($ua, DELETE => '/relay/tw-hmac/relay/echo', headers => [Origin => 'http://evil.example']),
        403, 'relay_cross_site', 'DELETE from another origin');
ok t_cmp(calls(), $before, 'none of them reached the provider');
# a read from another origin is the browser's CORS business: no CORS headers here
$res = call($ua, GET => '/relay/tw-hmac/relay/echo', headers => [Origin => 'http://evil.example']);
ok t_cmp($res->code, 200, 'GET from another origin is relayed (the browser keeps the answer)');
ok t_cmp($res->header('Access-Control-Allow-Origin'), undef, 'and no CORS header lets it read it');

# ---- what the relay will not sign ---------------------------------------------------------------
$before = calls();
refused(call($ua, GET => '/relay/tw-hmac/relay/echo?oauth_token=mine'), 400,
        'relay_oauth_param', 'the browser\'s own oauth_* parameter');
refused(call($ua, POST => '/relay/tw-hmac/relay/echo', type => 'application/x-www-form-urlencoded',
             body => 'a=1&oauth_callback=x', headers => [@same_origin]), 400,
        'relay_oauth_param', 'an oauth_* parameter in the form body');
refused(call($ua, POST => '/relay/tw-hmac/relay/echo', type => 'application/x-www-form-urlencoded',
             body => 'x=' . ('a' x (1024 * 1024)), headers => [@same_origin]), 413,
        'relay_body_too_large', 'a form body over 1 MiB');
# without a Content-Length to go by, the count while reading stops it
my $left = 17;
my $big = HTTP::Request->new(POST => "$base/relay/tw-hmac/relay/echo",
                             ['Content-Type' => 'application/x-www-form-urlencoded',
                              @same_origin], sub { $left-- > 0 ? 'a' x 65536 : '' });
refused($ua->request($big), 413, 'relay_body_too_large', 'a chunked form body over 1 MiB');
ok t_cmp(calls(), $before, 'none of them reached the provider');

# ---- outside the API base URL at run time ---------------------------------------------------------
# /relay/tw-outside/ inherits the relay; its sub-location proxies to /oauth/
my $st = provider_stats('oauth1');
refused(call($ua, GET => '/relay/tw-outside/oauth/request_token'), 403, 'relay_outside_base',
        'a ProxyPass outside the API base URL');
refused(call($ua, POST => '/relay/tw-outside/oauth/access_token', @post, headers => [@same_origin]),
        403, 'relay_outside_base', 'also for a POST');
my $now = provider_stats('oauth1');
ok t_cmp($now->{request_token} + $now->{rejected}{request_token} + $now->{access_token}
         + $now->{rejected}{access_token},
         $st->{request_token} + $st->{rejected}{request_token} + $st->{access_token}
         + $st->{rejected}{access_token}, 'the provider\'s token endpoints saw nothing');
refused(call($ua, GET => '/relay/tw-outside/socket/relay/echo'), 403, 'relay_outside_base',
        'the API base URL through a Unix socket');
refused(call($ua, GET => '/relay/tw-outside/local/index.html'), 500, 'relay_not_proxied',
        'a relay location that is not proxied serves nothing');

# ---- no session: 401, never a login redirect -------------------------------------------------------
my $anon = browser(navigate => 1);
$before = calls();
$res = call($anon, GET => '/relay/tw-hmac/relay/echo');
ok t_cmp($res->code, 401, 'no session, a navigation: 401');
ok t_cmp($res->header('Location'), undef, 'no session: no redirect to the provider');
ok t_cmp($res->header('WWW-Authenticate') // '', qr/^Bearer\b/, 'no session: WWW-Authenticate');
$res = call($anon, POST => '/relay/tw-hmac/relay/echo', @post, headers => [@same_origin]);
ok t_cmp($res->code, 401, 'no session, a POST: 401');
ok t_cmp(calls(), $before, 'no session: nothing reached the provider');
