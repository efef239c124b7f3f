package ACTest::Logout;
# What the single-logout tests (t/logout) do at the providers: sign out at
# the OpenID provider as the user would, end a user's sessions as its
# administrator would, make logout tokens to deliver, replay or alter,
# introspect tokens, and post logout tokens to a back-channel path.
use strict;
use warnings;

use Exporter 'import';
use HTTP::Request::Common qw(POST);
use JSON::PP ();
use LWP::UserAgent;
use URI;
use ACTest::Services ();

our @EXPORT_OK = qw(op_issuer provider_logout admin_logout op_logout_token
                    hostile_logout_token backchannel introspect op_stats);

sub op_issuer { return "https://127.0.0.1:$ACTest::Services::PORT{oidc}" }

sub agent {
    return LWP::UserAgent->new(timeout => 30, max_redirect => 0,
                               ssl_opts => { SSL_ca_file => $ENV{ACTEST_CA} });
}

sub json_of {
    my ($res) = @_;
    return eval { JSON::PP->new->decode($res->decoded_content // '') } // {};
}

# Signs out at the provider in browser $ua (which logged in there): its
# end_session page, then the confirmation.  The provider delivers its
# back-channel logouts before it answers the confirmation.
sub provider_logout {
    my ($ua) = @_;
    my $res = $ua->get(op_issuer() . '/session/end');
    my $page = $res->decoded_content // '';
    my ($action) = $page =~ m{<form method="post" action="([^"]+)"} or return $res;
    my %fields = $page =~ m{<input type="hidden" name="([^"]*)" value="([^"]*)"}g;
    return $ua->request(POST(URI->new_abs($action, $res->request->uri)->as_string, [ %fields ]));
}

# The provider's administrator ends $sub's sessions: a logout token with
# sub only, delivered by the provider to $client's backchannel_logout_uri.
# Returns the HTTP status the module answered the provider.
sub admin_logout {
    my ($client, $sub) = @_;
    my $u = URI->new(op_issuer() . '/test/logout-user');
    $u->query_form(client_id => $client, sub => $sub);
    return json_of(agent()->post($u))->{status};
}

# A logout token the real provider makes for $client about $sub (and $sid).
sub op_logout_token {
    my ($client, $sub, $sid) = @_;
    my $u = URI->new(op_issuer() . '/test/logout-token');
    $u->query_form(client_id => $client, sub => $sub, ($sid ? (sid => $sid) : ()));
    return json_of(agent()->post($u))->{logout_token};
}

# A logout token of hostile scenario $scenario about %claims (sid, sub).
sub hostile_logout_token {
    my ($scenario, %claims) = @_;
    my $u = URI->new("http://127.0.0.1:$ACTest::Services::PORT{hostile}/$scenario/logout_token");
    $u->query_form(%claims);
    return agent()->get($u)->decoded_content;
}

# POSTs $token as the provider would to the back-channel path at $base.
sub backchannel {
    my ($base, $token, %o) = @_;
    return agent()->request(POST "$base" . ($o{path} // '/auth/backchannel'),
                            [ logout_token => $token ]);
}

# RFC 7662 at the real provider, as client $client; the answer decoded.
sub introspect {
    my ($token, $client, $secret) = @_;
    my $req = POST op_issuer() . '/token/introspection', [ token => $token ];
    $req->authorization_basic($client, $secret);
    return json_of(agent()->request($req));
}

sub op_stats {
    return json_of(agent()->get(op_issuer() . '/test/stats'));
}

1;
