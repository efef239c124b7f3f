# A session, and a login in progress, count only where they were made: a
# provider of this vhost with the same configuration (issuer or endpoints,
# client id), in this vhost's session scope (its ServerName unless
# AuthClientSessionScope says otherwise).  The vhosts share the main
# server's cache, so without the binding each would accept the others'
# sessions (conf/extra.conf.in, "sessions are bound to what made them").
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest ();
use LWP::UserAgent;
use URI;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of jar_cookie to_callback error_code);

plan tests => 9;

my $base = base_url();
sub vhost_url {
    my ($vhost) = @_;
    my $hostport = Apache::TestRequest::module2url($vhost, { scheme => 'http', path => '' });
    $hostport =~ s{/$}{};
    return $hostport;
}

# a session made on the main server by its provider "op"
my $ua = browser();
my @steps = login($ua, "$base/app/env.cgi");
ok t_cmp($steps[-1]->code, 200, 'main server: logged in');
my $sid = jar_cookie($ua, 'ac_session');
ok t_cmp(length($sid // ''), 43, 'main server: a session cookie');

sub with_session {
    my ($url, $cookie) = @_;
    my $plain = LWP::UserAgent->new(max_redirect => 0, timeout => 10);
    return $plain->get($url, Cookie => $cookie);
}

# another vhost's "op" is another client of the same issuer: not its session
my $other = vhost_url('ac_bind_other');
my $res = with_session("$other/app/env.cgi", "ac_session=$sid");
ok t_cmp($res->code, 302, 'same-named provider, other client: the session is refused (login)');

# the same provider configuration in another session scope: refused too
my $scope = vhost_url('ac_bind_scope');
$res = with_session("$scope/app/env.cgi", "ac_session=$sid");
ok t_cmp($res->code, 302, 'other session scope: the session is refused (login)');

# a vhost that shares the main server's scope accepts it
my $shared = vhost_url('ac_bind_shared');
$res = with_session("$shared/app/env.cgi", "ac_session=$sid");
ok t_cmp($res->code, 200, 'shared session scope: the session is accepted');
ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', 'shared session scope: the same user');

# a login started on the main server, its callback delivered to the vhost
# whose "op" is another client: refused before any token request
my $ua2 = browser();
my $callback = to_callback($ua2, "$base/app/env.cgi");
ok t_cmp(defined $callback ? 1 : 0, 1, 'main server: the provider sends the browser back');
my $flow = jar_cookie($ua2, 'ac_flow');
my $moved = URI->new($callback);
my $target = URI->new($other);
$moved->scheme($target->scheme);
$moved->host_port($target->host_port);
$res = with_session($moved->as_string, "ac_flow=$flow");
ok t_cmp(error_code($res), 'state_mismatch',
         'callback on a vhost whose same-named provider is another client: state_mismatch');
ok t_cmp($res->code, 400, 'callback on the other vhost: 400');
