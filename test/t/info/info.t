# AuthClientSessionInfo: the session's summary for the site's own
# scripts, as JSON - user, provider, the allow-listed claims, the session's
# and the access token's expiry - and 401 JSON without a session, never a
# login.  Never a token, never a claim that is not listed, never to
# another site (not even whether there is a session), never cached.
# conf/extra.conf.in, /info/.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common qw(POST);
use JSON::PP ();
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of error_code);

plan tests => 55;

my $base = base_url();
my @fetch = ('Sec-Fetch-Site' => 'same-origin', 'Sec-Fetch-Mode' => 'cors');

sub json_of {
    my ($res) = @_;
    return eval { JSON::PP->new->utf8->decode($res->content // '') } // {};
}

sub is_json_401 {
    my ($res, $what) = @_;
    ok t_cmp($res->code, 401, "$what: 401");
    ok t_cmp($res->header('Content-Type') // '', qr{^application/json}, "$what: JSON");
    ok t_cmp(json_of($res)->{error} // '', 'login_required', "$what: login_required");
    ok t_cmp($res->header('Location'), undef, "$what: no login redirect");
}

sub is_refused_cross_site {
    my ($res, $what) = @_;
    ok t_cmp($res->code, 403, "$what: 403");
    ok t_cmp(error_code($res) // '', 'session_info_cross_site', "$what: its code");
    ok t_cmp($res->decoded_content // '', qr/^(?!.*alice)/s, "$what: no user in the answer");
}

# ---- no session ---------------------------------------------------------------------
my $anon = browser();
is_json_401($anon->get("$base/info/session", @fetch), 'anonymous fetch()');
my $res = browser(navigate => 1)->get("$base/info/session");
is_json_401($res, 'anonymous navigation');
ok t_cmp($res->header('Cache-Control') // '', 'no-store', 'the 401: no-store');
is_json_401($anon->get("$base/info/open", @fetch), 'anonymous, Require all granted');
# another site does not even learn that there is none
is_refused_cross_site($anon->get("$base/info/session", 'Sec-Fetch-Site' => 'cross-site'),
                      'anonymous, cross-site');

# ---- signed in ----------------------------------------------------------------------
my $ua = browser();
my $before = time;
ok t_cmp((login($ua, "$base/app/env.cgi"))[-1]->code, 200, 'logged in at /app/');
my $env = env_of($ua->get("$base/perpath/tokens/env.cgi"));
ok t_cmp(($env->{OIDC_access_token} && $env->{OIDC_refresh_token}) ? 'both' : 'missing', 'both',
         'the session has an access and a refresh token');

$res = $ua->get("$base/info/session", @fetch);
ok t_cmp($res->code, 200, 'signed in: 200');
ok t_cmp($res->header('Content-Type') // '', qr{^application/json}, 'signed in: JSON');
ok t_cmp($res->header('Cache-Control') // '', 'no-store', 'signed in: no-store');
ok t_cmp($res->header('Access-Control-Allow-Origin'), undef, 'signed in: no CORS grant');
my $info = json_of($res);
ok t_cmp(join(',', sort keys %$info),
         'access_token_expires,claims,provider,session_expires,user', 'exactly these fields');
ok t_cmp($info->{user}, 'alice', 'user');
ok t_cmp($info->{provider}, 'op', 'provider');
ok t_cmp(join(',', sort keys %{ $info->{claims} || {} }), 'address.country,email,groups,name',
         'the listed claims the session has, and no other (not sub, email_verified, address.locality)');
ok t_cmp($info->{claims}{email}, 'alice@example.org', 'claim email');
ok t_cmp($info->{claims}{groups}, 'staff,admins', 'claim groups, as the application sees it');
ok t_cmp($info->{claims}{name}, "Alice \x{dc}mlaut", 'claim name, UTF-8 intact');
ok t_cmp($info->{claims}{'address.country'}, 'DE', 'nested claim by its path');
# session: the inactivity timeout (3600 s) comes before the maximum (8 h)
my $idle_end = $info->{session_expires} // 0;
ok t_cmp(($idle_end >= $before + 3600 - 400 && $idle_end <= time + 3600 + 5) ? 'yes' : $idle_end,
         'yes', 'session_expires at the inactivity timeout (3600 s after the login)');
my $at = $info->{access_token_expires} // 0;
ok t_cmp(($at > time && $at <= time + 86400) ? 'yes' : $at, 'yes',
         'access_token_expires: the token record\'s, in the future');
my $body = $res->content;
ok t_cmp(index($body, $env->{OIDC_access_token}), -1, 'not the access token');
ok t_cmp(index($body, $env->{OIDC_refresh_token}), -1, 'not the refresh token');
ok t_cmp($body, qr/^(?!.*eyJ)/s, 'no JWT (id_token) either');

# the user opening it by hand may see it; fetch metadata-less clients too
ok t_cmp($ua->get("$base/info/session", 'Sec-Fetch-Site' => 'none')->code, 200,
         'Sec-Fetch-Site: none (typed by the user): 200');
ok t_cmp($ua->get("$base/info/session", Origin => $base)->code, 200, 'own Origin: 200');
# under "Require all granted" the session is found all the same
ok t_cmp(json_of($ua->get("$base/info/open", @fetch))->{user} // '', 'alice',
         'Require all granted: the session found');
# nothing listed, nothing shown
$res = $ua->get("$base/info-bare", @fetch);
ok t_cmp(JSON::PP->new->canonical->encode(json_of($res)->{claims} // 'missing'), '{}',
         'no AuthClientSessionInfoClaims: no claims');
# a location of another provider: this session does not count there
is_json_401($ua->get("$base/info/gh", @fetch), 'a location of another provider');

# ---- refused ------------------------------------------------------------------------
is_refused_cross_site($ua->get("$base/info/session", 'Sec-Fetch-Site' => 'cross-site'),
                      'signed in, cross-site');
is_refused_cross_site($ua->get("$base/info/session", 'Sec-Fetch-Site' => 'same-site'),
                      'signed in, same-site (a sibling subdomain)');
is_refused_cross_site($ua->get("$base/info/session", Origin => 'https://evil.example'),
                      'signed in, a foreign Origin');
$res = $ua->request(POST "$base/info/session", [ a => 1 ], @fetch);
ok t_cmp($res->code, 405, 'POST: 405');

# ---- misconfigured: nothing looks for a session ------------------------------------------
$res = $ua->get("$base/info-noauth", @fetch);
ok t_cmp($res->code, 500, 'without AuthType oauth: 500');
ok t_cmp(error_code($res) // '', 'session_info_config', 'without AuthType oauth: its code');
