# The pages a person sees: the chooser with display names and icons, the
# sign-out confirmation naming who is signed in, error pages in plain words
# by what the user can do (no "Try again" where it cannot help) with the
# code and the request id, an ErrorDocument that replaces them, and a
# virtual host's own templates.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest ();
use FindBin;
use lib "$FindBin::Bin/../lib";
use HTTP::Request::Common ();
use ACTest qw(browser base_url login env_of error_code to_callback);

plan tests => 36;

my $base = base_url();

sub vhost_base {
    my ($vhost) = @_;
    Apache::TestRequest::module($vhost);
    my $url = 'http://' . Apache::TestRequest::hostport();
    Apache::TestRequest::module('default');
    return $url;
}

# ---- the chooser ---------------------------------------------------------------
my $res = browser()->get("$base/pages-choose/env.cgi");
my $html = $res->decoded_content // '';
ok t_cmp($res->code, 200, 'chooser: 200');
ok t_cmp($html, qr{<html lang="en">}, 'chooser: the document has a language');
ok t_cmp($html, qr{<style>.*prefers-color-scheme:dark}s, 'chooser: inline CSS with a dark scheme');
ok t_cmp(scalar($html =~ m{<(?:script|link|iframe)\b}), '', 'chooser: no script, no external asset');
ok t_cmp($html, qr{<a class="choice" href="/auth/callback\?login=pg-staff&amp;target=%2Fpages-choose%2Fenv\.cgi"><img src="/icons/staff\.svg" alt="" width="24" height="24">Staff &lt;SSO&gt; &amp; \x{dc}mlaut</a>},
         'chooser: the DisplayName, escaped, UTF-8 kept, with its icon');
ok t_cmp($html, qr{<a class="choice" href="/auth/callback\?login=pg-plain&amp;[^"]*">pg-plain</a>},
         'chooser: without DisplayName, the name; without Icon, no image');

# ---- error pages -------------------------------------------------------------------
# the user pressed Cancel at the provider (it answers error=access_denied)
my @seen = login(browser(), "$base/hostile/error_response/env.cgi");
$res = $seen[-1];
$html = $res->decoded_content // '';
ok t_cmp($res->code, 403, 'cancelled: 403');
ok t_cmp($html, qr{<h1>You cancelled the sign-in</h1>}, 'cancelled: says so');
ok t_cmp($html, qr{<a href="/hostile/error_response/env\.cgi">Try again</a>},
         'cancelled: a way back to the page that was wanted');
ok t_cmp(error_code($res), 'access_denied', 'cancelled: the code on the page and in the header');
my ($uid) = $html =~ m{request <code id="request-id">([^<]+)</code>};
ok t_cmp(defined $uid && length $uid > 10, 1, 'the request id (UNIQUE_ID) on the page');
ok t_cmp(env_of(browser()->get("$base/open/env.cgi"))->{UNIQUE_ID} ne ($uid // '') ? 1 : 0, 1,
         'the request id is per request');

# a callback in a browser that did not start the login
$res = browser()->get("$base/auth/callback?state=" . ('x' x 43) . "&code=y");
$html = $res->decoded_content // '';
ok t_cmp($res->code, 400, 'another browser: 400');
ok t_cmp($html, qr{<h1>Your browser did not bring this sign-in back</h1>}, 'another browser: says so');
ok t_cmp($html, qr{>Try again</a>}, 'another browser: try again');

# Back (or reload) to a completed login's callback: the page it was for
my $ua = browser();
my $cb = to_callback($ua, "$base/hostile/good/env.cgi");
$res = $ua->get($cb);
ok t_cmp($res->code, 303, 'the login completes');
ok t_cmp(env_of($ua->get("$base/hostile/good/env.cgi"))->{REMOTE_USER} // '', qr/\S/, 'signed in');
$res = $ua->get($cb);
ok t_cmp($res->code, 303, 'its callback again, signed in: a redirect, not an error');
ok t_cmp($res->header('Location') // '', qr{/hostile/good/env\.cgi$}, '... to the page the login was for');
# without the session the same replay is what it is: used
$ua->request(HTTP::Request::Common::POST("$base/auth/logout", Origin => $base, Content => []));
$res = $ua->get($cb);
$html = $res->decoded_content // '';
ok t_cmp($res->code, 400, 'replayed after logout: 400');
ok t_cmp(error_code($res), 'state_unknown', 'replayed after logout: state_unknown');
ok t_cmp($html, qr{<h1>This sign-in link has expired or was already used</h1>}, 'replayed after logout: says so');

# the provider is down
$res = browser()->get("$base/hostile/discovery_broken/env.cgi");
$html = $res->decoded_content // '';
ok t_cmp($res->code, 502, 'provider down: 502');
ok t_cmp($html, qr{<h1>The sign-in service is unavailable</h1>}, 'provider down: says so');

# the site is misconfigured: trying again cannot help
$res = browser()->get("$base/pages-misconf/env.cgi");
$html = $res->decoded_content // '';
ok t_cmp($res->code, 500, 'misconfigured: 500');
ok t_cmp(error_code($res), 'oidc_metadata_incomplete', 'misconfigured: its code');
ok t_cmp($html, qr{<h1>This site&#39;s sign-in is misconfigured</h1>}, 'misconfigured: says so');
ok t_cmp(scalar($html =~ /Try again/), '', 'misconfigured: no "Try again"');

# ---- ErrorDocument ---------------------------------------------------------------------
$res = browser()->get("$base/pages-errdoc/env.cgi");
ok t_cmp($res->code, 502, 'ErrorDocument: the status stays');
my $env = env_of($res);
ok t_cmp($env->{AUTH_CLIENT_ERROR}, 'oidc_discovery', 'ErrorDocument: AUTH_CLIENT_ERROR');
ok t_cmp($env->{AUTH_CLIENT_ERROR_DESCRIPTION}, 'The sign-in service is unavailable',
         'ErrorDocument: AUTH_CLIENT_ERROR_DESCRIPTION');
ok t_cmp($res->decoded_content // '', qr{REDIRECT_URL=/pages-errdoc/env\.cgi}, "ErrorDocument: the administrator's document");

# ---- a virtual host's own templates ---------------------------------------------------------
my $vbase = vhost_base('ac_pages');
$html = browser()->get("$vbase/pages-choose/env.cgi")->decoded_content // '';
ok t_cmp($html, qr{<body class="brand-example">\s*<h1>Example Corp: sign in to [^<]+</h1>},
         'template dir: its chooser');
ok t_cmp($html, qr{<ul><li><a class="choice" href="/auth/callback\?login=pg-staff&amp;}, 'template dir: the providers list in it');
ok t_cmp($html, qr{<a href="/pages-choose/env\.cgi">where you were going</a>}, 'template dir: the target, escaped');
$html = browser()->get("$vbase/pages-misconf/env.cgi")->decoded_content // '';
ok t_cmp($html, qr{<p>Status 500, code <code id="error-code">oidc_metadata_incomplete</code>, request [^<\s]+</p>},
         'template dir: its error page with the placeholders filled');
