# A user with a large claim set - 1000 groups of 40 bytes, GUID-like as
# Entra and Okta issue them - logs in at the real provider, and the
# session fits: no login loop, every group exported once, "Require claim"
# on one of them grants and on one the user lacks refuses.  The claims
# are kept apart from the session record (session_claims.c): the record
# read on every request stays small, and a logout ends both.  The user
# "many" is in test/providers/oidc/accounts.js; /many/ and /many-denied/
# in conf/extra.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common qw(POST);
use JSON::PP qw(decode_json);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of error_log module_lines_since);

plan tests => 19;

my $base = base_url();
my $op = 'https://127.0.0.1:3643';
my $provider_ua = LWP::UserAgent->new(timeout => 10,
                                      ssl_opts => { SSL_ca_file => $ENV{ACTEST_CA} });

sub code_grants {
    my $res = $provider_ua->get("$op/test/stats");
    die 'provider stats: ' . $res->status_line . "\n" unless $res->is_success;
    return decode_json($res->content)->{grants}{'ac-test'}{authorization_code} // 0;
}

sub group { return sprintf 'grp-%08x-0000-4000-8000-%012x', $_[0], $_[0] }

my $log = error_log();

# the sizes of the entries of `$type` stored since `$from`
sub stored_sizes {
    my ($from, $type) = @_;
    return map { /stored a \Q$type\E entry of (\d+) bytes/ ? $1 : () }
           module_lines_since($from);
}

my $ua = browser();
my $before = code_grants();
my $log_at = -s $log;
my @steps = login($ua, "$base/many/env.cgi", user => 'many');
my $res = $steps[-1];
ok t_cmp($res->code, 200, 'many on /many/ after login (Require claim on the last group)');
my $env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'many', 'REMOTE_USER');
ok t_cmp(code_grants() - $before, 1, 'one authorization code grant for the login');
my $session = 0;
$ua->cookie_jar->scan(sub { $session++ if $_[1] =~ /ac_session$/ && length $_[2] });
ok t_cmp($session, 1, 'a session cookie is set');

my @claims = stored_sizes($log_at, 'claims');
my @records = stored_sizes($log_at, 'session');
ok t_cmp(scalar @claims, 1, 'the claims are stored apart, once');
ok t_cmp(($claims[0] // 0) > 40_000 ? 1 : 0, 1,
         'the claims entry holds the groups (' . ($claims[0] // 0) . ' bytes)');
ok t_cmp(@records && $records[-1] < 2048 ? 1 : 0, 1,
         'the session record stays small (' . ($records[-1] // '?') . ' bytes)');

my @groups = split /,/, $env->{OIDC_CLAIM_groups} // '';
ok t_cmp(scalar @groups, 1000, 'OIDC_CLAIM_groups holds the 1000 groups');
ok t_cmp($groups[0], group(0), 'the first group, whole');
ok t_cmp($groups[999], group(999), 'the last group, whole');

# the session is read back from the cache, not made again: no redirect,
# no new grant at the provider
$res = $ua->get("$base/many/env.cgi");
ok t_cmp($res->code, 200, 'a second request with the session: 200');
ok t_cmp($res->header('Location'), undef, 'no redirect to the provider (no login loop)');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'many', 'the second request: REMOTE_USER');
$res = $ua->get("$base/many-denied/env.cgi");
ok t_cmp($res->code, 403, 'a group the user lacks (the 1001st): 403');
$res = $ua->get("$base/app/env.cgi");
ok t_cmp($res->code, 200, 'another location with the same session: 200');
ok t_cmp(code_grants() - $before, 1, 'still the one grant: the session was reused');

# a logout ends the session and its claims: the session is refused after
$ua->max_redirect(0);
$res = $ua->request(POST "$base/auth/logout", Origin => $base, Content => []);
ok t_cmp($res->code, 303, 'logout: 303');
# from here: the logout itself may read the claims, in a process that had
# not read them yet
$log_at = -s $log;
$res = $ua->get("$base/many/env.cgi");
ok t_cmp($res->code, 302, 'after the logout the session is gone: a login again');
ok t_cmp(scalar(grep { /read a claims entry/ } module_lines_since($log_at)), 0,
         'and its claims are not read for it');
