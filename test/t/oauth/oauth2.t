# Plain OAuth 2.0 logins against the GitHub-like provider (test/providers/
# oauth2): each client authentication method, PKCE, the profile calls
# (an id above 2^53, a private address found through user/emails), the
# user's "Cancel", GitHub's habits (errors with HTTP 200, no token_type),
# and a callback used twice.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use URI;
use HTTP::Request::Common qw(POST);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of follow to_callback error_code
              set_cookie jar_cookie provider_stats);

plan tests => 103;

my $base = base_url();
my $authorize = qr{^http://127\.0\.0\.1:4602/login/oauth/authorize\?};

# an error page from the callback: status, code, and no session cookie
sub refused {
    my ($res, $status, $code, $what) = @_;
    ok t_cmp($res->code, $status, "$what: $status");
    ok t_cmp(error_code($res), $code, "$what: $code");
    ok t_cmp(set_cookie($res, 'ac_session'), undef, "$what: no session cookie");
}

# ---- full logins: each client authentication method ---------------------------------
for my $name (qw(gh-basic gh-post gh-pkce)) {
    my $auth = $name eq 'gh-basic' ? 'client_secret_basic' : 'client_secret_post';
    my $ua = browser();
    my $start = $ua->get("$base/$name/env.cgi");
    my %q = URI->new($start->header('Location') // '')->query_form;
    ok t_cmp($start->header('Location') // '', $authorize, "$name: to the provider");
    ok t_cmp($q{client_id}, $name, "$name: its client_id");
    ok t_cmp($q{redirect_uri}, "$base/auth/callback", "$name: our callback");
    ok t_cmp($q{code_challenge_method}, 'S256', "$name: PKCE S256");
    ok t_cmp(length($q{state} // ''), 43, "$name: a random state");
    ok t_cmp($q{scope}, 'read:user user:email', "$name: the configured scope");
    ok t_cmp($q{response_type}, 'code', "$name: the code flow");
    ok t_cmp($q{nonce}, undef, "$name: no nonce without OpenID Connect");

    my @steps = login($ua, "$base/$name/env.cgi");
    my $env = env_of($steps[-1]);
    ok t_cmp($steps[-1]->code, 200, "$name: logged in, the app answers");
    ok t_cmp($env->{REMOTE_USER}, 'alice-gh', "$name: REMOTE_USER is login");
    ok t_cmp($env->{OIDC_CLAIM_sub}, '583231', "$name: sub is the id, as a string");
    ok t_cmp($env->{OIDC_CLAIM_name}, "Alice \x{dc}mlaut", "$name: UTF-8 name");
    ok t_cmp($env->{OIDC_CLAIM_email}, 'alice@example.org', "$name: email");
    ok t_cmp($env->{OIDC_access_token} // '', qr/^gho_[A-Za-z0-9]{36}$/,
             "$name: the access token (AuthClientPassAccessToken On)");
    ok t_cmp($env->{OIDC_access_token_secret}, undef, "$name: no token secret in OAuth 2.0");

    my $st = provider_stats('oauth2');
    my $tr = $st->{last_token_request};
    ok t_cmp($tr->{client_auth}, $auth, "$name: $auth at the token endpoint");
    ok t_cmp(join(',', @{ $tr->{params} }), qr/\bcode_verifier\b/, "$name: the PKCE verifier sent");
    ok t_cmp($tr->{accept} // '', qr{application/json}, "$name: asks for JSON");
    ok t_cmp($st->{last_api_request}{auth_scheme}, 'Bearer', "$name: profile call with Bearer");
    # GitHub answers 403 to API calls without a User-Agent
    ok t_cmp($st->{last_api_request}{user_agent} // '', qr/\S/, "$name: a User-Agent");
}

# ---- an id above 2^53, a private address ---------------------------------------------------
my $carol = browser();
my @steps = login($carol, "$base/gh-basic/env.cgi", user => 'carol');
my $env = env_of($steps[-1]);
ok t_cmp($env->{REMOTE_USER}, 'carol-gh', 'carol: logged in');
ok t_cmp($env->{OIDC_CLAIM_sub}, '9007199254740993', 'carol: sub exact although 2^53 + 1');
ok t_cmp($env->{OIDC_CLAIM_id}, '9007199254740993', 'carol: id exact');
ok t_cmp($env->{OIDC_CLAIM_email} // '', '', 'carol: /user alone has no address');

my $before = provider_stats('oauth2');
$carol = browser();
@steps = login($carol, "$base/gh-emails/env.cgi", user => 'carol');
$env = env_of($steps[-1]);
ok t_cmp($env->{REMOTE_USER}, 'carol-gh', 'carol via user/emails: logged in');
ok t_cmp($env->{OIDC_CLAIM_email}, 'carol@example.org',
         'carol via user/emails: the primary verified address');
ok t_cmp($env->{OIDC_CLAIM_email_verified}, 'true', 'carol via user/emails: email_verified');
ok t_cmp($env->{OIDC_CLAIM_sub}, '9007199254740993', 'carol via user/emails: sub exact');
my $after = provider_stats('oauth2');
ok t_cmp($after->{api_emails}, $before->{api_emails} + 1, 'user/emails called once');
ok t_cmp($after->{api_user}, $before->{api_user} + 1, 'user called once');

# alice's public address is not replaced by the emails list
@steps = login(browser(), "$base/gh-emails/env.cgi");
ok t_cmp(env_of($steps[-1])->{OIDC_CLAIM_email}, 'alice@example.org',
         'alice via user/emails: her profile address');

# ---- "Cancel" at the provider ----------------------------------------------------------------
my $deny = browser();
my $cb = to_callback($deny, "$base/gh-basic/env.cgi", action => 'deny');
ok t_cmp("$cb", qr{/auth/callback\?error=access_denied&}, 'cancel: back with error=access_denied');
refused($deny->get($cb), 403, 'access_denied', 'cancel');
ok t_cmp(jar_cookie($deny, 'ac_session'), undef, 'cancel: no session in the jar');
refused($deny->get($cb), 400, 'state_unknown', 'cancel: the callback replayed');

# ---- GitHub's habits -----------------------------------------------------------------------
# every token error comes with HTTP 200
$before = provider_stats('oauth2');
my $e200 = browser();
@steps = login($e200, "$base/gh-error200/env.cgi");
my ($cb_res) = grep { $_->request->uri =~ m{/auth/callback} } @steps;
ok t_cmp($cb_res->code, 403, 'error in a 200 answer: 403');
ok t_cmp(error_code($cb_res), 'token_error', 'error in a 200 answer: token_error');
ok t_cmp(set_cookie($cb_res, 'ac_session'), undef, 'error in a 200 answer: no session');
ok t_cmp($e200->get("$base/gh-error200/env.cgi")->code, 302,
         'error in a 200 answer: not logged in');
$after = provider_stats('oauth2');
ok t_cmp($after->{api_user}, $before->{api_user}, 'error in a 200 answer: no profile call');

# no token_type: Bearer is assumed, as GitHub's older answers need
@steps = login(browser(), "$base/gh-notype/env.cgi");
$env = env_of($steps[-1]);
ok t_cmp($steps[-1]->code, 200, 'no token_type: logged in');
ok t_cmp($env->{REMOTE_USER}, 'alice-gh', 'no token_type: REMOTE_USER');
ok t_cmp(provider_stats('oauth2')->{last_api_request}{auth_scheme}, 'Bearer',
         'no token_type: the profile call uses Bearer');

# ---- the callback is single use ------------------------------------------------------------
my $r = browser();
$cb = to_callback($r, "$base/gh-post/env.cgi");
ok t_cmp("$cb", qr{/auth/callback\?code=[^&]+&state=[A-Za-z0-9_-]{43}$},
         'the provider sends back code and state (no iss)');
@steps = follow($r, $r->get($cb));
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'alice-gh', 'replay: the first callback logs in');
my $sid = jar_cookie($r, 'ac_session');
$before = provider_stats('oauth2');
# Back or reload with the login's session: the page, not an error (single
# use is what follows: no second session, no second token request)
my $again = $r->get($cb);
ok t_cmp($again->code, 303, 'replay: the same callback again: 303');
ok t_cmp($again->header('Location') // '', qr{\Q/gh-post/env.cgi\E$}, 'replay: back to the page');
ok t_cmp(set_cookie($again, 'ac_session'), undef, 'replay: no new session');
ok t_cmp(jar_cookie($r, 'ac_session'), $sid, 'replay: the session cookie is unchanged');
ok t_cmp(provider_stats('oauth2')->{token_requests}, $before->{token_requests},
         'replay: the code was not sent again');
refused(browser()->get($cb), 400, 'flow_cookie_missing', 'replay from another browser');

# ---- a session of one provider does not count for another --------------------------------
ok t_cmp($r->get("$base/gh-post/env.cgi")->code, 200, 'gh-post session: gh-post passes');
my $other = $r->get("$base/gh-basic/env.cgi");
ok t_cmp($other->code, 302, 'gh-post session: gh-basic asks for its own login');
ok t_cmp($other->header('Location') // '', qr/[?&]client_id=gh-basic(?:&|$)/,
         'gh-post session: with the gh-basic client');

# ---- logout: local only, plain OAuth 2.0 has no end_session endpoint -------------------
my $out = $r->request(POST "$base/auth/logout", Content => [ return => '/loggedout.html' ]);
ok t_cmp($out->code, 303, 'logout: 303');
ok t_cmp($out->header('Location'), "$base/loggedout.html", 'logout: back to this site');
ok t_cmp($r->get("$base/gh-post/env.cgi")->code, 302, 'logout: the session is gone');
