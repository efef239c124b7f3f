# The API relay toward the GitHub-like OAuth 2.0 provider (conf/extra.conf.in,
# "the API relay"): /relay/gh-*/ is proxied to http://127.0.0.1:4602/api/ and
# the module sends the session's access token as a Bearer credential.  The
# provider's /api/relay/echo answers only a valid token, with what arrived;
# /api/relay/unauthorized answers 401 to any token.  gh-expiring's tokens
# are refreshed before every relayed request (AuthClientRefreshMargin is
# longer than their life).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request ();
use JSON::PP ();
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of jar_cookie provider_stats);

plan tests => 62;

my $base = base_url();
my $json = JSON::PP->new->utf8;
my @seen;

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
sub stats { return provider_stats('oauth2') }
sub logged_in {
    my ($name) = @_;
    my $ua = browser();
    my @steps = login($ua, "$base/$name/env.cgi");
    return ($ua, env_of($steps[-1]));
}
sub refused {
    my ($res, $status, $code, $what) = @_;
    ok t_cmp($res->code, $status, "$what: $status");
    ok t_cmp($res->header('X-Auth-Client-Error'), $code, "$what: $code");
}
my @same_origin = (Origin => $base);

# ---- a GET: the Bearer token, and nothing of the browser's --------------------------------
my ($ua, $env) = logged_in('gh-basic');
my $token = $env->{OIDC_access_token} // 'none';
ok t_cmp($token, qr/^gho_/, 'logged in with gh-basic');
my $sid = jar_cookie($ua, 'ac_session');
my $before = stats()->{relay_calls};
# the session cookie with one of the application's own, a credential of
# the browser's choosing, and a header posing as an exported claim
my $res = call($ua, GET => '/relay/gh-basic/relay/echo?page=2&q=caf%C3%A9',
               headers => [Authorization => 'Bearer gho_chosen_by_the_browser',
                           Cookie => "app_theme=dark; ac_session=$sid",
                           'OIDC_CLAIM_email' => 'mallory@example.org']);
my $echo = echo_of($res);
ok t_cmp($res->code, 200, "GET: the provider accepted the session's token");
ok t_cmp($echo->{user}, 'alice-gh', 'GET: as the session\'s user');
ok t_cmp($echo->{client_id}, 'gh-basic', 'GET: a token of the gh-basic client');
ok t_cmp($echo->{authorization_scheme}, 'Bearer', 'GET: as a Bearer token');
ok t_cmp($echo->{path}, '/api/relay/echo', 'GET: under the API base URL');
ok t_cmp(join('&', map { "$_->[0]=$_->[1]" } @{ $echo->{query} }), "page=2&q=caf\x{e9}",
         'GET: the query');
ok t_cmp($echo->{cookie}, undef, 'GET: no Cookie header upstream (neither the session\'s nor the app\'s)');
my %hdr = map { $_ => 1 } @{ $echo->{headers} // [] };
ok t_cmp(join(',', grep { /^oidc/ } sort keys %hdr), '',
         'GET: neither exported claims nor the token as headers upstream (ClaimHeaders On here)');
ok t_cmp($hdr{'x-forwarded-for'} ? 1 : 0, 1, 'GET: what mod_proxy adds itself still goes');
ok t_cmp(stats()->{relay_calls}, $before + 1, 'GET: one call reached the provider');
ok t_cmp($res->header('Set-Cookie'), undef, "GET: the provider's cookie stays away from the browser");
ok t_cmp(jar_cookie($ua, 'ac_session'), $sid, 'GET: the session cookie untouched');

# ---- bodies and methods of a same-origin page -------------------------------------------------
my $form = 'title=%C3%9Cml%C3%A4ut&body=a+b';
$res = call($ua, POST => '/relay/gh-basic/relay/echo', type => 'application/x-www-form-urlencoded',
            body => $form, headers => [@same_origin]);
ok t_cmp($res->code, 200, 'form POST, same origin: relayed');
ok t_cmp(echo_of($res)->{body}, $form, 'form POST: the body unchanged');
my $doc = '{"title":"\u00dcml\u00e4ut","labels":["bug"]}';
$res = call($ua, PATCH => '/relay/gh-basic/relay/echo', type => 'application/json',
            body => $doc, headers => ['Sec-Fetch-Site' => 'same-origin', @same_origin]);
ok t_cmp(echo_of($res)->{method}, 'PATCH', 'JSON PATCH, Sec-Fetch-Site same-origin: relayed');
ok t_cmp(echo_of($res)->{body}, $doc, 'JSON PATCH: the body unchanged');
$res = call($ua, PUT => '/relay/gh-basic/relay/echo', type => 'application/json',
            body => '{}', headers => [@same_origin]);
ok t_cmp(echo_of($res)->{method}, 'PUT', 'PUT, same origin: relayed');
$res = call($ua, DELETE => '/relay/gh-basic/relay/echo', headers => [@same_origin]);
ok t_cmp(echo_of($res)->{method}, 'DELETE', 'DELETE, same origin: relayed');
# a client that is not a browser sends neither header
$res = call($ua, POST => '/relay/gh-basic/relay/echo', type => 'application/json', body => '{}');
ok t_cmp($res->code, 200, 'POST without Origin or Sec-Fetch-Site: relayed');

# ---- another site cannot drive the user's API ----------------------------------------------------
$before = stats()->{relay_calls};
refused(call($ua, POST => '/relay/gh-basic/relay/echo', type => 'application/json', body => '{}',
             headers => [Origin => 'https://evil.example']), 403, 'relay_cross_site',
        'POST from another origin');
refused(call($ua, DELETE => '/relay/gh-basic/relay/echo', headers => ['Sec-Fetch-Site' => 'cross-site']),
        403, 'relay_cross_site', 'DELETE with Sec-Fetch-Site cross-site');
refused(call($ua, PUT => '/relay/gh-basic/relay/echo', type => 'application/json', body => '{}',
             headers => [Origin => "$base.evil.example"]), 403, 'relay_cross_site',
        'PUT from an origin that only starts like this one');
refused(call($ua, PATCH => '/relay/gh-basic/relay/echo', type => 'application/json', body => '{}',
             headers => ['Sec-Fetch-Site' => 'none', @same_origin]), 403, 'relay_cross_site',
        'PATCH with Sec-Fetch-Site none (not from a page of this site)');
ok t_cmp(stats()->{relay_calls}, $before, 'none of them reached the provider');

# ---- no token reaches the browser ------------------------------------------------------------------
my $all = join "\n", map { $_->headers->as_string . "\n" . ($_->content // '') } @seen;
ok t_cmp(index($all, $token), -1, 'the access token is in no answer of the relay');

# ---- no session, or a session of another provider: 401 -------------------------------------------------
$before = stats()->{relay_calls};
my $anon = browser(navigate => 1);
$res = call($anon, GET => '/relay/gh-basic/relay/echo');
ok t_cmp($res->code, 401, 'no session, a navigation: 401');
ok t_cmp($res->header('Location'), undef, 'no session: never a login redirect');
ok t_cmp($res->header('WWW-Authenticate') // '', qr/^Bearer\b/, 'no session: a Bearer challenge');
ok t_cmp(call($anon, DELETE => '/relay/gh-basic/relay/echo', headers => [@same_origin])->code, 401,
         'no session, a DELETE: 401');
# /relay/gh-any/ takes the session of any provider of the host
my ($tw) = logged_in('tw-hmac');
refused(call($tw, GET => '/relay/gh-any/relay/echo'), 401, 'relay_login_required',
        'a session of another provider (tw-hmac) at the gh-basic relay');
ok t_cmp(stats()->{relay_calls}, $before, 'none of them reached the provider');
ok t_cmp(call($ua, GET => '/relay/gh-any/relay/echo')->code, 200,
         'a gh-basic session at the same location: relayed');
$before = stats()->{relay_calls};
refused(call($ua, GET => '/relay/gh-open/relay/echo'), 401, 'relay_login_required',
        'a relay location without AuthType oauth has no session to relay');
ok t_cmp(stats()->{relay_calls}, $before, 'and nothing reached the provider');

# ---- refresh first, and the provider's 401 afterwards is the answer ------------------------------------
my ($ex, $exenv) = logged_in('gh-expiring');
my $first = $exenv->{OIDC_access_token} // '';
ok t_cmp($first, qr/^gho_/, 'logged in with gh-expiring (a token that expires, and a refresh token)');
my $st = stats();
$res = call($ex, GET => '/relay/gh-expiring/relay/echo');
ok t_cmp($res->code, 200, 'due for refresh: relayed');
ok t_cmp(echo_of($res)->{token_refreshed} ? 1 : 0, 1, 'with the token of a refresh');
ok t_cmp(stats()->{token_refreshed}, $st->{token_refreshed} + 1, 'one refresh at the provider');

$st = stats();
$res = call($ex, GET => '/relay/gh-expiring/relay/unauthorized',
            headers => ['Sec-Fetch-Mode' => 'cors']);
my $after = stats();
ok t_cmp($res->code, 401, "the provider's 401 after a refresh: 401 to the browser");
ok t_cmp($res->header('Location'), undef, 'no login redirect');
ok t_cmp($res->header('WWW-Authenticate') // '', qr/invalid_token/, "the provider's own challenge");
ok t_cmp($res->header('X-Auth-Client-Error'), undef, "the provider's answer, not the module's");
ok t_cmp($res->content, qr/Bad credentials/, "the provider's body");
ok t_cmp($after->{token_refreshed}, $st->{token_refreshed} + 1, 'one refresh before it, no second');
ok t_cmp($after->{relay_unauthorized}, $st->{relay_unauthorized} + 1, 'one call, not retried');
ok t_cmp($after->{last_relay_unauthorized}{token_valid} ? 1 : 0, 1, 'the token sent was valid');
ok t_cmp($after->{last_relay_unauthorized}{token_refreshed} ? 1 : 0, 1, 'and the refreshed one');
ok t_cmp($after->{authorize_form}, $st->{authorize_form}, 'no new login started');
# the same again with a navigation: still 401, still one call
$res = call(browser(navigate => 1), GET => '/relay/gh-expiring/relay/unauthorized');
ok t_cmp($res->code, 401, 'without a session: 401 (the module\'s)');
$res = call($ex, GET => '/relay/gh-expiring/relay/unauthorized',
            headers => ['Sec-Fetch-Mode' => 'navigate']);
ok t_cmp($res->code, 401, 'a navigation to an API that says 401: 401');
ok t_cmp(stats()->{relay_unauthorized}, $after->{relay_unauthorized} + 1, 'again one call');
# the session lives on: the next call refreshes and succeeds
$res = call($ex, GET => '/relay/gh-expiring/relay/echo');
ok t_cmp($res->code, 200, 'the session is not ended by the provider\'s 401');
ok t_cmp(echo_of($res)->{user}, 'alice-gh', 'and still the user\'s');
my $ex_all = join "\n", map { $_->headers->as_string . "\n" . ($_->content // '') } @seen;
ok t_cmp(index($ex_all, $first), -1, 'the first gh-expiring token reached no answer');
ok t_cmp(scalar(grep { defined $_->header('Set-Cookie') } @seen), 0,
         'no answer of the relay sets a cookie');
