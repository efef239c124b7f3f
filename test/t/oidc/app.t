# What the applications behind the module see: REMOTE_USER and the claims
# in CGI and PHP, a per-location claim prefix, and request headers a client
# sends to pass itself off as a claim, which must never reach them.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Encode qw(encode);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of);

plan tests => 52;

my $base = base_url();
# Each spoofing header as sent (a leading ':' makes LWP keep the '_'), the
# response header that echoes what httpd holds under that name after
# authentication (conf/extra.conf.in), and the CGI variable it would become.
my @spoof = (
    [ ':OIDC_CLAIM_email', 'evil@x', 'X-Seen-Claim-Underscore', undef ],
    [ 'OIDC-CLAIM-email', 'evil@x', 'X-Seen-Claim-Dash', 'HTTP_OIDC_CLAIM_EMAIL' ],
    [ ':OIDC_access_token', 'evil-token', 'X-Seen-Token-Underscore', undef ],
    [ 'OIDC-access-token', 'evil-token', 'X-Seen-Token-Dash', 'HTTP_OIDC_ACCESS_TOKEN' ],
);
my @all_spoof = map { ($_->[0], $_->[1]) } @spoof;

# CGI turns a header into HTTP_<NAME> with '-' as '_'; anything that came
# from the spoofed headers shows as one of these, or carries their values
sub spoofed_vars {
    my ($env) = @_;
    return join ',', sort grep {
        /^HTTP_OIDC/i || /^HTTP_AC_/i || ($env->{$_} // '') =~ /evil/
    } keys %$env;
}

# ---- the control: unprotected, the headers do reach httpd and the CGI -------
# (proves the checks below would see them if the module let them through)
for my $s (@spoof) {
    my ($name, $value, $echo, $var) = @$s;
    my $res = browser()->get("$base/open/env.cgi", $name => $value);
    ok t_cmp($res->header($echo), $value, "control: $name reaches httpd unprotected");
    next unless $var;
    ok t_cmp(env_of($res)->{$var}, $value, "control: $name reaches a CGI unprotected");
}

# ---- without a session: removed all the same, and no application runs -------
for my $s (@spoof) {
    my ($name, $value, $echo) = @$s;
    my $res = browser()->get("$base/app/env.cgi", $name => $value);
    ok t_cmp($res->code, 302, "no session, $name: sent to the provider");
    ok t_cmp($res->header($echo), qr/^(?!.*evil)/, "no session, $name: removed");
}
my $anon_xhr = browser()->get("$base/app/env.cgi", @all_spoof,
                              'X-Requested-With' => 'XMLHttpRequest');
ok t_cmp($anon_xhr->code, 401, 'no session, XHR with spoofed headers: 401');
ok t_cmp(join(',', map { $anon_xhr->header($_->[2]) } @spoof),
         qr/^(?!.*evil)/, 'no session, XHR: spoofed headers removed');

# ---- CGI ------------------------------------------------------------------------
my $ua = browser();
my $res = (login($ua, "$base/app/env.cgi"))[-1];
ok t_cmp($res->code, 200, 'logged in');
my $env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'alice', 'CGI: REMOTE_USER');
ok t_cmp($env->{OIDC_CLAIM_email}, 'alice@example.org', 'CGI: email');
# env_of decodes the body: compare characters, and the raw bytes too
ok t_cmp($env->{OIDC_CLAIM_name}, "Alice \x{dc}mlaut", 'CGI: name, decoded');
ok t_cmp(scalar($res->content =~ /^OIDC_CLAIM_name=(.*)$/m ? $1 : undef),
         encode('UTF-8', "Alice \x{dc}mlaut"), 'CGI: name is UTF-8 on the wire');
ok t_cmp($env->{OIDC_CLAIM_groups}, 'staff,admins', 'CGI: groups joined');
ok t_cmp($env->{OIDC_CLAIM_address_country}, 'DE', 'CGI: address.country');
ok t_cmp($env->{OIDC_CLAIM_email_verified}, qr/^(true|1)$/, 'CGI: boolean claim');

# ---- with a session: spoofed headers are removed ---------------------------------
for my $s (@spoof) {
    my ($name, $value, $echo) = @$s;
    my $res = $ua->get("$base/app/env.cgi", $name => $value);
    my $env = env_of($res);
    ok t_cmp($env->{REMOTE_USER}, 'alice', "session, $name: still alice");
    ok t_cmp($res->header($echo), qr/^(?!.*evil)/, "session, $name: removed");
    ok t_cmp(spoofed_vars($env), '', "session, $name: nothing reached the CGI");
}
$env = env_of($ua->get("$base/app/env.cgi", @all_spoof));
ok t_cmp($env->{OIDC_CLAIM_email}, 'alice@example.org',
         'all spoofed headers at once: the real email');
ok t_cmp($env->{OIDC_access_token} // '', qr/^(?!evil).{11,}/,
         'all spoofed headers at once: the real access token');
# header names are case-insensitive; so is the filter
$env = env_of($ua->get("$base/app/env.cgi", ':oidc-claim-EMAIL' => 'evil@x',
                       ':OIDC_claim_GROUPS' => 'evil'));
ok t_cmp(spoofed_vars($env), '', 'spoofed headers in other cases: removed');
ok t_cmp($env->{OIDC_CLAIM_groups}, 'staff,admins', 'groups not replaced');
# a claim the user does not have cannot be planted either
$env = env_of($ua->get("$base/app/env.cgi", 'OIDC-CLAIM-role' => 'evil'));
ok t_cmp(spoofed_vars($env), '', 'a spoofed claim the user lacks: removed');

# ---- PHP ------------------------------------------------------------------------
$res = $ua->get("$base/app/whoami.php", @all_spoof);
ok t_cmp($res->code, 200, 'PHP answers');
my $php = env_of($res);
ok t_cmp($php->{php_remote_user}, 'alice', 'PHP: REMOTE_USER');
ok t_cmp($php->{php_email}, 'alice@example.org', 'PHP: email');
ok t_cmp($php->{php_groups}, 'staff,admins', 'PHP: groups');
ok t_cmp($php->{php_name}, "Alice \x{dc}mlaut", 'PHP: name');

# ---- AuthClientClaimPrefix AC_ on /prefix/ --------------------------------------
$res = $ua->get("$base/prefix/env.cgi", ':AC_email' => 'evil@x',
                'AC-groups' => 'evil');
ok t_cmp($res->code, 200, '/prefix/: the same session');
$env = env_of($res);
ok t_cmp($env->{AC_email}, 'alice@example.org', '/prefix/: AC_email');
ok t_cmp($env->{AC_groups}, 'staff,admins', '/prefix/: AC_groups');
ok t_cmp(join(',', grep { /^OIDC_CLAIM_/ } sort keys %$env), '',
         '/prefix/: no OIDC_CLAIM_ variables');
ok t_cmp(spoofed_vars($env), '', '/prefix/: spoofed AC- headers removed');
ok t_cmp($res->header('X-Seen-Prefixed'), qr/^(?!.*evil)/,
         '/prefix/: spoofed AC_email header removed');
