# Runs last (directory zz): after every login, refused login and logout of
# the suite, what the module wrote to the error log - at LogLevel
# auth_client:trace8 - must not contain a client secret, a JWT, or a token or
# code value.  (httpd's own trace output, which Apache::Test turns on for
# core, logs request lines and headers: that is httpd's business.)
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;

my $log = Apache::Test::vars('t_logs') . '/error_log';
open my $fh, '<', $log or die "cannot read $log: $!";
my $text = join '', grep { /\[auth_client:/ } <$fh>;
close $fh;

my @secrets = qw(ac-test-secret ac-post-secret hostile-secret tw-hmac-secret
                 tw-sha256-secret gh-basic-secret gh-post-secret gh-pkce-secret
                 ac-secret-jwt-secret-0123456789abcdef0123456789
                 integration-passphrase-0123456789 ac-api-secret
                 ac-api-opaque-secret);
my %patterns = (
    'a JWT (id_token, client assertion)' => qr/eyJ[A-Za-z0-9_-]{10,}\.eyJ/,
    'an access token value'              => qr/access_token=[^&\s\]]/,
    'an introspected token'              => qr/(?:^|[?&\s])token=[^&\s\]]/,
    'a bearer token'                     => qr/Bearer [A-Za-z0-9._~+\/-]{10,}/,
    'an OAuth 1.0a token secret'         => qr/oauth_token_secret=[^&\s\]]/,
    'an authorization code value'        => qr/[?&]code=[^&\s\]]/,
    'an OAuth 1.0a verifier value'       => qr/oauth_verifier=[^&\s\]]/,
);

plan tests => @secrets + keys(%patterns) + 1;

# the refused logins of the suite alone log dozens of lines
ok t_cmp(length($text) > 2000, 1, 'the module wrote log lines to look at');
for my $secret (@secrets) {
    ok t_cmp(index($text, $secret), -1, "the module's log lines do not contain $secret");
}
for my $what (sort keys %patterns) {
    my ($hit) = $text =~ /(.{0,60}$patterns{$what}.{0,20})/;
    ok t_cmp($hit, undef, "no $what in the module's log lines");
}
