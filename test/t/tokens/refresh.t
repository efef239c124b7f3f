# Transparent refresh against the real OpenID provider: ac-refresh's access
# tokens live 8 s, the locations refresh 4 s before expiry (conf/extra.conf.in,
# "tokens after login").  The provider rotates refresh tokens and counts its
# grants (GET /test/stats); mod_ac_token_probe reports every token_update
# event in an X-Token-Update header.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Digest::SHA qw(sha1_hex);
use HTTP::Request::Common qw(POST);
use JSON::PP qw(decode_json);
use LWP::UserAgent;
use Time::HiRes qw(sleep time);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(parallel_tokens browser base_url login env_of jar_cookie error_code);

plan tests => 33;

my $base = base_url();
my $op = 'https://127.0.0.1:3643';
my $provider_ua = LWP::UserAgent->new(timeout => 10,
                                      ssl_opts => { SSL_ca_file => $ENV{ACTEST_CA} });

sub grants {
    my ($type) = @_;
    my $res = $provider_ua->get("$op/test/stats");
    die 'provider stats: ' . $res->status_line . "\n" unless $res->is_success;
    return decode_json($res->content)->{grants}{'ac-refresh'}{$type} // 0;
}
sub h { my ($t) = @_; return defined $t && length $t ? substr(sha1_hex($t), 0, 12) : '-' }
sub updates { return map { $_->header('X-Token-Update') // () } @_ }
# OIDC_access_token_expires is whole seconds: the token may live up to a
# second longer than it says
sub until_due {
    my ($env) = @_;
    my $wait = $env->{OIDC_access_token_expires} - 4 - time + 1.3;
    sleep $wait if $wait > 0;
}
sub revoke {
    my ($refresh_token) = @_;
    my $res = $provider_ua->request(POST "$op/token/revocation",
        [ token => $refresh_token, token_type_hint => 'refresh_token' ],
        Authorization => 'Basic ' . MIME::Base64::encode_base64('ac-refresh:ac-refresh-secret', ''));
    return $res->code;
}
use MIME::Base64 ();

# ---- login: the first token set, and the login event ------------------------------
my $ua = browser();
my @steps = login($ua, "$base/refresh/env.cgi");
my $env = env_of($steps[-1]);
ok t_cmp($steps[-1]->code, 200, 'logged in');
my ($at1, $rt1, $exp1) = @$env{qw(OIDC_access_token OIDC_refresh_token OIDC_access_token_expires)};
ok t_cmp(length($at1 // '') > 10, 1, 'the access token is exported');
ok t_cmp($env->{OIDC_access_token_type}, 'Bearer', 'and its type');
ok t_cmp(abs(($exp1 // 0) - (time + 8)) < 3, 1, 'and its expiry, in epoch seconds');
ok t_cmp(length($rt1 // ''), qr/^[1-9]/, 'the refresh token, as asked (AuthClientPassRefreshToken)');
ok t_cmp(join('|', updates(@steps)), "login op-refresh alice new=" . h($at1) . " old=- rt=" . h($rt1) . " oldrt=-",
         'the subscriber saw the login with the first token set');

# ---- an ordinary request: nothing happens -------------------------------------------
my $res = $ua->get("$base/refresh/env.cgi");
ok t_cmp(env_of($res)->{OIDC_access_token}, $at1, 'before the margin: the same token');
ok t_cmp(join('|', updates($res)), '', 'and no token event');

# ---- past the margin: one refresh, a new token ------------------------------------------
my $before = grants('refresh_token');
until_due($env);
$res = $ua->get("$base/refresh/env.cgi");
$env = env_of($res);
my ($at2, $rt2, $exp2) = @$env{qw(OIDC_access_token OIDC_refresh_token OIDC_access_token_expires)};
ok t_cmp($res->code, 200, 'past the margin: served');
ok t_cmp($at2 ne $at1 ? 1 : 0, 1, 'with a new access token');
ok t_cmp($exp2 > $exp1 ? 1 : 0, 1, 'that expires later');
ok t_cmp($rt2 ne $rt1 ? 1 : 0, 1, 'and the rotated refresh token');
ok t_cmp(grants('refresh_token'), $before + 1, 'one refresh grant at the provider');
ok t_cmp(join('|', updates($res)), "refresh op-refresh alice new=" . h($at2) . " old=" . h($at1)
         . " rt=" . h($rt2) . " oldrt=" . h($rt1), 'the subscriber saw the refresh, new and old tokens');
$res = $ua->get("$base/refresh/env.cgi");
ok t_cmp(env_of($res)->{OIDC_access_token}, $at2, 'the next request keeps the new token');

# ---- ten parallel requests past the margin: still one refresh ----------------------------
my $sid = jar_cookie($ua, 'ac_session');
until_due($env);
$before = grants('refresh_token');
my ($codes, $tokens) = parallel_tokens([ ("$base/refresh/env.cgi") x 10 ], $sid);
my %codes = %$codes;
my %tokens = %$tokens;
ok t_cmp($codes{200} // 0, 10, 'ten parallel requests past the margin: all served');
ok t_cmp(scalar keys %tokens, 1, 'all with the same token');
ok t_cmp((keys %tokens)[0] ne $at2 ? 1 : 0, 1, 'a new one');
ok t_cmp(grants('refresh_token'), $before + 1, 'from exactly one refresh grant at the provider');

# ---- a revoked refresh token (default policy): the session ends, no retry loop ---------
$res = $ua->get("$base/refresh/env.cgi");
$env = env_of($res);
ok t_cmp(revoke($env->{OIDC_refresh_token}), 200, 'the refresh token is revoked at the provider');
my $errors = grants('refresh_token_error');
until_due($env);
$res = $ua->get("$base/refresh/env.cgi");
ok t_cmp($res->code, 302, 'revoked: the session ends and a new login starts');
ok t_cmp($res->header('Location') // '', qr{^\Q$op\E/auth\?}, 'at the provider');
ok t_cmp(grants('refresh_token_error'), $errors + 1, 'after one refused refresh');
$res = LWP::UserAgent->new(max_redirect => 0)->get("$base/refresh/env.cgi", Cookie => "ac_session=$sid");
ok t_cmp($res->code, 302, 'the old session cookie is no session any more');
ok t_cmp(grants('refresh_token_error'), $errors + 1, 'and the dead token is not sent again');

# ---- AuthClientRefreshFailure pass: the stale token, and no second attempt --------------
my $ua2 = browser();
@steps = login($ua2, "$base/refresh-pass/env.cgi");
$env = env_of($steps[-1]);
revoke($env->{OIDC_refresh_token});
$errors = grants('refresh_token_error');
until_due($env);
$res = $ua2->get("$base/refresh-pass/env.cgi");
ok t_cmp($res->code, 200, 'pass: the request goes on');
ok t_cmp(env_of($res)->{OIDC_access_token}, $env->{OIDC_access_token}, 'pass: with the stale token');
$res = $ua2->get("$base/refresh-pass/env.cgi");
ok t_cmp($res->code, 200, 'pass: the next request too');
ok t_cmp(grants('refresh_token_error'), $errors + 1, 'pass: the dead refresh token was sent once, not again');

# ---- AuthClientRefreshFailure 502 -------------------------------------------------------
my $ua3 = browser();
@steps = login($ua3, "$base/refresh-502/env.cgi");
$env = env_of($steps[-1]);
revoke($env->{OIDC_refresh_token});
until_due($env);
$res = $ua3->get("$base/refresh-502/env.cgi");
ok t_cmp($res->code, 502, '502 policy: a failed refresh is a 502');
ok t_cmp(error_code($res), 'token_invalid_grant', '502 policy: with its code');

# ---- a refreshed id_token naming another user (forged, hostile provider) ----------------
my $ua4 = browser();
@steps = login($ua4, "$base/refresh-sub/env.cgi");
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'mallory', 'hostile provider: logged in as mallory');
sleep 1.5;      # the hostile provider's tokens live 5 s: due at once with a 4 s margin
$res = $ua4->get("$base/refresh-sub/env.cgi");
ok t_cmp($res->code, 302, 'a refreshed id_token for another sub ends the session (login again)');
