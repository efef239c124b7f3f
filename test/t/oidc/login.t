# Full OpenID Connect login against the real provider, and what the
# application then sees.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of follow);

plan tests => 14;

my $base = base_url();
my $ua = browser();

my $first = $ua->get("$base/app/env.cgi");
ok t_cmp($first->code, 302, 'no session: redirect to the provider');
my $authz = URI->new($first->header('Location'));
my %q = $authz->query_form;
ok t_cmp($authz->authority, '127.0.0.1:3643', 'to the provider');
ok t_cmp($q{code_challenge_method}, 'S256', 'PKCE S256 by default');
ok length($q{state}) >= 22 && length($q{nonce}) >= 22;

my @steps = login($ua, "$base/app/env.cgi");
my $res = $steps[-1];
ok t_cmp($res->code, 200, 'logged in, app answers');
my $env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'alice', 'REMOTE_USER from sub');
ok t_cmp($env->{OIDC_CLAIM_email}, 'alice@example.org', 'email claim');
ok t_cmp($env->{OIDC_CLAIM_groups}, 'staff,admins', 'array joined with ,');
ok t_cmp($env->{OIDC_CLAIM_address_country}, 'DE', 'nested claim flattened');
ok t_cmp($env->{AUTH_TYPE}, 'oauth', 'AUTH_TYPE');
ok $env->{OIDC_access_token} && length $env->{OIDC_access_token} > 10;

my ($cb) = grep { $_->request->uri =~ m{/auth/callback} } @steps;
ok t_cmp($cb->code, 303, 'callback answers 303');
my $cookie = join ' ', $cb->header('Set-Cookie');
ok t_cmp($cookie, qr/ac_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax/,
         'session cookie attributes');

# the session now carries further requests without the provider
my $again = $ua->get("$base/app/env.cgi");
ok t_cmp(env_of($again)->{REMOTE_USER}, 'alice', 'session reused');
