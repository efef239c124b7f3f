# The operator's view of one login and logout: one audit line per login
# (succeeded or failed) and logout, and at debug the steps between - the
# login's start with its redirect_uri, the callback resuming it, each call
# to the provider - each line with its stable number, none with a secret.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common qw(POST);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of error_log module_lines_since);

plan tests => 13;

my $base = base_url();
my $log = error_log();

# ---- a login, then a logout ------------------------------------------------
my $from = -s $log;
my $ua = browser();
my $res = (login($ua, "$base/app/env.cgi"))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'logged in');
$res = $ua->request(POST "$base/auth/logout", Origin => $base, Content => []);
ok t_cmp($res->code, 303, 'logged out');
my $text = join('', module_lines_since($from));

ok t_cmp($text, qr{\[auth_client:info\].* AC\d{5}: mod_auth_client: audit: login ok: user "alice", provider op$}m,
         'an audit line for the login: user and provider');
ok t_cmp($text, qr{\[auth_client:info\].* AC\d{5}: mod_auth_client: audit: logout ok: user "alice", provider op$}m,
         'an audit line for the logout');
ok t_cmp($text, qr{login started: provider op \(oauth2\), redirect_uri http://[^ ]+/auth/callback, to https://127\.0\.0\.1:3643/auth$}m,
         'debug: the login start with its redirect_uri and endpoint, no query');
ok t_cmp($text, qr{callback: resuming the login of provider op \(oauth2\) started for /app/env\.cgi}m,
         'debug: the callback finds the login it resumes');
ok t_cmp($text, qr{outbound POST https://127\.0\.0\.1:3643/token: HTTP 200 in \d+ ms}m,
         'debug: the code exchange, with its status');
my @module = grep { /\[auth_client:/ } split /\n/, $text;
ok t_cmp(scalar(grep { !/\] AC\d{5}: / } @module), 0,
         'every line of the module starts with its number');
my %numbers = map { /\] (AC\d{5}): / ? ($1 => 1) : () } @module;
ok t_cmp(scalar(keys %numbers) > 4, 1, 'the steps have numbers of their own');

# ---- logins that fail ---------------------------------------------------------
$from = -s $log;
$res = browser()->get("$base/auth/callback?state=not-a-login&code=x");
ok t_cmp($res->code, 400, 'a callback of no login: 400');
$text = join('', module_lines_since($from));
ok t_cmp($text, qr{audit: login failed: user -, provider -; flow_cookie_missing$}m,
         'an audit line for the failed login, with its code');
ok t_cmp($text, qr{\[auth_client:warn\].*\[flow_cookie_missing\]$}m,
         'the failure itself logged beside it');
ok t_cmp(index($text, 'code=x'), -1, 'the code is not logged');
