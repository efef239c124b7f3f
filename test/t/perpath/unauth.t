# AuthClientUnauthAction: what a request without a session gets.
#   pass  continues without a user (an optional login): the user when
#         there is a session, also under "Require all granted"; never one
#         made up from what the client sent; "Require valid-user" still
#         refuses (401, no login), a RequireAny lets in by its other rule
#   410   answers Gone, to navigations too
#   auth  (and "auto", its old name) logs navigations in, 401 for the rest
# conf/extra.conf.in, /perpath/.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of);

plan tests => 37;

my $base = base_url();

# what a client may send to pass itself off as a signed-in user: claim and
# token headers in both spellings, and a session cookie of the right shape
# that names no session
my @spoof = (
    ':OIDC_CLAIM_email'  => 'admin@evil',
    'OIDC-CLAIM-sub'     => 'root',
    ':OIDC_access_token' => 'forged',
    Cookie               => 'ac_session=' . ('A' x 43),
);

sub anonymous_passes {
    my ($path, $what) = @_;
    my $res = browser(navigate => 1)->get("$base$path", @spoof);
    ok t_cmp($res->code, 200, "$what: let through");
    ok t_cmp($res->header('Location'), undef, "$what: no login redirect");
    ok t_cmp(scalar $res->header('Set-Cookie'), undef, "$what: no cookie set");
    my $env = env_of($res);
    ok t_cmp($env->{REMOTE_USER}, undef, "$what: no REMOTE_USER");
    ok t_cmp(join(',', sort grep { /OIDC/ } keys %$env), '',
             "$what: no OIDC_* variable, none from the client's headers");
    ok t_cmp(join('|', map { $res->header($_) // '' }
                       qw(X-Seen-Claim-Underscore X-Seen-Claim-Dash X-Seen-Token X-Seen-User)),
             '|||', "$what: the spoofed headers are not handed on");
}

# ---- without a session ------------------------------------------------------------
anonymous_passes('/perpath/pass/env.cgi', 'pass, Require all granted');
anonymous_passes('/perpath/pass-any/env.cgi', 'pass, RequireAny with an ip rule');

my $res = browser(navigate => 1)->get("$base/perpath/pass-user/env.cgi");
ok t_cmp($res->code, 401, 'pass with Require valid-user: still 401');
ok t_cmp($res->header('WWW-Authenticate') // '', qr/^Bearer\b/, 'pass with Require valid-user: a challenge');
ok t_cmp($res->header('Location'), undef, 'pass with Require valid-user: no login');

for my $nav (1, 0) {
    my $what = $nav ? 'navigation' : 'XHR';
    $res = browser(navigate => $nav)->get("$base/perpath/gone/env.cgi",
                                          $nav ? () : ('X-Requested-With' => 'XMLHttpRequest'));
    ok t_cmp($res->code, 410, "410, $what: Gone");
    ok t_cmp($res->header('Location'), undef, "410, $what: no login");
}

for my $word (qw(auth auto)) {
    $res = browser(navigate => 1)->get("$base/perpath/$word/env.cgi");
    ok t_cmp($res->code, 302, "$word, navigation: a login");
    ok t_cmp($res->header('Location') // '', qr{^https://127\.0\.0\.1:3643/auth\?},
             "$word, navigation: to the provider");
    $res = browser()->get("$base/perpath/$word/env.cgi", 'Sec-Fetch-Mode' => 'cors');
    ok t_cmp($res->code, 401, "$word, fetch(): 401");
}

# ---- with a session ---------------------------------------------------------------
my $ua = browser();
ok t_cmp((login($ua, "$base/app/env.cgi"))[-1]->code, 200, 'logged in at /app/');

for my $path (qw(pass pass-user pass-any gone)) {
    $res = $ua->get("$base/perpath/$path/env.cgi", ':OIDC_CLAIM_email' => 'admin@evil');
    my $env = env_of($res);
    ok t_cmp($env->{REMOTE_USER}, 'alice', "$path, signed in: the session's user");
    ok t_cmp($res->header('X-Seen-Claim-Underscore') // '', 'alice@example.org',
             "$path, signed in: the session's claim, not the client's");
}

# a session of another provider is not one of these locations'
my $gh = browser();
ok t_cmp((login($gh, "$base/gh-basic/env.cgi"))[-1]->code, 200, 'logged in at /gh-basic/');
$res = $gh->get("$base/perpath/pass/env.cgi");
ok t_cmp($res->code, 200, 'pass, a session of another provider: let through');
ok t_cmp(env_of($res)->{REMOTE_USER}, undef, 'pass, a session of another provider: no user');
