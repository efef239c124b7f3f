# Forged and broken logout tokens from the hostile provider, each from an
# lt_* scenario that logs in normally and breaks one thing in its logout
# tokens: every one is refused with its own code, and the session it names
# lives on.  lt_good shows that the same delivery with a correct token does
# end the session.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of);
use ACTest::Logout qw(hostile_logout_token backchannel);

my %refused = (
    lt_alg_none    => 'logout_token_alg',
    lt_wrong_key   => 'logout_token_signature',
    lt_no_events   => 'logout_token_events',
    lt_other_event => 'logout_token_events',
    lt_nonce       => 'logout_token_nonce',
    lt_no_iat      => 'logout_token_iat',
    lt_no_jti      => 'logout_token_jti',
    lt_wrong_aud   => 'logout_token_aud',
    lt_expired     => 'logout_token_iat',
);

plan tests => 5 * keys(%refused) + 9;

my $base = base_url();

sub app { return "$base/hostile/$_[0]/env.cgi" }

for my $scenario (sort keys %refused) {
    my $ua = browser();
    my $env = env_of((login($ua, app($scenario)))[-1]);
    my $sid = $env->{OIDC_CLAIM_sid} // '';
    ok t_cmp($env->{REMOTE_USER} // '', 'mallory', "$scenario: signed in");
    my $res = backchannel($base, hostile_logout_token($scenario, sid => $sid,
                                                      sub => 'mallory'));
    ok t_cmp($res->code, 400, "$scenario: 400");
    ok t_cmp($res->decoded_content // '', qr/"error":"invalid_request"/,
             "$scenario: invalid_request");
    ok t_cmp($res->decoded_content // '', qr/"error_description":"$refused{$scenario}"/,
             "$scenario: $refused{$scenario}");
    ok t_cmp($ua->get(app($scenario))->code, 200, "$scenario: the session lives");
}

# ---- the control: a correct token for an unknown sid, then for the session --------------
my $ua = browser();
my $env = env_of((login($ua, app('lt_good')))[-1]);
my $sid = $env->{OIDC_CLAIM_sid} // '';
ok t_cmp($sid, qr/^.+$/, 'lt_good: signed in with a sid');
my $res = backchannel($base, hostile_logout_token('lt_good', sid => 'unknown-sid'));
ok t_cmp($res->code, 200, 'lt_good, unknown sid: 200');
ok t_cmp($ua->get(app('lt_good'))->code, 200, 'lt_good, unknown sid: the session lives');
# the right sid but another user: that session is not this user's
$res = backchannel($base, hostile_logout_token('lt_good', sid => $sid, sub => 'someone-else'));
ok t_cmp($res->code, 200, 'lt_good, sid with another sub: 200');
ok t_cmp($ua->get(app('lt_good'))->code, 200,
         "lt_good, sid with another sub: another user's session is not ended");
my $token = hostile_logout_token('lt_good', sid => $sid, sub => 'mallory');
$res = backchannel($base, $token);
ok t_cmp($res->code, 200, 'lt_good: 200');
ok t_cmp($ua->get(app('lt_good'))->code, 302, 'lt_good: the session ended');
$res = backchannel($base, $token);
ok t_cmp($res->code, 400, 'lt_good replayed: 400');
ok t_cmp($res->decoded_content // '', qr/logout_token_replayed/, 'lt_good replayed: code');
