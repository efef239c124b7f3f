# Preset microsoft against an Entra-like multi-tenant issuer (the hostile
# provider's entra_* scenarios, test/providers/README section 3): the
# discovery issuer is ".../{tenantid}/v2.0", and an id_token counts only if
# its iss is that template completed with its own tid, a GUID.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of error_code set_cookie jar_cookie);

my $tenant = '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0';

# location => [ HTTP status, X-Auth-Client-Error, what is wrong ]
my @refused = (
    [ entra_tid_mismatch => 403, 'id_token_iss', 'iss names another tenant than tid' ],
    [ entra_no_tid       => 403, 'id_token_iss', 'no tid' ],
    [ entra_bad_tid      => 403, 'id_token_iss', 'tid "../evil", iss to match' ],
    [ entra_tid_dots     => 403, 'id_token_iss', 'tid of GUID length, not a GUID' ],
    [ entra_nopreset     => 502, 'oidc_discovery_issuer', 'template issuer without the preset' ],
);

plan tests => 2 * 5 + 5 * @refused;

my $base = base_url();

sub no_session {
    my ($ua, $steps, $what) = @_;
    my @set = grep { defined set_cookie($_, 'ac_session') } @$steps;
    ok t_cmp(scalar @set, 0, "$what: no session cookie set");
    ok t_cmp(jar_cookie($ua, 'ac_session'), undef, "$what: no session cookie in the browser");
}

# ---- accepted: tenant "common" and "organizations" ----------------------------------------
for my $location (qw(entra_good entra_org)) {
    my $ua = browser();
    my @steps = login($ua, "$base/hostile/$location/env.cgi");
    my $env = env_of($steps[-1]);
    ok t_cmp($steps[-1]->code, 200, "$location: logged in");
    ok t_cmp($env->{REMOTE_USER}, 'mallory@hostile.example',
             "$location: REMOTE_USER from preferred_username");
    ok t_cmp($env->{OIDC_CLAIM_tid}, $tenant, "$location: tid");
    ok t_cmp($env->{OIDC_CLAIM_iss}, "http://127.0.0.1:4399/entra_good/$tenant/v2.0",
             "$location: iss of the token's tenant");
    ok t_cmp(jar_cookie($ua, 'ac_session') // '', qr/^[A-Za-z0-9_-]{43}$/,
             "$location: a session");
}

# ---- refused ------------------------------------------------------------------------------
for my $r (@refused) {
    my ($location, $status, $code, $why) = @$r;
    my $ua = browser();
    my @steps = login($ua, "$base/hostile/$location/env.cgi");
    my $last = $steps[-1];
    ok t_cmp($last->code, $status, "$location ($why): $status");
    ok t_cmp(error_code($last), $code, "$location: $code");
    ok t_cmp(env_of($last)->{REMOTE_USER}, undef, "$location: the application did not run");
    no_session($ua, \@steps, $location);
}
