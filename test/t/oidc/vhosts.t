# The callback and logout paths belong to the module only in virtual hosts
# that have a provider: another site on the same server keeps its own
# /auth/logout.  The suite's own server defines its providers in the main
# server, which every virtual host inherits, so this runs an extra httpd
# (ACTest::Node) with two name-based virtual hosts on one port: one with a
# provider, one without, and no provider in the main server.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser error_code);
use ACTest::Node qw(start_node stop_nodes);
use ACTest::Services ();

plan tests => 13;

my $port = 8644;     # after two_nodes.t's; Apache::Test's own vhosts take 8530 on
my $base = "http://127.0.0.1:$port";
my $t = Apache::Test::config()->{vars}{serverroot};

END {
    local $?;
    stop_nodes();
}

my $config = <<"CONF";
<Directory "$t/htdocs">
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:$port>
    ServerName with-provider.test
    <AuthClientProvider op>
        ServerMetadataURL https://127.0.0.1:$ACTest::Services::PORT{oidc}/.well-known/openid-configuration
        ClientID          ac-test
        ClientSecret      ac-test-secret
        Scope             openid email
    </AuthClientProvider>
    Alias /app/ "$t/htdocs/app/"
    <Directory "$t/htdocs/app">
        Options +ExecCGI
        AddHandler cgi-script .cgi
    </Directory>
    <Location /app/>
        AuthType           oauth
        AuthClientProvider op
        Require            valid-user
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName without-provider.test
</VirtualHost>
CONF

ok t_cmp(start_node($port, $config), undef, "node $port started");

my $ua = browser();
sub get_on {
    my ($host, $path) = @_;
    return $ua->get("$base$path", Host => $host);
}

# the virtual host with a provider: the module answers both paths
my $res = get_on('with-provider.test', '/auth/logout');
ok t_cmp($res->code, 200, 'with a provider: /auth/logout answered');
ok t_cmp($res->decoded_content // '', qr{<form method="post" action="/auth/logout">},
         'with a provider: the sign-out form');
$res = get_on('with-provider.test', '/auth/callback');
ok t_cmp(error_code($res) // '', qr/\S/,
         'with a provider: /auth/callback answered by the module');
$res = get_on('with-provider.test', '/auth/callback?login=op&target=/app/env.cgi');
ok t_cmp($res->code, 302, 'with a provider: the chooser link starts a login');
ok t_cmp($res->header('Location') // '', qr{^https://127\.0\.0\.1:\d+/auth\?},
         'with a provider: to the provider');

# the virtual host without one: httpd's own 404, nothing of the module's
for my $path ('/auth/logout', '/auth/callback', '/auth/callback?login=op') {
    $res = get_on('without-provider.test', $path);
    ok t_cmp($res->code, 404, "without a provider: $path is 404");
    ok t_cmp($res->header('X-Auth-Client-Error'), undef,
             "without a provider: $path not answered by the module");
}
ok t_cmp($res->header('Set-Cookie'), undef,
         'without a provider: no login cookie set');
