# Back-channel logout with the real provider (oidc-provider, client ac-bcl,
# whose backchannel_logout_uri is this server's /auth/backchannel): a
# sign-out at the provider ends that provider session's httpd session and
# no other; an administrator's logout by sub ends all of that user's
# sessions and no one else's; a replayed logout token, one for another
# client and one of an unknown issuer are refused and end nothing.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of jar_cookie);
use ACTest::Logout qw(provider_logout admin_logout op_logout_token backchannel
                      op_stats);

plan tests => 36;

my $base = base_url();
my $app = "$base/bcl/env.cgi";

sub signed_in {
    my ($user) = @_;
    my $ua = browser();
    my $env = env_of((login($ua, $app, user => $user))[-1]);
    return ($ua, $env);
}

# 200 with the app for a live session; 302 to the provider for an ended one
sub alive { return $_[0]->get($app)->code == 200 }

my ($a1, $a1_env) = signed_in('alice');
my ($a2, $a2_env) = signed_in('alice');
my ($b1, $b1_env) = signed_in('bob');
ok t_cmp($a1_env->{REMOTE_USER}, 'alice', 'alice signed in (first browser)');
ok t_cmp($a2_env->{REMOTE_USER}, 'alice', 'alice signed in (second browser)');
ok t_cmp($b1_env->{REMOTE_USER}, 'bob', 'bob signed in');
ok t_cmp($a1_env->{OIDC_CLAIM_sid} // '', qr/^.+$/, 'the ID token carries a sid');
ok t_cmp($a1_env->{OIDC_CLAIM_sid} ne ($a2_env->{OIDC_CLAIM_sid} // ''), 1,
         'two browsers, two provider sessions');

# ---- the user signs out at the provider ------------------------------------------------
my $delivered = op_stats()->{backchannel}{'ac-bcl'}{ok} // 0;
my $res = provider_logout($a1);
ok t_cmp($res->code, 303, 'signed out at the provider');
ok t_cmp(op_stats()->{backchannel}{'ac-bcl'}{ok} // 0, $delivered + 1,
         'the provider delivered a logout token, and the module answered 200');
ok t_cmp(alive($a1), '', "that browser's httpd session ended");
ok t_cmp(alive($a2), 1, "alice's other session (another provider session) lives");
ok t_cmp(alive($b1), 1, "bob's session lives");

# ---- the administrator ends alice's sessions --------------------------------------------
my ($a3) = signed_in('alice');
ok t_cmp(admin_logout('ac-bcl', 'alice'), 200, 'logout by sub: 200');
ok t_cmp(alive($a2), '', "alice's second session ended");
ok t_cmp(alive($a3), '', "alice's third session ended");
ok t_cmp(alive($b1), 1, "bob's session lives");
ok t_cmp(admin_logout('ac-bcl', 'alice'), 200,
         'logout by sub of a user without sessions: 200 all the same');

# ---- answers ---------------------------------------------------------------------------
my $token = op_logout_token('ac-bcl', 'nobody', 'no-such-sid');
$res = backchannel($base, $token);
ok t_cmp($res->code, 200, 'a valid token for an unknown session: 200');
ok t_cmp($res->header('Cache-Control') // '', 'no-store', 'Cache-Control: no-store');

# ---- a replay ----------------------------------------------------------------------------
$token = op_logout_token('ac-bcl', 'bob');
ok t_cmp(backchannel($base, $token)->code, 200, 'bob logged out by sub');
ok t_cmp(alive($b1), '', "bob's session ended");
my ($b2) = signed_in('bob');
$res = backchannel($base, $token);
ok t_cmp($res->code, 400, 'the same logout token again: 400');
ok t_cmp($res->header('Cache-Control') // '', 'no-store', 'refusal: no-store');
ok t_cmp($res->header('Content-Type') // '', qr{^application/json}, 'refusal: JSON');
ok t_cmp($res->decoded_content // '',
         qr/"error":"invalid_request","error_description":"logout_token_replayed"/,
         'refusal: invalid_request, logout_token_replayed');
ok t_cmp(alive($b2), 1, "bob's new session survives the replay");

# ---- a token for another client ------------------------------------------------------------
# ac-bcl-nodes is registered at the provider but has no block here; only
# the audience check tells its token from one for ac-bcl
$res = backchannel($base, op_logout_token('ac-bcl-nodes', 'bob'));
ok t_cmp($res->code, 400, 'a token for another client: 400');
ok t_cmp($res->decoded_content // '', qr/"error_description":"logout_token_aud"/,
         'another client: logout_token_aud');
ok t_cmp(alive($b2), 1, "bob's session survives another client's token");

# ---- malformed requests ----------------------------------------------------------------------
my $lwp = browser();
$res = $lwp->get("$base/auth/backchannel");
ok t_cmp($res->code, 405, 'GET: 405');
ok t_cmp($res->header('Allow') // '', qr/\bPOST\b/, 'GET: Allow names POST');
$res = $lwp->post("$base/auth/backchannel", [ other => 'x' ]);
ok t_cmp($res->code, 400, 'no logout_token: 400');
ok t_cmp($res->decoded_content // '', qr/backchannel_request/, 'no logout_token: code');
$res = $lwp->post("$base/auth/backchannel", [ logout_token => $token, logout_token => $token ]);
ok t_cmp($res->decoded_content // '', qr/backchannel_request/, 'logout_token twice: refused');
$res = backchannel($base, 'not.a.jwt');
ok t_cmp($res->code, 400, 'garbage: 400');
# a token of an issuer this host does not know: nothing is fetched for it
my @part = split /\./, op_logout_token('ac-bcl', 'bob');
use MIME::Base64 qw(encode_base64url decode_base64url);
my $claims = JSON::PP->new->decode(decode_base64url($part[1]));
$claims->{iss} = 'https://elsewhere.example';
$res = backchannel($base, join '.', $part[0], encode_base64url(JSON::PP->new->encode($claims)), $part[2]);
ok t_cmp($res->decoded_content // '', qr/logout_issuer_unknown/, 'an unknown issuer: refused');
# the same token with its payload altered does not verify
$claims->{iss} = 'https://127.0.0.1:3643';
$claims->{sub} = 'alice';
$res = backchannel($base, join '.', $part[0], encode_base64url(JSON::PP->new->encode($claims)), $part[2]);
ok t_cmp($res->decoded_content // '', qr/logout_token_signature/, 'an altered payload: refused');
ok t_cmp(alive($b2), 1, "bob's session survives them all");
