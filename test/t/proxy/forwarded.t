# Reverse proxies: the request's external origin (the redirect URI sent to
# the provider, Secure / __Host- cookies, the logout's Origin check) takes
# Forwarded / X-Forwarded-* only from AuthClientTrustedProxy peers.  The
# test client connects from 127.0.0.1, so it plays the proxy where
# 127.0.0.1 is trusted, and a spoofing browser where it is not.  An extra
# httpd (ACTest::Node) with one child process, so the one-time warning is
# counted exactly, and name-based virtual hosts for the setups:
#   canonical.test    ServerName https://..., UseCanonicalName On, first
#                     (default) vhost: any forged Host lands here
#   scheme-only.test  ServerName https://..., UseCanonicalName Off
#   trusted.test      AuthClientTrustedProxy 127.0.0.1
#   untrusted.test    AuthClientTrustedProxy 192.0.2.0/24 (not us)
#   fixed.test        AuthClientRedirectURI https://login.example.org/...
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;
use URI;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser error_code);
use ACTest::Node qw(start_node stop_nodes node_log);
use ACTest::Services ();

plan tests => 37;

my $port = 8647;
my $base = "http://127.0.0.1:$port";
my $t = Apache::Test::config()->{vars}{serverroot};
my $oidc = $ACTest::Services::PORT{oidc};

END {
    local $?;
    stop_nodes();
}

my $config = <<"CONF";
StartServers     1
ServerLimit      1
ThreadsPerChild  8
MaxRequestWorkers 8
<AuthClientProvider op>
    ServerMetadataURL https://127.0.0.1:$oidc/.well-known/openid-configuration
    ClientID          ac-test
    ClientSecret      ac-test-secret
    Scope             openid email
</AuthClientProvider>
<Directory "$t/htdocs">
    Require all granted
</Directory>
<Location /app/>
    AuthType           oauth
    AuthClientProvider op
    Require            valid-user
</Location>
<VirtualHost 127.0.0.1:$port>
    ServerName       https://canonical.test
    UseCanonicalName On
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName       https://scheme-only.test
    ServerAlias      scheme-alias.test
    UseCanonicalName Off
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName             trusted.test
    AuthClientTrustedProxy 10.0.0.0/8 127.0.0.1
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName             untrusted.test
    ServerAlias            untrusted-alias.test
    AuthClientTrustedProxy 192.0.2.0/24 2001:db8::/32
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName             fixed.test
    AuthClientTrustedProxy 127.0.0.1
    AuthClientRedirectURI  https://login.example.org/auth/callback
</VirtualHost>
CONF

ok t_cmp(start_node($port, $config), undef, "node $port started");

my $ua = browser(navigate => 1);

# a login start on $host with @headers: (status, redirect_uri, flow cookie)
sub login_start {
    my ($host, @headers) = @_;
    my $res = $ua->get("$base/app/env.cgi", Host => $host, @headers);
    my $loc = $res->header('Location') // '';
    my %q = $loc ? URI->new($loc)->query_form : ();
    my ($flow) = grep { /ac_flow=/ } $res->header('Set-Cookie');
    $ua->cookie_jar->clear;
    return ($res, $q{redirect_uri} // '', $flow // '');
}

# ---- a trusted proxy ---------------------------------------------------------------
my ($res, $uri, $flow) = login_start('trusted.test', 'X-Forwarded-Proto' => 'https',
                                     'X-Forwarded-Host' => 'app.example.org');
ok t_cmp($res->code, 302, 'trusted, X-Forwarded-*: a login starts');
ok t_cmp($uri, 'https://app.example.org/auth/callback',
         'trusted, X-Forwarded-*: the https redirect_uri goes to the provider');
ok t_cmp($flow, qr/^__Host-ac_flow=[^;]+;.*; Secure$/,
         'trusted, X-Forwarded-*: the flow cookie is Secure, __Host-');

(undef, $uri) = login_start('trusted.test', 'X-Forwarded-Proto' => 'https',
                            'X-Forwarded-Port' => '8443');
ok t_cmp($uri, 'https://trusted.test:8443/auth/callback',
         'trusted, proto and port only: the name is httpd\'s');

($res, $uri, $flow) = login_start('trusted.test',
    Forwarded => 'for=192.0.2.7;proto=https;host="app.example.org:8443"');
ok t_cmp($uri, 'https://app.example.org:8443/auth/callback',
         'trusted, Forwarded: proto and host of RFC 7239');
ok t_cmp($flow, qr/; Secure$/, 'trusted, Forwarded: Secure');

# the browser's own Forwarded element comes first; the proxy appends its own
(undef, $uri) = login_start('trusted.test',
    Forwarded => 'proto=http;host=evil.example, for=192.0.2.7;proto=https;host=app.example.org');
ok t_cmp($uri, 'https://app.example.org/auth/callback',
         'trusted, Forwarded: only the nearest element counts');

# Forwarded wins over X-Forwarded-*
(undef, $uri) = login_start('trusted.test', Forwarded => 'proto=https;host=app.example.org',
                            'X-Forwarded-Host' => 'evil.example');
ok t_cmp($uri, 'https://app.example.org/auth/callback', 'trusted: Forwarded first');

($res, $uri, $flow) = login_start('trusted.test:' . $port);
ok t_cmp($uri, "http://trusted.test:$port/auth/callback",
         'trusted, no forwarded headers: httpd\'s view');
ok t_cmp($flow, qr/^ac_flow=(?!.*Secure)/, 'trusted, no forwarded headers: not Secure');

# malformed headers from the trusted proxy: 400, the log says which and why
for my $case (['X-Forwarded-Host' => 'evil.example/path'],
              ['X-Forwarded-Proto' => 'javascript'],
              [Forwarded => 'proto="https'],
              [Forwarded => 'host=[2001:db8::1]'],
              ['X-Forwarded-Port' => '99999']) {
    ($res, $uri, $flow) = login_start('trusted.test', @$case);
    ok t_cmp(error_code($res) // '', 'forwarded_invalid',
             "trusted, bad $case->[0]: 400 forwarded_invalid");
}
ok t_cmp($res->code, 400, 'forwarded_invalid is a 400');
ok t_cmp($flow, '', 'no flow cookie for a refused login');
my $log = node_log($port);
ok t_cmp($log, qr/the X-Forwarded-Host header from a trusted proxy has an empty or malformed host \[forwarded_invalid\]/,
         'the log line names the header and why');
ok t_cmp($log =~ /evil\.example\/path/ ? 'logged' : 'not logged', 'not logged',
         'and not the value it refused');

# the callback through the trusted proxy refuses the same way
$res = $ua->get("$base/auth/callback?state=x&code=y", Host => 'trusted.test',
                'X-Forwarded-Proto' => 'ftp');
ok t_cmp(error_code($res) // '', 'forwarded_invalid', 'callback: forwarded_invalid');

# the logout's Origin check uses the forwarded origin
my @via_proxy = (Host => 'trusted.test', 'X-Forwarded-Proto' => 'https',
                 'X-Forwarded-Host' => 'app.example.org');
$res = $ua->post("$base/auth/logout", @via_proxy, Origin => 'https://app.example.org');
ok t_cmp(error_code($res) // '', '', 'logout from the forwarded origin: accepted');
$res = $ua->post("$base/auth/logout", @via_proxy, Origin => "http://trusted.test:$port");
ok t_cmp(error_code($res) // '', 'logout_cross_site',
         'logout from httpd\'s own origin: refused behind the proxy');

# ---- an untrusted peer: spoofed headers ignored, warned once --------------------------
ok t_cmp(node_log($port) =~ /\[forwarded_untrusted\]/ ? 'warned' : 'silent', 'silent',
         'no warning yet: a trusted proxy\'s headers are no warning');
for my $i (1 .. 3) {
    ($res, $uri, $flow) = login_start("untrusted.test:$port",
        'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'evil.example',
        Forwarded => 'proto=https;host=evil.example');
    ok t_cmp($uri, "http://untrusted.test:$port/auth/callback",
             "untrusted $i: the spoofed headers are ignored");
}
ok t_cmp($flow, qr/^ac_flow=(?!.*Secure)/, 'untrusted: the cookie is not Secure');
my @warned = node_log($port) =~ /(Forwarded or X-Forwarded-\* headers from 127\.0\.0\.1, which is not in AuthClientTrustedProxy: ignored.*\[forwarded_untrusted\])/g;
ok t_cmp(scalar @warned, 1, 'untrusted: warned once in the process');
# a malformed header from an untrusted peer is not even read
($res) = login_start("untrusted.test:$port", 'X-Forwarded-Host' => 'evil.example/x');
ok t_cmp($res->code, 302, 'untrusted, malformed: ignored, the login starts');

# UseCanonicalName Off without a scheme in ServerName: the Host header
# names the site (what the reference says; the fix is the next setup)
(undef, $uri) = login_start("untrusted-alias.test:$port");
ok t_cmp($uri, "http://untrusted-alias.test:$port/auth/callback",
         'UseCanonicalName Off: the redirect_uri follows the Host header');

# ---- ServerName https://, UseCanonicalName On: the Host header changes nothing -------
($res, $uri, $flow) = login_start('canonical.test');
ok t_cmp($uri, 'https://canonical.test/auth/callback', 'canonical: the https redirect_uri');
ok t_cmp($flow, qr/^__Host-ac_flow=.*; Secure$/, 'canonical: Secure __Host- cookie');
(undef, $uri) = login_start('evil.example', 'X-Forwarded-Host' => 'evil.example');
ok t_cmp($uri, 'https://canonical.test/auth/callback',
         'canonical: a forged Host (and X-Forwarded-Host) leave it unchanged');
(undef, $uri) = login_start('scheme-alias.test:8080');
ok t_cmp($uri, 'https://scheme-only.test/auth/callback',
         'ServerName with a scheme, UseCanonicalName Off: ServerName still');

# ---- AuthClientRedirectURI wins over everything -----------------------------------
($res, $uri, $flow) = login_start('fixed.test', 'X-Forwarded-Proto' => 'http',
                                  'X-Forwarded-Host' => 'evil.example');
ok t_cmp($uri, 'https://login.example.org/auth/callback',
         'AuthClientRedirectURI: sent as it is');
ok t_cmp($flow, qr/^__Host-ac_flow=.*; Secure$/,
         'AuthClientRedirectURI: its https origin makes the cookie Secure');
