# A user's own logout revokes the session's tokens at the provider (RFC
# 7009: the refresh token, then the access token), goes to the provider's
# end_session_endpoint with client_id and a state, and comes back through
# the logout path to the page it asked for; a revocation that fails is
# logged and the logout goes on.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common qw(POST);
use URI;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of follow);
use ACTest::Logout qw(introspect op_stats);

plan tests => 19;

my $base = base_url();
my $app = "$base/bcl/env.cgi";

my $ua = browser();
my $env = env_of((login($ua, $app))[-1]);
my ($rt, $at) = ($env->{OIDC_refresh_token} // '', $env->{OIDC_access_token} // '');
ok t_cmp($rt, qr/^.+$/, 'the session has a refresh token');
ok t_cmp(introspect($rt, 'ac-bcl', 'ac-bcl-secret')->{active}, JSON::PP::true,
         'before logout: the refresh token is active');
ok t_cmp(introspect($at, 'ac-bcl', 'ac-bcl-secret')->{active}, JSON::PP::true,
         'before logout: the access token is active');
my $revoked = op_stats()->{revocations}{'ac-bcl'}{RefreshToken} // 0;

my $res = $ua->request(POST "$base/auth/logout", Origin => $base,
                       Content => [ return => '/loggedout.html' ]);
ok t_cmp($res->code, 303, 'logout: 303');
ok t_cmp(introspect($rt, 'ac-bcl', 'ac-bcl-secret')->{active}, JSON::PP::false,
         'after logout: the refresh token is revoked');
ok t_cmp(introspect($at, 'ac-bcl', 'ac-bcl-secret')->{active}, JSON::PP::false,
         'after logout: the access token is no longer active');
ok t_cmp(op_stats()->{revocations}{'ac-bcl'}{RefreshToken} // 0, $revoked + 1,
         'the provider saw one refresh token revocation');

# ---- end_session: client_id, state, and the return ------------------------------------
my $to = URI->new($res->header('Location') // '');
my %q = $to->query_form;
ok t_cmp($to->path, '/session/end', 'to the end_session_endpoint');
ok t_cmp($q{client_id}, 'ac-bcl', 'with client_id');
ok t_cmp($q{state} // '', qr/^[A-Za-z0-9_-]{43}$/, 'with a state');
ok t_cmp($q{post_logout_redirect_uri}, "$base/auth/logout",
         'back through the logout path (one URI to register)');
ok t_cmp(($q{post_logout_redirect_uri} // '') =~ /loggedout/ ? 1 : 0, 0,
         'the return target is not shown to the provider');
$res = $ua->get($to);
my $page = $res->decoded_content // '';
my ($action) = $page =~ m{<form method="post" action="([^"]+)"};
my %fields = $page =~ m{<input type="hidden" name="([^"]*)" value="([^"]*)"}g;
$res = $ua->request(POST(URI->new_abs($action // '', $to)->as_string, [ %fields ]));
my $back = $res->header('Location') // '';
ok t_cmp($back, qr{^\Q$base\E/auth/logout\?state=\Q$q{state}\E$},
         'the provider returns with the state');
$res = $ua->get($back);
ok t_cmp($res->code, 303, 'the return: 303');
ok t_cmp($res->header('Location'), "$base/loggedout.html", 'on to the page the logout asked for');
# the state is single use; an unknown one goes home
ok t_cmp($ua->get($back)->header('Location'), "$base/", 'the same state again: home');
ok t_cmp($ua->get("$base/auth/logout?state=forged")->header('Location'), "$base/",
         'an unknown state: home');

# ---- a revocation endpoint that fails does not block the logout --------------------------
my $h = browser();
login($h, "$base/hostile/revoke404/env.cgi");
ok t_cmp($h->get("$base/hostile/revoke404/env.cgi")->code, 200, 'signed in (revoke404)');
$res = $h->request(POST "$base/auth/logout", Origin => $base, Content => []);
ok t_cmp($h->get("$base/hostile/revoke404/env.cgi")->code, 302,
         'revocation failed, the session ended all the same');
