# Logout: GET shows a confirmation form, only a same-origin POST logs out;
# the session ends in the cache (not just in the browser) and the browser
# goes on to the provider's end_session_endpoint and back.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common qw(POST);
use MIME::Base64 qw(decode_base64url);
use JSON::PP qw(decode_json);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of follow error_code set_cookie jar_cookie);

plan tests => 43;

my $base = base_url();
my $app = "$base/app/env.cgi";
my $logout = "$base/auth/logout";

sub logout_post {
    my ($ua, $origin, %form) = @_;
    return $ua->request(POST $logout, ($origin ? (Origin => $origin) : ()),
                        Content => [ %form ]);
}

sub to_login {
    my ($res, $what) = @_;
    ok t_cmp($res->code, 302, "$what: 302");
    ok t_cmp($res->header('Location') // '', qr{^https://127\.0\.0\.1:3643/auth\?},
             "$what: to the provider");
}

my $ua = browser();
my $res = (login($ua, $app))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'logged in');
my $sid = jar_cookie($ua, 'ac_session');

# ---- GET: a form, nothing else ------------------------------------------------------
$res = $ua->get("$logout?return=/loggedout.html");
ok t_cmp($res->code, 200, 'GET: 200');
my $html = $res->decoded_content // '';
ok t_cmp($html, qr{<form method="post" action="/auth/logout">}, 'GET: a POST form to itself');
ok t_cmp($html, qr{<input type="hidden" name="return" value="/loggedout.html">},
         'GET: the return target carried in the form');
ok t_cmp(set_cookie($res, 'ac_session'), undef, 'GET: the session cookie is left alone');
ok t_cmp(env_of($ua->get($app))->{REMOTE_USER}, 'alice', 'GET: still logged in');
$res = $ua->get("$logout?return=%22%3E%3Cscript%3E");
ok t_cmp($res->decoded_content // '', qr{value="&quot;&gt;&lt;script&gt;"},
         'GET: the return target is HTML-escaped');

# ---- cross-site POST: refused ----------------------------------------------------------
$res = logout_post($ua, 'http://evil.example', return => '/loggedout.html');
ok t_cmp($res->code, 403, 'POST from a foreign Origin: 403');
ok t_cmp(error_code($res), 'logout_cross_site', 'POST from a foreign Origin: code');
ok t_cmp(set_cookie($res, 'ac_session'), undef, 'POST from a foreign Origin: cookie kept');
$res = $ua->request(POST $logout, 'Sec-Fetch-Site' => 'cross-site', Content => []);
ok t_cmp($res->code, 403, 'POST with Sec-Fetch-Site: cross-site: 403');
$res = logout_post($ua, 'http://localhost:8529.evil.example');
ok t_cmp($res->code, 403, 'POST from an Origin that only starts like ours: 403');
ok t_cmp(env_of($ua->get($app))->{REMOTE_USER}, 'alice', 'still logged in after the refusals');

# ---- same-origin POST: logged out, on to the provider ------------------------------------
$res = logout_post($ua, $base, return => '/loggedout.html');
ok t_cmp($res->code, 303, 'POST same-origin: 303');
my $to = URI->new($res->header('Location') // '');
my %q = $to->query_form;
ok t_cmp($to->scheme . '://' . $to->authority . $to->path,
         'https://127.0.0.1:3643/session/end', 'to the end_session_endpoint');
ok t_cmp($q{post_logout_redirect_uri}, "$base/auth/logout",
         'post_logout_redirect_uri: back through the logout path');
ok t_cmp($q{state} // '', qr/^[A-Za-z0-9_-]{43}$/, 'with a state for the return');
ok t_cmp($q{client_id}, 'ac-test', 'with client_id');
my @jwt = split /\./, $q{id_token_hint} // '';
ok t_cmp(scalar @jwt, 3, 'id_token_hint is a JWT');
my $claims = eval { decode_json(decode_base64url($jwt[1] // '')) } // {};
ok t_cmp($claims->{sub}, 'alice', 'id_token_hint: the ID token of this login');
ok t_cmp($claims->{aud}, 'ac-test', 'id_token_hint: issued to ac-test');
ok t_cmp(join(' ', $res->header('Set-Cookie')), qr/(^|\s)ac_session=; [^,]*Max-Age=0/,
         'the session cookie is cleared');
# (HTTP::Cookies keeps a Max-Age=0 cookie, emptied, where a browser drops it)
ok t_cmp(jar_cookie($ua, 'ac_session') // '', '', 'no session id left in the browser');
to_login($ua->get($app), 'after logout');

# the old cookie value, replayed, is no session any more
my $replay = browser();
$replay->cookie_jar->set_cookie(0, 'ac_session', $sid, '/', 'localhost.local');
to_login($replay->get($app), 'the old session cookie replayed');

# ---- the provider's confirmation, and back --------------------------------------------
$res = $ua->get($to);
ok t_cmp($res->code, 200, 'the provider asks for confirmation');
my $page = $res->decoded_content // '';
my ($action) = $page =~ m{<form method="post" action="([^"]+)"};
my %fields = $page =~ m{<input type="hidden" name="([^"]*)" value="([^"]*)"}g;
ok t_cmp($fields{logout}, 'yes', 'the confirmation form');
$res = $ua->request(POST $action // '', [ %fields ]);
ok t_cmp($res->code, 303, 'confirmed: 303');
ok t_cmp($res->header('Location'), "$base/auth/logout?state=$q{state}",
         'confirmed: back to the post_logout_redirect_uri with the state');
my @steps = follow($ua, $res);
ok t_cmp($steps[-2]->header('Location'), "$base/loggedout.html",
         'and from there to the return target');
ok t_cmp($steps[-1]->decoded_content // '', qr/logged out/, 'the logged-out page');
# the provider's session ended too: a new login asks for the password
@steps = follow($ua, $ua->get($app));
ok t_cmp($steps[-1]->decoded_content // '', qr/name="password"/,
         'next login: the provider asks for the password again');

# ---- without a session, and with a foreign return target --------------------------------
$res = logout_post(browser(), $base, return => '/loggedout.html');
ok t_cmp($res->code, 303, 'POST without a session: 303');
ok t_cmp($res->header('Location'), "$base/loggedout.html", 'without a session: to the return target');
for my $evil ('https://evil.example/', '//evil.example/', '/\\evil.example/',
              "/\t/evil.example/", 'http://localhost:8529@evil.example/',
              'http://localhost:8529.evil.example/', 'javascript:alert(1)') {
    $res = logout_post(browser(), $base, return => $evil);
    ok t_cmp($res->header('Location'), "$base/", "return target '$evil': home instead");
}
