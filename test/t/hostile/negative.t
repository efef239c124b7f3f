# Every misbehaviour of the hostile provider (test/providers/README,
# section 3) against the module: "good" must log in as mallory, every other
# scenario must end on the error page with its own status and code, and
# never with a session.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::PP qw(decode_json);
use LWP::UserAgent;
use Time::HiRes qw(time);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of error_code set_cookie jar_cookie);

# scenario => [ HTTP status, X-Auth-Client-Error ]
my @refused = (
    [ alg_none              => 403, 'id_token_alg' ],
    [ bad_signature         => 403, 'id_token_signature' ],
    [ hs256_pubkey          => 403, 'id_token_alg' ],
    [ wrong_iss             => 403, 'id_token_iss' ],
    [ wrong_aud             => 403, 'id_token_aud' ],
    [ expired               => 403, 'id_token_exp' ],
    [ iat_future            => 403, 'id_token_iat' ],
    [ wrong_nonce           => 403, 'id_token_nonce' ],
    [ bad_at_hash           => 403, 'id_token_at_hash' ],
    [ wrong_azp             => 403, 'id_token_azp' ],
    [ jwk_header            => 403, 'id_token_header' ],
    [ unknown_kid           => 403, 'jwks_kid_unknown' ],
    [ malformed_json        => 502, 'token_malformed' ],
    [ oversized             => 502, 'http_too_large' ],
    [ slow                  => 504, 'http_timeout' ],
    [ missing_iss_param     => 400, 'iss_missing' ],
    [ wrong_iss_param       => 400, 'iss_mismatch' ],
    [ userinfo_sub_mismatch => 502, 'userinfo_sub_mismatch' ],
    [ error_response        => 403, 'access_denied' ],
    [ discovery_broken      => 502, 'oidc_discovery' ],
);
# a rejected authorization response must not lead to a token request
my %no_token_request = map { $_ => 1 } qw(missing_iss_param wrong_iss_param
                                          error_response discovery_broken);

plan tests => 4 + 5 * @refused + scalar(keys %no_token_request) + 3;

my $base = base_url();
my $hostile = 'http://127.0.0.1:4399';

sub stats {
    my ($scenario) = @_;
    my $res = LWP::UserAgent->new(timeout => 10)->get("$hostile/$scenario/stats");
    return $res->is_success ? decode_json($res->content) : {};
}

sub no_session {
    my ($ua, $steps, $what) = @_;
    my @set = grep { defined set_cookie($_, 'ac_session') } @$steps;
    ok t_cmp(scalar @set, 0, "$what: no session cookie set");
    ok t_cmp(jar_cookie($ua, 'ac_session'), undef, "$what: no session cookie in the browser");
}

# ---- good ------------------------------------------------------------------------------
my $ua = browser();
my @steps = login($ua, "$base/hostile/good/env.cgi");
ok t_cmp($steps[-1]->code, 200, 'good: logged in');
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'mallory', 'good: REMOTE_USER mallory');
ok t_cmp(env_of($steps[-1])->{OIDC_CLAIM_email}, 'mallory@hostile.example', 'good: email');
ok t_cmp(jar_cookie($ua, 'ac_session') // '', qr/^[A-Za-z0-9_-]{43}$/, 'good: a session');

# ---- everything else ---------------------------------------------------------------------
my $kid_browser = browser(keep_alive => 1);
my $kid_before = stats('unknown_kid')->{jwks_fetches};
for my $r (@refused) {
    my ($scenario, $status, $code) = @$r;
    my $tokens_before = stats($scenario)->{token_requests};
    my $ua = $scenario eq 'unknown_kid' ? $kid_browser : browser();
    my $t0 = time;
    my @steps = login($ua, "$base/hostile/$scenario/env.cgi");
    my $elapsed = time - $t0;
    my $last = $steps[-1];
    ok t_cmp($last->code, $status, "$scenario: $status");
    ok t_cmp(error_code($last), $code, "$scenario: $code");
    ok t_cmp(env_of($last)->{REMOTE_USER}, undef, "$scenario: the application did not run");
    no_session($ua, \@steps, $scenario);
    if ($no_token_request{$scenario}) {
        ok t_cmp(stats($scenario)->{token_requests}, $tokens_before,
                 "$scenario: the code was not redeemed");
    }
    if ($scenario eq 'unknown_kid') {
        # a second login right away, while the connection (and so the
        # httpd process, which keeps the JWKS) is the same
        login($kid_browser, "$base/hostile/unknown_kid/env.cgi");
    }
    if ($scenario eq 'slow') {
        # AuthClientHTTPTimeout 3; the provider would answer after 20 s
        ok t_cmp($elapsed < 10, 1, sprintf 'slow: gave up after %.1f s', $elapsed);
    }
}

# ---- an unknown kid refetches the JWKS, but not at every login -----------------------------
# (the JWKS is kept per httpd process: the keep-alive browser stays on one)
my $fetches = stats('unknown_kid')->{jwks_fetches} - $kid_before;
ok t_cmp($fetches >= 1, 1, "unknown_kid: the JWKS was fetched ($fetches)");
ok t_cmp($fetches <= 2, 1, "unknown_kid: two logins, at most 2 JWKS fetches ($fetches)");
