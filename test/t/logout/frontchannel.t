# Front-channel logout: the provider's logout page embeds
# /auth/frontchannel?iss=..&sid=.. in an iframe.  It ends the sessions of
# that provider session only (whichever browser asks), clears the asking
# browser's cookie only when its own session was one of them, may be framed
# by the provider only, and revokes nothing at the provider.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use URI;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of set_cookie);
use ACTest::Logout qw(op_issuer introspect op_stats);

plan tests => 22;

my $base = base_url();
my $app = "$base/bcl/env.cgi";

sub signed_in {
    my ($user) = @_;
    my $ua = browser();
    my $env = env_of((login($ua, $app, user => $user))[-1]);
    return ($ua, $env);
}

sub alive { return $_[0]->get($app)->code == 200 }

sub frontchannel {
    my ($ua, %q) = @_;
    my $u = URI->new("$base/auth/frontchannel");
    $u->query_form(%q);
    return $ua->get($u);
}

my ($a1, $a1_env) = signed_in('alice');
my ($a2, $a2_env) = signed_in('alice');
my ($b1, $b1_env) = signed_in('bob');
my $sid = $a1_env->{OIDC_CLAIM_sid} // '';
ok t_cmp($sid, qr/^.+$/, 'alice has a provider session id');

# ---- the provider's iframe, in alice's own browser ------------------------------------
my $revoked = op_stats()->{revocations}{'ac-bcl'}{RefreshToken} // 0;
my $res = frontchannel($a1, iss => op_issuer(), sid => $sid);
ok t_cmp($res->code, 200, 'front-channel logout: 200');
ok t_cmp($res->header('Content-Security-Policy') // '',
         qr/frame-ancestors https:\/\/127\.0\.0\.1:3643(\s|;|$)/,
         'only the provider may frame it');
ok t_cmp($res->header('Cache-Control') // '', 'no-store', 'no-store');
ok t_cmp(set_cookie($res, 'ac_session'), '', "the browser's session cookie is cleared");
ok t_cmp(alive($a1), '', 'the session ended');
ok t_cmp(alive($a2), 1, "alice's other provider session's httpd session lives");
ok t_cmp(alive($b1), 1, "bob's session lives");
# unauthenticated: nothing is revoked at the provider
ok t_cmp(op_stats()->{revocations}{'ac-bcl'}{RefreshToken} // 0, $revoked,
         'no token revoked at the provider');
ok t_cmp(introspect($a1_env->{OIDC_refresh_token}, 'ac-bcl', 'ac-bcl-secret')->{active},
         JSON::PP::true, "the ended session's refresh token is still active at the provider");

# ---- another browser asking for alice's second session --------------------------------------
$res = frontchannel($b1, iss => op_issuer(), sid => $a2_env->{OIDC_CLAIM_sid});
ok t_cmp($res->code, 200, "bob's browser ends alice's second provider session: 200");
ok t_cmp(alive($a2), '', "alice's second session ended");
ok t_cmp(set_cookie($res, 'ac_session'), undef, "bob's cookie is left alone");
ok t_cmp(alive($b1), 1, "bob's session lives");

# ---- nothing to end, and refusals -------------------------------------------------------------
$res = frontchannel($b1, iss => op_issuer(), sid => 'no-such-session');
ok t_cmp($res->code, 200, 'an unknown sid: 200');
ok t_cmp(alive($b1), 1, "an unknown sid ends nothing");
$res = frontchannel($b1, iss => op_issuer());
ok t_cmp($res->code, 400, 'without sid: 400');
ok t_cmp($res->header('X-Auth-Client-Error') // '', 'frontchannel_request',
         'without sid: frontchannel_request');
$res = frontchannel($b1, iss => 'https://elsewhere.example', sid => $b1_env->{OIDC_CLAIM_sid});
ok t_cmp($res->header('X-Auth-Client-Error') // '', 'logout_issuer_unknown',
         'another issuer: logout_issuer_unknown');
ok t_cmp(alive($b1), 1, "another issuer's logout ends nothing");
ok t_cmp($b1->post("$base/auth/frontchannel")->code, 405, 'POST: 405');
$res = frontchannel($b1, iss => op_issuer(), sid => $b1_env->{OIDC_CLAIM_sid});
ok t_cmp(alive($b1), '', "bob's own sid ends bob's session");
