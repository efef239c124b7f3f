# Runs last (directory zz): after every login, refused login and logout of
# the suite, the error log - written at LogLevel auth_client:debug - must
# not contain a client secret, a JWT, or a token or code value.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;

my $log = Apache::Test::vars('t_logs') . '/error_log';
open my $fh, '<', $log or die "cannot read $log: $!";
my $text = do { local $/; <$fh> };
close $fh;

my @secrets = qw(ac-test-secret ac-post-secret hostile-secret tw-hmac-secret
                 tw-sha256-secret gh-basic-secret gh-post-secret gh-pkce-secret
                 integration-passphrase-0123456789);
my %patterns = (
    'a JWT (id_token, client assertion)' => qr/eyJ[A-Za-z0-9_-]{10,}\.eyJ/,
    'an access token value'              => qr/access_token=[^&\s\]]/,
    'an OAuth 1.0a token secret'         => qr/oauth_token_secret=[^&\s\]]/,
    'an authorization code value'        => qr/[?&]code=[^&\s\]]/,
    'an OAuth 1.0a verifier value'       => qr/oauth_verifier=[^&\s\]]/,
);

plan tests => @secrets + keys(%patterns) + 1;

ok length($text) > 1000, 'the suite wrote an error log to look at';
for my $secret (@secrets) {
    ok index($text, $secret) < 0, "the error log does not contain $secret";
}
for my $what (sort keys %patterns) {
    my ($hit) = $text =~ /(.{0,60}$patterns{$what}.{0,20})/;
    ok !defined $hit, "no $what in the error log" . ($hit ? ": $hit" : '');
}
