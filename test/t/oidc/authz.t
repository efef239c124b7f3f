# "Require claim": exact values, array claims (any element), regexes and
# dotted paths into nested claims, and its alias "Require oauth-claim";
# alice (groups staff,admins, address DE) and bob (groups staff, no
# address, email not verified).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of);

plan tests => 20;

my $base = base_url();

my $alice = browser();
my $res = (login($alice, "$base/staff/env.cgi"))[-1];
ok t_cmp($res->code, 200, 'alice on /staff/ (groups:admins, an array element)');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'alice on /staff/: REMOTE_USER');
$res = $alice->get("$base/regex/env.cgi");
ok t_cmp($res->code, 200, 'alice on /regex/ (email~^alice@example\.org$)');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'alice on /regex/: REMOTE_USER');
$res = $alice->get("$base/nested/env.cgi");
ok t_cmp($res->code, 200, 'alice on /nested/ (address.country:DE)');
ok t_cmp(env_of($res)->{OIDC_CLAIM_address_country}, 'DE', 'alice on /nested/: claims');
$res = $alice->get("$base/denied/env.cgi");
ok t_cmp($res->code, 403, 'alice on /denied/: 403');
ok t_cmp($res->decoded_content // '', qr/^(?!.*OIDC_CLAIM_).*\z/s,
         'alice on /denied/: the application did not run');
$res = $alice->get("$base/oclaim/env.cgi");
ok t_cmp($res->code, 200, 'alice on /oclaim/ (Require oauth-claim groups:admins)');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'alice on /oclaim/: REMOTE_USER');
ok t_cmp($alice->get("$base/oclaim-denied/env.cgi")->code, 403,
         'alice on /oclaim-denied/ (Require oauth-claim groups:nobody): 403');

my $bob = browser();
$res = (login($bob, "$base/app/env.cgi", user => 'bob'))[-1];
ok t_cmp(env_of($res)->{REMOTE_USER}, 'bob', 'bob logged in');
ok t_cmp($bob->get("$base/staff/env.cgi")->code, 403, 'bob on /staff/: 403 (only staff)');
ok t_cmp($bob->get("$base/regex/env.cgi")->code, 403, 'bob on /regex/: 403');
ok t_cmp($bob->get("$base/nested/env.cgi")->code, 403, 'bob on /nested/: 403 (no address)');
ok t_cmp($bob->get("$base/oclaim/env.cgi")->code, 403, 'bob on /oclaim/: 403 (not admins)');
ok t_cmp($bob->get("$base/oclaim-denied/env.cgi")->code, 403, 'bob on /oclaim-denied/: 403');
# "email_verified:false" on /denied/ matches bob: any word of the line grants
$res = $bob->get("$base/denied/env.cgi");
ok t_cmp($res->code, 200, 'bob on /denied/: 200 (email_verified:false)');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'bob', 'bob on /denied/: REMOTE_USER');

# a 403 is final: no redirect to the provider, which would loop
ok t_cmp($bob->get("$base/staff/env.cgi")->header('Location'), undef,
         'a 403 does not send the browser back to the provider');
