# Client headers posing as the module's exports are removed on every
# request to a location configured for the module, also where check_authn
# never runs: a sub-location with "Require all granted", "Require ip", a
# <RequireAny> with a host rule, and <Limit OPTIONS>.  X-Seen-* echo what
# httpd holds after the request's checks, which is what mod_proxy would
# forward to a backend (conf/extra.conf.in, /strip/).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of);

my @spoof = (
    ':OIDC_CLAIM_email' => 'admin@evil',
    'oidc-claim-sub'    => 'root',
    ':OIDC_access_token' => 'forged',
    'OIDC-access-token' => 'forged',
);
my @seen = qw(X-Seen-Claim-Underscore X-Seen-Claim-Dash X-Seen-Token-Underscore
              X-Seen-Token-Dash);
my @where = (
    [ GET => '/strip/all/env.cgi' ],
    [ GET => '/strip/ip/env.cgi' ],
    [ GET => '/strip/any/env.cgi' ],
    [ OPTIONS => '/strip/limit/env.cgi' ],
);

plan tests => 2 * @where * (@seen + 2) + 1;

my $base = base_url();

sub check {
    my ($ua, $method, $path, $who) = @_;
    my $req = HTTP::Request->new($method => "$base$path");
    $req->header(@spoof);
    my $res = $ua->request($req);
    ok t_cmp($res->code, 200, "$who $method $path: let through");
    for my $h (@seen) {
        ok t_cmp($res->header($h) // '', '', "$who $method $path: $h removed");
    }
    my $env = env_of($res);
    my @vars = grep { /^HTTP_OIDC/ } keys %$env;
    ok t_cmp(join(',', sort @vars), '', "$who $method $path: no HTTP_OIDC_* in the CGI environment");
}

# anonymous: nothing runs check_authn here
check(browser(), @$_, 'anonymous') for @where;

# with a session the export runs where a login is asked for; the spoofed
# values must not reach the backend either way
my $ua = browser();
my @steps = login($ua, "$base/app/env.cgi");
ok t_cmp($steps[-1]->code, 200, 'logged in');
check($ua, @$_, 'signed-in') for @where;
