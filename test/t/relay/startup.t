# The relay's ProxyPass targets are checked by "httpd -t": one that leaves
# the provider's APIBaseURL fails the start with the file, the line and the
# fix (test/config/check_errors.sh has the other cases).  This runs the
# httpd of the suite on small configurations of its own, with the test
# providers' endpoints.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use File::Temp qw(tempdir);

plan tests => 7;

my $vars = Apache::Test::config()->{vars};
my $httpd = $vars->{httpd};
my $module = "$vars->{serverroot}/../../.libs/mod_auth_client.so";
my $mods = '/usr/lib/apache2/modules';
my $dir = tempdir(CLEANUP => 1);

# "httpd -t" on a configuration that relays tw-hmac toward $target
sub check {
    my ($name, $target) = @_;
    my $conf = "$dir/$name.conf";
    open my $fh, '>', $conf or die "$conf: $!\n";
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
Listen 127.0.0.1:8998
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error.log"
DefaultRuntimeDir "$dir"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
LoadModule auth_client_module "$module"
<AuthClientProvider tw-hmac>
    ClientID          tw-hmac
    ClientSecret      tw-hmac-secret
    RequestTokenURL   http://127.0.0.1:4601/oauth/request_token
    AuthorizeURL      http://127.0.0.1:4601/oauth/authenticate
    AccessTokenURL    http://127.0.0.1:4601/oauth/access_token
    APIBaseURL        http://127.0.0.1:4601/1.1/
    UserInfoURL       account/verify_credentials.json
</AuthClientProvider>
<Location /relay/tw/>
    AuthType           oauth
    AuthClientAPIRelay tw-hmac
    ProxyPass          $target
</Location>
CONF
    close $fh;
    my $out = `"$httpd" -t -f "$conf" 2>&1`;
    return ($? >> 8, $out);
}

my ($rc, $out) = check('under', 'http://127.0.0.1:4601/1.1/');
ok t_cmp($rc, 0, 'a ProxyPass under the APIBaseURL starts');
ok t_cmp($out, qr/Syntax OK/, 'and says so');

($rc, $out) = check('outside', 'http://127.0.0.1:4601/oauth/');
ok t_cmp($rc != 0 ? 1 : 0, 1, 'a ProxyPass to the token endpoints does not start');
ok t_cmp($out, qr{ProxyPass http://127\.0\.0\.1:4601/oauth/ \(\Q$dir\E/outside\.conf:26\)},
         'the message names the ProxyPass, its file and line');
ok t_cmp($out, qr{AuthClientAPIRelay tw-hmac \(\Q$dir\E/outside\.conf:25\)},
         'and the relay');
ok t_cmp($out, qr{Point ProxyPass at http://127\.0\.0\.1:4601/1\.1/}, 'and the fix');

($rc, $out) = check('other_host', 'http://127.0.0.2:4601/1.1/');
ok t_cmp($out, qr/has another scheme, host or port/, 'another host does not start either');
