# Opaque access tokens through the provider's introspection endpoint
# (RFC 7662): accepted while active and for this resource, the answer
# reused from the cache (AuthClientIntrospectionTTL 3 on /bearer-opaque/),
# and a revoked token refused once the TTL has passed; an inactive answer
# is never reused as valid.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(base_url browser env_of);
use ACTest::Bearer qw(api_token user_token revoke bearer_get op_log_count OTHER_API);

plan tests => 22;

my $base = base_url();
my $url = "$base/bearer-opaque/env.cgi";
# the provider logs a request when it has answered it: give its log a
# moment to catch up before counting
sub introspections {
    my ($want) = @_;
    my $n;
    for (1 .. 30) {
        $n = op_log_count(qr{ POST /token/introspection 200$});
        last if defined $want && $n >= $want;
        select(undef, undef, undef, 0.1);
        last unless defined $want;
    }
    return $n;
}

my $token = api_token('ac-api-opaque');
ok t_cmp(scalar($token =~ tr/.//), 0, 'the provider issued an opaque token');
my $before = introspections();
sub since { my ($n) = @_; return introspections($before + $n) - $before }
my $res = bearer_get($url, $token);
ok t_cmp($res->code, 200, 'opaque token: 200');
my $env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'ac-api-opaque', 'REMOTE_USER from client_id');
ok t_cmp($env->{OIDC_CLAIM_scope}, 'api:read', 'scope exported');
ok t_cmp($env->{OIDC_CLAIM_active}, 'true', 'the answer is the claim set');
ok t_cmp(scalar($res->header('Set-Cookie')) // '', '', 'no cookie');
ok t_cmp(since(1), 1, 'one introspection');

# within the TTL the cached answer stands, even after a revocation
revoke('ac-api-opaque', $token);
$res = bearer_get($url, $token);
ok t_cmp($res->code, 200, 'revoked, within the TTL: still 200 (cached)');
ok t_cmp(since(2), 1, 'no second introspection');

# after it, the provider is asked again and says inactive
sleep 4;
$res = bearer_get($url, $token);
ok t_cmp($res->code, 401, 'revoked, after the TTL: 401');
ok t_cmp($res->header('WWW-Authenticate') // '', qr/error="invalid_token"/, 'invalid_token');
ok t_cmp($res->header('X-Auth-Client-Error'), 'bearer_inactive', 'bearer_inactive');
ok t_cmp(since(2), 2, 'introspected again');
# and the inactive answer is not kept
ok t_cmp(bearer_get($url, $token)->code, 401, 'still refused');
ok t_cmp(since(3), 3, 'an inactive answer is asked again');

# an unknown token
$res = bearer_get($url, 'bm90LWEtdG9rZW4');
ok t_cmp($res->header('X-Auth-Client-Error'), 'bearer_inactive', 'unknown token: inactive');

# active tokens that are not for this resource
ok t_cmp(bearer_get($url, api_token('ac-api-opaque', resource => OTHER_API))
             ->header('X-Auth-Client-Error'), 'bearer_aud', 'for another API: bearer_aud');
ok t_cmp(bearer_get($url, api_token('ac-api-opaque', resource => undef, scope => undef))
             ->header('X-Auth-Client-Error'), 'bearer_aud',
         'for no API (no aud): bearer_aud');

# a user's opaque token: REMOTE_USER from sub (the default)
my $user = user_token(browser(), 'ac-api-opaque');
$res = bearer_get("$base/bearer/env.cgi", $user);
ok t_cmp($res->code, 200, "a user's opaque token: 200");
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', "a user's opaque token: REMOTE_USER alice");
# a token of the client is no substitute for the user's on a sub location
$res = bearer_get("$base/bearer/env.cgi", api_token('ac-api-opaque'));
ok t_cmp($res->header('X-Auth-Client-Error'), 'bearer_user', 'no sub: bearer_user');
ok t_cmp($res->code, 401, 'no sub: 401');
