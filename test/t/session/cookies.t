# Several cookies of the session's name: every one is looked at (a bounded
# few), so a planted cookie - more path-specific, or from a sibling
# subdomain - cannot shadow the real one.  On https, where path and domain
# allow it, the module's cookies carry the __Host- prefix, which no sibling
# subdomain and no plain-http page can set, and plain-named ones are not
# read (the ac_host_prefix vhost has "ServerName https://...", as behind a
# TLS-terminating proxy).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest ();
use LWP::UserAgent;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of jar_cookie);

plan tests => 10;

my $base = base_url();
my $ua = browser();
my @steps = login($ua, "$base/app/env.cgi");
ok t_cmp($steps[-1]->code, 200, 'logged in');
my $sid = jar_cookie($ua, 'ac_session');
my $planted = 'A' x 43;     # the shape of an id, known to no cache

sub get_with {
    my ($url, @cookies) = @_;
    my $plain = LWP::UserAgent->new(max_redirect => 0, timeout => 10);
    return $plain->get($url, map { (Cookie => $_) } @cookies);
}

my $res = get_with("$base/app/env.cgi", "ac_session=$planted; ac_session=$sid");
ok t_cmp($res->code, 200, 'a planted cookie before the real one does not shadow it');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'the real session is used');
$res = get_with("$base/app/env.cgi", "ac_session=$planted", "ac_session=$sid");
ok t_cmp($res->code, 200, 'the same across two Cookie headers');
$res = get_with("$base/app/env.cgi", "ac_session=$planted");
ok t_cmp($res->code, 302, 'the planted cookie alone is no session');

# the https vhost: __Host- names
my $https = Apache::TestRequest::module2url('ac_host_prefix', { scheme => 'http', path => '' });
$https =~ s{/$}{};
$res = get_with("$https/app/env.cgi");
ok t_cmp($res->code, 302, 'https vhost: a login starts');
my ($flow) = grep { /^__Host-ac_flow=/ } $res->header('Set-Cookie');
ok t_cmp($flow // '', qr/; Path=\/;.*; Secure$/, 'https vhost: the flow cookie is __Host- with Path=/ and Secure');
ok t_cmp(join(' ', grep { /^ac_flow=/ } $res->header('Set-Cookie')), '',
         'https vhost: no plain-named flow cookie');
$res = get_with("$https/app/env.cgi", "ac_session=$sid");
ok t_cmp($res->code, 302, 'https vhost: a plain-named session cookie is not read');
$res = get_with("$https/app/env.cgi", "__Host-ac_session=$sid");
ok t_cmp($res->code, 200, 'https vhost: the __Host- session cookie is');
