# JWT access tokens (RFC 9068) from the real provider, on locations with
# "AuthClientBearer only": accepted for the configured resource, their
# claims exported and seen by "Require oauth-claim", refused for another
# audience, when tampered with, without a scope the location requires;
# and the Bearer challenges of RFC 6750 3.  No bearer answer sets a cookie.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(base_url browser env_of);
use ACTest::Bearer qw(api_token user_token bearer_get API OTHER_API);

plan tests => 54;

my $base = base_url();

sub refused {
    my ($res, $status, $challenge, $code, $what) = @_;
    ok t_cmp($res->code, $status, "$what: $status");
    ok t_cmp($res->header('WWW-Authenticate') // '', $challenge, "$what: challenge");
    ok t_cmp($res->header('X-Auth-Client-Error'), $code, "$what: error code");
    ok t_cmp(scalar($res->header('Set-Cookie')) // '', '', "$what: no cookie");
}

my $invalid = qr/^Bearer realm="mod_auth_client", error="invalid_token"$/;

# a token for this API
my $jwt = api_token('ac-api');
ok t_cmp(scalar($jwt =~ tr/.//), 2, 'the provider issued a JWT');
my $res = bearer_get("$base/bearer/env.cgi", $jwt);
ok t_cmp($res->code, 200, 'JWT for the resource: 200');
my $env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'ac-api', 'REMOTE_USER is sub (the client, for client credentials)');
ok t_cmp($env->{AUTH_TYPE}, 'oauth', 'AUTH_TYPE');
ok t_cmp($env->{OIDC_CLAIM_client_id}, 'ac-api', 'client_id exported');
ok t_cmp($env->{OIDC_CLAIM_aud}, API, 'aud exported');
ok t_cmp($env->{OIDC_CLAIM_scope}, 'api:read', 'scope exported');
ok t_cmp($env->{OIDC_CLAIM_iss}, 'https://127.0.0.1:3643', 'iss exported');
ok t_cmp(scalar($res->header('Set-Cookie')) // '', '', 'no cookie');
# the same token again (now from the per-process memo)
ok t_cmp(env_of(bearer_get("$base/bearer/env.cgi", $jwt))->{REMOTE_USER}, 'ac-api',
         'the same token again: 200');

# what this process remembers of the token counts only where the same
# checks apply: another audience, another provider
refused(bearer_get("$base/bearer-other/env.cgi", $jwt), 401, $invalid, 'bearer_aud',
        'the remembered token on another API');
ok t_cmp(bearer_get("$base/bearer-h/env.cgi", $jwt)->code, 401,
         "the remembered token on another provider's location");
ok t_cmp(env_of(bearer_get("$base/bearer/env.cgi", $jwt))->{REMOTE_USER}, 'ac-api',
         'and still accepted where it belongs');

# subrequests: a session location included in a bearer page does not get
# the token's identity; a bearer location checks the token itself
$res = bearer_get("$base/bearer-ssi/include.shtml", $jwt);
my ($app, $api) = ($res->decoded_content // '') =~ /--app--(.*)--bearer--(.*)--end--/s;
ok t_cmp($app // 'missing', qr/^(?:(?!REMOTE_USER).)*$/s,
         'included session location: no identity from the token');
ok t_cmp($api // '', qr/^REMOTE_USER=ac-api$/m, 'included bearer location: the token');

# client headers posing as claims are gone, token or not
$res = bearer_get("$base/bearer/index.html", $jwt, 'OIDC-CLAIM-sub' => 'admin');
ok t_cmp($res->header('X-Seen-Claim-Underscore') // '', '', 'spoofed claim header removed');

# the repeated token was not verified again
my $log = Apache::Test::vars('t_logs') . '/error_log';
open my $fh, '<', $log or die "$log: $!";
ok t_cmp(scalar(grep { /bearer token of ac-api accepted \(provider op, JWT, verified before\)/ } <$fh>) > 0,
         1, 'a repeated JWT comes from the memo');
close $fh;

# a user's token (authorization code flow with resource=)
my $ua = browser();
my $user = user_token($ua, 'ac-api');
$env = env_of(bearer_get("$base/bearer/env.cgi", $user));
ok t_cmp($env->{REMOTE_USER}, 'alice', "a user's token: REMOTE_USER alice");
ok t_cmp($env->{OIDC_CLAIM_client_id}, 'ac-api', "a user's token: client_id");

# Require oauth-claim on the token's claims
ok t_cmp(bearer_get("$base/bearer-claim/env.cgi", $jwt)->code, 200,
         'Require oauth-claim client_id:ac-api: 200');
refused(bearer_get("$base/bearer-denied/env.cgi", $jwt), 403,
        qr/^Bearer realm="mod_auth_client", error="insufficient_scope"$/, undef,
        'Require oauth-claim refuses (AuthzSendForbiddenOnFailure)');
$res = bearer_get("$base/bearer-deny401/env.cgi", $jwt);
ok t_cmp($res->code, 401, 'Require oauth-claim refuses: 401');
ok t_cmp($res->header('WWW-Authenticate') // '', qr/error="insufficient_scope"/,
         'Require oauth-claim refuses: insufficient_scope');

# scopes the location requires
refused(bearer_get("$base/bearer-scope/env.cgi", $jwt), 403,
        qr/^Bearer realm="mod_auth_client", error="insufficient_scope", scope="api:read api:write"$/,
        'bearer_scope', 'without api:write');
ok t_cmp(bearer_get("$base/bearer-scope/env.cgi",
                    api_token('ac-api', scope => 'api:read api:write'))->code, 200,
         'with api:read api:write: 200');

# a real token for another API
refused(bearer_get("$base/bearer/env.cgi", api_token('ac-api', resource => OTHER_API)),
        401, $invalid, 'bearer_aud', 'token for another audience');

# tampered: one character in the middle of the signature changed (the
# last one may carry only padding bits)
my $tampered = $jwt;
my $at = length($tampered) - 20;
substr($tampered, $at, 1) = substr($tampered, $at, 1) eq 'A' ? 'B' : 'A';
refused(bearer_get("$base/bearer/env.cgi", $tampered), 401, $invalid,
        'bearer_signature', 'tampered signature');

# no token, another scheme, a malformed header
refused(bearer_get("$base/bearer/env.cgi", undef), 401,
        qr/^Bearer realm="mod_auth_client"$/, undef, 'no token');
refused($ua->get("$base/bearer/env.cgi", Authorization => 'Basic YTpi'), 401,
        qr/^Bearer realm="mod_auth_client"$/, undef, 'Basic credentials');
refused($ua->get("$base/bearer/env.cgi", Authorization => "Bearer $jwt, Bearer $jwt"),
        400, qr/error="invalid_request"/, 'bearer_malformed', 'two tokens');
