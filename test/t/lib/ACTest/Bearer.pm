package ACTest::Bearer;
# Access tokens for the bearer tests, obtained as an API client would: from
# the real provider (client credentials, or an authorization code exchange
# with a resource indicator, RFC 8707), or forged by the hostile provider
# for the negative cases; and requests that present them.
use strict;
use warnings;

use Exporter 'import';
use HTTP::Request::Common qw(GET POST);
use JSON::PP ();
use LWP::UserAgent;
use MIME::Base64 qw(encode_base64);
use URI;
use ACTest qw(base_url to_callback);
use ACTest::Services ();

our @EXPORT_OK = qw(api_token user_token forged_token revoke bearer_get
                    op_log_count API OTHER_API);

use constant API => 'https://api.test/';
use constant OTHER_API => 'https://other-api.test/';

my $OP = "https://127.0.0.1:$ACTest::Services::PORT{oidc}";
my $HOSTILE = "http://127.0.0.1:$ACTest::Services::PORT{hostile}";

sub agent {
    my (%o) = @_;
    return LWP::UserAgent->new(timeout => 30, max_redirect => 0, %o,
                               ssl_opts => { SSL_ca_file => $ENV{ACTEST_CA},
                                             verify_hostname => 1 });
}

# one connection for the bearer requests, so they reach one httpd process
# and what it remembers of verified tokens is what the next request finds
my $client = agent(keep_alive => 1);

sub basic {
    my ($client) = @_;
    return 'Basic ' . encode_base64("$client:$client-secret", '');
}

sub token_request {
    my ($client, @form) = @_;
    my $res = agent()->request(POST "$OP/token", \@form,
                               Authorization => basic($client));
    die "token request of $client: " . $res->status_line . ' ' . $res->decoded_content . "\n"
        unless $res->is_success;
    return JSON::PP->new->decode($res->decoded_content)->{access_token};
}

# A client credentials token of $client (ac-api: JWT, ac-api-opaque: opaque)
# for $o{resource} (default API; undef: none) with $o{scope}.
sub api_token {
    my ($client, %o) = @_;
    my $resource = exists $o{resource} ? $o{resource} : API;
    my $scope = exists $o{scope} ? $o{scope} : 'api:read';
    return token_request($client, grant_type => 'client_credentials',
                         (defined $resource ? (resource => $resource) : ()),
                         (defined $scope ? (scope => $scope) : ()));
}

# alice's token for API through an authorization code flow of $client,
# logged in with the browser $ua.
sub user_token {
    my ($ua, $client, %o) = @_;
    my $redirect = base_url() . '/auth/callback';
    my $authorize = URI->new("$OP/auth");
    $authorize->query_form(client_id => $client, response_type => 'code',
                           scope => 'openid api:read', resource => API,
                           redirect_uri => $redirect, state => 'bearer-test');
    my $callback = to_callback($ua, "$authorize") or die "no code from the provider\n";
    my %q = $callback->query_form;
    die "no code: " . join(',', %q) . "\n" unless $q{code};
    return token_request($client, grant_type => 'authorization_code', code => $q{code},
                         redirect_uri => $redirect, resource => API);
}

# A forged JWT access token of the hostile "bearer" issuer (a mock).
sub forged_token {
    my ($case) = @_;
    my $res = agent()->get("$HOSTILE/bearer/access_token?case=$case");
    die "forged token $case: " . $res->status_line . "\n" unless $res->is_success;
    return $res->decoded_content;
}

sub revoke {
    my ($client, $token) = @_;
    my $res = agent()->request(POST "$OP/token/revocation", [ token => $token ],
                               Authorization => basic($client));
    die "revocation: " . $res->status_line . "\n" unless $res->is_success;
}

# GET $url as an API client: no cookies, the token (if defined) as Bearer,
# over the same connection as the previous call.
sub bearer_get {
    my ($url, $token, @headers) = @_;
    return $client->get($url, (defined $token ? (Authorization => "Bearer $token") : ()),
                        @headers);
}

# How many lines of the provider's log match $re (its request lines, say).
sub op_log_count {
    my ($re) = @_;
    open my $fh, '<', "$ACTest::Services::RUN/oidc.log" or return 0;
    my $n = grep { /$re/ } <$fh>;
    close $fh;
    return $n;
}

1;
