# JWT access tokens no real provider would issue, minted by the hostile
# provider's "bearer" issuer (a mock: /bearer/access_token?case=...): each
# breaks one rule of RFC 9068 4 and must be refused with 401 invalid_token
# and the code naming that rule.  "good" and "aud_list" are the controls.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(base_url env_of);
use ACTest::Bearer qw(api_token forged_token bearer_get);

my %refused = (
    other_aud     => 'bearer_aud',
    expired       => 'bearer_exp',
    no_exp        => 'bearer_exp',
    nbf_future    => 'bearer_nbf',
    iat_future    => 'bearer_iat',
    wrong_iss     => 'bearer_iss',
    no_sub        => 'bearer_user',
    alg_none      => 'bearer_alg',
    hs256_pubkey  => 'bearer_alg',
    typ_jwt       => 'bearer_typ',
    no_typ        => 'bearer_typ',
    id_token      => 'bearer_typ',
    bad_signature => 'bearer_signature',
    jwk_header    => 'bearer_header',
    unknown_kid   => 'jwks_kid_unknown',
);

plan tests => 4 * keys(%refused) + 10;

my $base = base_url();

for my $case (qw(good aud_list)) {
    my $res = bearer_get("$base/bearer-h/env.cgi", forged_token($case));
    ok t_cmp($res->code, 200, "$case: 200");
    ok t_cmp(env_of($res)->{REMOTE_USER}, 'mallory', "$case: REMOTE_USER");
}

for my $case (sort keys %refused) {
    my $res = bearer_get("$base/bearer-h/env.cgi", forged_token($case));
    ok t_cmp($res->code, 401, "$case: 401");
    ok t_cmp($res->header('WWW-Authenticate') // '',
             'Bearer realm="mod_auth_client", error="invalid_token"', "$case: invalid_token");
    ok t_cmp($res->header('X-Auth-Client-Error'), $refused{$case}, "$case: $refused{$case}");
    ok t_cmp($res->header('Location'), undef, "$case: no redirect");
}

# AuthClientBearerJWTType JWT: typ JWT passes, typ none still does not
ok t_cmp(bearer_get("$base/bearer-h-typ/env.cgi", forged_token('typ_jwt'))->code, 200,
         'AuthClientBearerJWTType at+jwt JWT: typ JWT passes');
ok t_cmp(bearer_get("$base/bearer-h-typ/env.cgi", forged_token('good'))->code, 200,
         'AuthClientBearerJWTType at+jwt JWT: at+jwt passes');
ok t_cmp(bearer_get("$base/bearer-h-typ/env.cgi", forged_token('no_typ'))->header('X-Auth-Client-Error'),
         'bearer_typ', 'AuthClientBearerJWTType at+jwt JWT: no typ refused');

# two providers, AuthClientBearerProvider op: the hostile issuer's good
# token is not op's (its key is not in op's JWKS, which is checked first)
ok t_cmp(bearer_get("$base/bearer-two/env.cgi", forged_token('good'))->header('X-Auth-Client-Error'),
         'jwks_kid_unknown', "another provider's token: its key is unknown");
ok t_cmp(bearer_get("$base/bearer-two/env.cgi", api_token('ac-api'))->code, 200,
         "the named provider's token: 200");
# the real provider's location does not take the hostile one's tokens either
ok t_cmp(bearer_get("$base/bearer/env.cgi", forged_token('good'))->code, 401,
         "another issuer's token on op's location: 401");
