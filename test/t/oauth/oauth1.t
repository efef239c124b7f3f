# OAuth 1.0a logins against the Twitter-like provider (test/providers/oauth1):
# every signature method and placement, what the application sees, the
# temporary credentials kept on the server and used once, the user's
# "Cancel", a tampered verifier, and the extra request parameters.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use URI;
use HTTP::Request::Common qw(POST);
use JSON::PP ();
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of follow to_callback error_code
              set_cookie jar_cookie provider_stats);

plan tests => 123;

my $base = base_url();
my $provider = qr{^http://127\.0\.0\.1:4601/oauth/(?:authorize|authenticate)\?};
my $big_id = '1234567890123456789';   # above 2^53: a double would round it

# an error page from the callback: status, code, and no session cookie
sub refused {
    my ($res, $status, $code, $what) = @_;
    ok t_cmp($res->code, $status, "$what: $status");
    ok t_cmp(error_code($res), $code, "$what: $code");
    ok t_cmp(set_cookie($res, 'ac_session'), undef, "$what: no session cookie");
}

sub with_param {
    my ($uri, $name, $value) = @_;
    my $u = URI->new($uri);
    my @q = $u->query_form;
    for (my $i = 0; $i < @q; $i += 2) {
        $q[$i + 1] = $value if $q[$i] eq $name;
    }
    $u->query_form(@q);
    return $u;
}

# ---- full logins: each signature method and placement -----------------------------
# name => [ method, where request_token / access_token / api calls carry it ]
my %variant = (
    'tw-hmac'   => [ 'HMAC-SHA1',   'header', 'header', 'header' ],
    'tw-rsa'    => [ 'RSA-SHA1',    'header', 'header', 'header' ],
    'tw-sha256' => [ 'HMAC-SHA256', 'header', 'header', 'header' ],
    'tw-query'  => [ 'HMAC-SHA1',   'query',  'query',  'query' ],
    # the profile call is a GET, which has no body: query there
    'tw-body'   => [ 'HMAC-SHA1',   'body',   'body',   'query' ],
);
for my $name (sort keys %variant) {
    my ($method, @where) = @{ $variant{$name} };
    my $ua = browser();
    my $start = $ua->get("$base/$name/env.cgi");
    my $to = URI->new($start->header('Location') // '');
    my %q = $to->query_form;
    ok t_cmp("$to", $provider, "$name: to the provider's authorize page");
    # the browser learns the request token, never its secret
    ok t_cmp(join(',', sort keys %q), 'oauth_token', "$name: only oauth_token in the redirect");

    my @steps = login($ua, "$base/$name/env.cgi");
    my $env = env_of($steps[-1]);
    ok t_cmp($steps[-1]->code, 200, "$name: logged in, the app answers");
    ok t_cmp($env->{REMOTE_USER}, 'alice_tw', "$name: REMOTE_USER is screen_name");
    ok t_cmp($env->{OIDC_CLAIM_id_str}, $big_id, "$name: id_str exact");
    ok t_cmp($env->{OIDC_CLAIM_id}, $big_id, "$name: id exact although above 2^53");
    ok t_cmp($env->{OIDC_CLAIM_sub}, $big_id, "$name: sub from id_str");
    ok t_cmp($env->{OIDC_CLAIM_name}, "Alice \x{dc}mlaut", "$name: UTF-8 name");
    ok t_cmp($env->{OIDC_CLAIM_email}, 'alice@example.org', "$name: email");

    my $sig = provider_stats('oauth1')->{last_signature};
    ok t_cmp(join(' ', map { "$sig->{$_}{method}/$sig->{$_}{consumer}" }
                       qw(request_token access_token api)),
             join(' ', ("$method/$name") x 3) =~ s{/tw-(?:query|body)}{/tw-hmac}gr,
             "$name: every call signed with $method by its consumer");
    ok t_cmp(join(' ', map { $sig->{$_}{location} } qw(request_token access_token api)),
             join(' ', @where), "$name: the oauth_* parameters in the right place");
}

# ---- what the application sees, and that nothing secret reaches the browser ----
my $ua = browser();
my @steps = login($ua, "$base/tw-hmac/env.cgi");
my $env = env_of($steps[-1]);
ok t_cmp($env->{OIDC_CLAIM_user_id}, $big_id, 'user_id of the access token answer');
ok t_cmp($env->{OIDC_CLAIM_screen_name}, 'alice_tw', 'screen_name');
ok t_cmp($env->{OIDC_access_token} // '', qr/^[A-Za-z0-9]{30}$/, 'the access token');
ok t_cmp($env->{OIDC_access_token_secret} // '', qr/^[A-Za-z0-9]{30}$/,
         'the access token secret, for signing API calls');
ok t_cmp($env->{AUTH_TYPE}, 'oauth', 'AUTH_TYPE');
my @set = map { $_->header('Set-Cookie') } @steps;
ok t_cmp(scalar(grep { !/^ac_(?:flow|session)=(?:[A-Za-z0-9_-]{43})?;/ } @set), 0,
         'every cookie the login sets is a random id');
my $secret = $env->{OIDC_access_token_secret} // 'none';
my $token = $env->{OIDC_access_token} // 'none';
my $seen = join "\n", map { $_->headers->as_string } @steps;
ok t_cmp(index($seen, $secret), -1, 'the token secret is in no header the browser sees');
ok t_cmp(index($seen, $token), -1, 'the access token is in no header the browser sees');
ok t_cmp($seen, qr/^(?![\s\S]*oauth_token_secret)/,
         'no oauth_token_secret in any header');
# the secret also stays out of the cookies of the callback's answer
my ($cb_res) = grep { $_->request->uri =~ m{/auth/callback} } @steps;
ok t_cmp($cb_res->code, 303, 'the callback answers 303');
my @jar;
$ua->cookie_jar->scan(sub { push @jar, $_[2] });
ok t_cmp(scalar(grep { !/^[A-Za-z0-9_-]{43}$/ } @jar), 0, 'the jar holds only random ids');

# a session on the hot path; spoofed token secret headers are removed
my $again = $ua->get("$base/tw-hmac/env.cgi", ':OIDC_access_token_secret' => 'evil',
                     'OIDC-access-token-secret' => 'evil');
ok t_cmp(env_of($again)->{REMOTE_USER}, 'alice_tw', 'the session carries the next request');
ok t_cmp(env_of($again)->{OIDC_access_token_secret}, $secret, 'the real secret, not a spoofed one');
ok t_cmp(env_of($again)->{HTTP_OIDC_ACCESS_TOKEN_SECRET}, undef, 'the dashed header is removed');
ok t_cmp($again->header('X-Seen-Secret-Underscore') // '', qr/^(?!.*evil)/,
         'the underscore header is removed');
ok t_cmp($again->header('X-Seen-Secret-Dash') // '', qr/^(?!.*evil)/,
         'the dash header is removed');

# logout ends an OAuth 1.0a session locally (there is no provider logout)
my $out = $ua->request(POST "$base/auth/logout", Content => [ return => '/loggedout.html' ]);
ok t_cmp($out->code, 303, 'logout: 303');
ok t_cmp($out->header('Location'), "$base/loggedout.html", 'logout: back to this site');
ok t_cmp($ua->get("$base/tw-hmac/env.cgi")->code, 302, 'logout: the session is gone');

# ---- "Cancel" at the provider ---------------------------------------------------------
my $before = provider_stats('oauth1');
my $deny = browser();
my $cb = to_callback($deny, "$base/tw-hmac/env.cgi", action => 'deny');
ok t_cmp("$cb", qr{/auth/callback\?denied=[A-Za-z0-9]+$}, 'cancel: back with denied=TOKEN');
refused($deny->get($cb), 403, 'access_denied', 'cancel');
ok t_cmp(jar_cookie($deny, 'ac_session'), undef, 'cancel: no session in the jar');
ok t_cmp($deny->get("$base/tw-hmac/env.cgi")->code, 302, 'cancel: still sent to log in');
ok t_cmp(provider_stats('oauth1')->{authorize_deny}, $before->{authorize_deny} + 1,
         'cancel: the provider saw it');
refused($deny->get($cb), 400, 'state_unknown', 'cancel: the callback replayed');

# ---- a tampered verifier ------------------------------------------------------------------
$before = provider_stats('oauth1');
my $t = browser();
$cb = to_callback($t, "$base/tw-hmac/env.cgi");
my %cbq = $cb->query_form;
ok t_cmp($cbq{oauth_verifier} // '', qr/^[A-Za-z0-9]{30}$/, 'the provider sends a verifier');
my $wrong = ($cbq{oauth_verifier} =~ tr/A-Za-z0-9/B-Za-z0-9A/r);
my $bad = $t->get(with_param($cb, oauth_verifier => $wrong));
ok t_cmp($bad->code, qr/^[45]\d\d$/, 'wrong verifier: an error status');
ok t_cmp(error_code($bad), 'oauth1_http_status', 'wrong verifier: the provider refused it');
ok t_cmp(set_cookie($bad, 'ac_session'), undef, 'wrong verifier: no session cookie');
my $after = provider_stats('oauth1');
ok t_cmp($after->{rejected}{access_token}, $before->{rejected}{access_token} + 1,
         'wrong verifier: the provider turned the exchange down');
ok t_cmp($after->{access_token}, $before->{access_token}, 'wrong verifier: no access token issued');
# the temporary credentials were used up by the failed attempt
refused($t->get($cb), 400, 'state_unknown', 'wrong verifier, then the right one');
ok t_cmp($t->get("$base/tw-hmac/env.cgi")->code, 302, 'wrong verifier: not logged in');
ok t_cmp($bad->decoded_content // '', qr/^(?![\s\S]*\Q$cbq{oauth_verifier}\E)/,
         'wrong verifier: the page does not echo a verifier');

# ---- a request token the module never asked for -------------------------------------------
my $ft = browser();
$cb = to_callback($ft, "$base/tw-hmac/env.cgi");
my %ftq = $cb->query_form;
refused($ft->get(with_param($cb, oauth_token => ($ftq{oauth_token} =~ tr/A-Za-z0-9/B-Za-z0-9A/r))),
        400, 'state_unknown', 'callback with another request token');
@steps = follow($ft, $ft->get($cb));
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'alice_tw',
         'another request token: the real callback still works');

# ---- a callback without its verifier ------------------------------------------------------
my $nv = browser();
$cb = to_callback($nv, "$base/tw-hmac/env.cgi");
my $cut = URI->new($cb);
$cut->query_form(oauth_token => { $cb->query_form }->{oauth_token});
refused($nv->get($cut), 400, 'oauth1_verifier_missing', 'callback without oauth_verifier');

# ---- the request token is single use ------------------------------------------------------
my $r = browser();
$cb = to_callback($r, "$base/tw-hmac/env.cgi");
@steps = follow($r, $r->get($cb));
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'alice_tw', 'replay: the first callback logs in');
my $sid = jar_cookie($r, 'ac_session');
$before = provider_stats('oauth1');
# Back or reload with the login's session: the page, not an error (single
# use is what follows: no second session, no second token request)
my $replayed = $r->get($cb);
ok t_cmp($replayed->code, 303, 'replay: the same callback again: 303');
ok t_cmp($replayed->header('Location') // '', qr{\Q/tw-hmac/env.cgi\E$}, 'replay: back to the page');
ok t_cmp(set_cookie($replayed, 'ac_session'), undef, 'replay: no new session');
ok t_cmp(jar_cookie($r, 'ac_session'), $sid, 'replay: the session cookie is unchanged');
$after = provider_stats('oauth1');
ok t_cmp($after->{access_token}, $before->{access_token}, 'replay: no second access token');
ok t_cmp($after->{rejected}{access_token}, $before->{rejected}{access_token},
         'replay: the module did not even ask the provider');
# another browser with the same callback: still nothing
refused(browser()->get($cb), 400, 'flow_cookie_missing', 'replay from another browser');

# ---- the callback belongs to the browser that started the login ---------------------------
my $a2 = browser();
my $cb2 = to_callback($a2, "$base/tw-hmac/env.cgi");
my $b = browser();
ok t_cmp($b->get("$base/tw-hmac/env.cgi")->code, 302, 'B starts a login of its own');
# the pending login is stored under A's flow id and the request token, so B
# does not even find it - and cannot use it up: A still completes
refused($b->get($cb2), 400, 'state_unknown', "A's callback delivered to B");
my @a2_done = follow($a2, $a2->get($cb2));
ok t_cmp(env_of($a2_done[-1])->{REMOTE_USER}, 'alice_tw',
         "A completes its own login after B's attempt");

# ---- extra parameters (Preset twitter, RequestTokenParams, AuthorizeParams) ------------
my $p = browser();
my $to = $p->get("$base/tw-params/env.cgi");
ok t_cmp($to->header('Location') // '', qr{^http://127\.0\.0\.1:4601/oauth/authenticate\?oauth_token=[A-Za-z0-9]+&force_login=true$},
         'AuthorizeParams appended to the authorize URL');
@steps = login($p, "$base/tw-params/env.cgi");
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'alice_tw', 'tw-params: logged in');
my $st = provider_stats('oauth1');
ok t_cmp(JSON::PP->new->canonical->encode($st->{last_request_token_params}),
         '{"x_auth_access_type":"read"}', 'RequestTokenParams reached the request token call');
ok t_cmp(JSON::PP->new->canonical->encode($st->{last_authorize_params}),
         '{"force_login":"true"}', 'AuthorizeParams reached the authorize page');
ok t_cmp(JSON::PP->new->canonical->encode($st->{last_api_params}),
         '{"include_email":"true","skip_status":"true"}',
         'the preset\'s profile query reached the API, signed');
ok t_cmp($st->{last_callback}, "$base/auth/callback", 'oauth_callback is our callback');
