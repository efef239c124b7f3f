# The other client set-ups against the real provider: client_secret_post,
# a public client (no secret, PKCE mandatory at the provider) whose
# REMOTE_USER is rewritten by a regex, and FetchUserInfo with REMOTE_USER
# taken from the email.  The provider refuses a client that authenticates
# with another method than the registered one, so a login that succeeds
# proves the method used.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of);

plan tests => 20;

my $base = base_url();

# requests the provider logged for its userinfo endpoint so far
sub userinfo_calls {
    open my $fh, '<', Apache::Test::vars('t_logs') . '/oidc.log' or return -1;
    return scalar grep { m{^\S+ GET /me\b} } <$fh>;
}

sub authorize_params {
    my ($ua, $path) = @_;
    my $res = $ua->get("$base/$path/env.cgi");
    my %q = URI->new($res->header('Location') // '')->query_form;
    return ($res, \%q);
}

# ---- /post/: ac-post, client_secret_post ----------------------------------------
my $ua = browser();
my ($start, $q) = authorize_params($ua, 'post');
ok t_cmp($start->code, 302, '/post/: to the provider');
ok t_cmp($q->{client_id}, 'ac-post', '/post/: client ac-post');
my $res = (login($ua, "$base/post/env.cgi"))[-1];
ok t_cmp($res->code, 200, '/post/: logged in (token request used client_secret_post)');
my $env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'alice', '/post/: REMOTE_USER from sub');
ok t_cmp($env->{OIDC_CLAIM_email}, 'alice@example.org', '/post/: email');
ok t_cmp($env->{OIDC_CLAIM_address_country}, undef,
         '/post/: no address (not in this provider\'s scope)');

# ---- /public/: ac-public, no secret, PKCE, REMOTE_USER rewritten ----------------
$ua = browser();
($start, $q) = authorize_params($ua, 'public');
ok t_cmp($q->{client_id}, 'ac-public', '/public/: client ac-public');
ok t_cmp($q->{code_challenge_method}, 'S256', '/public/: PKCE S256');
ok t_cmp($q->{code_challenge} // '', qr/^[A-Za-z0-9_-]{43}$/, '/public/: a code challenge');
$res = (login($ua, "$base/public/env.cgi"))[-1];
ok t_cmp($res->code, 200, '/public/: logged in without a client secret');
$env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'alice', '/public/: REMOTE_USER rewritten from the email');
ok t_cmp($env->{OIDC_CLAIM_email}, 'alice@example.org', '/public/: email claim intact');
# the session belongs to op-public: a location of another provider does not
# take it
ok t_cmp($ua->get("$base/app/env.cgi")->code, 302,
         '/public/ session not accepted on /app/ (other provider)');

# ---- /userinfo/: FetchUserInfo On, REMOTE_USER = email ----------------------------
# the provider also puts the claims in the ID token here, so only its log
# shows whether userinfo was asked
my $calls = userinfo_calls();
login(browser(), "$base/app/env.cgi");
ok t_cmp(userinfo_calls(), $calls, '/app/: FetchUserInfo off, no userinfo request');
$ua = browser();
$res = (login($ua, "$base/userinfo/env.cgi"))[-1];
ok t_cmp($res->code, 200, '/userinfo/: logged in');
ok t_cmp(userinfo_calls(), $calls + 1, '/userinfo/: one userinfo request');
$env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'alice@example.org', '/userinfo/: REMOTE_USER is the email');
ok t_cmp($env->{OIDC_CLAIM_groups}, 'staff,admins', '/userinfo/: groups');
ok t_cmp($env->{OIDC_CLAIM_name}, "Alice \x{dc}mlaut", '/userinfo/: name');
ok t_cmp($env->{OIDC_CLAIM_sub}, 'alice', '/userinfo/: sub');
