# Token endpoint authentication by signed JWT (RFC 7523) against the real
# provider: client_secret_jwt (HS256 over the client secret) and
# private_key_jwt with an RSA key (RS256) and an EC P-256 key (ES256).
# Each client is registered there for one method and one algorithm and is
# refused any other, and the provider logs the method of every token
# request it grants, so a login plus that log line proves what the module
# sent.  Last, a key the provider does not know must end on the error page.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use URI;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of error_code set_cookie jar_cookie);

# location => [ client_id, what the provider logs for its token requests ]
my @clients = (
    [ 'secret-jwt' => 'ac-secret-jwt', 'client_secret_jwt HS256' ],
    [ 'pk-jwt'     => 'ac-pk-jwt',     'private_key_jwt RS256' ],
    [ 'pk-jwt-ec'  => 'ac-pk-jwt-ec',  'private_key_jwt ES256' ],
);

plan tests => 5 * @clients + 7;

my $base = base_url();

# how many lines of the provider's log match $re so far
sub oidc_log_count {
    my ($re) = @_;
    open my $fh, '<', Apache::Test::vars('t_logs') . '/oidc.log' or return -1;
    return scalar grep { $_ =~ $re } <$fh>;
}

sub granted {
    my ($client, $auth) = @_;
    return oidc_log_count(qr/^  grant\.success: client \Q$client\E auth \Q$auth\E grant authorization_code$/);
}

for my $c (@clients) {
    my ($path, $client, $auth) = @$c;
    my $before = granted($client, $auth);
    my $ua = browser();
    my $start = $ua->get("$base/$path/env.cgi");
    my %q = URI->new($start->header('Location') // '')->query_form;
    ok t_cmp($q{client_id}, $client, "/$path/: client $client");
    my $res = (login($ua, "$base/$path/env.cgi"))[-1];
    ok t_cmp($res->code, 200, "/$path/: logged in");
    ok t_cmp(env_of($res)->{REMOTE_USER}, 'alice', "/$path/: REMOTE_USER alice");
    ok t_cmp(jar_cookie($ua, 'ac_session') // '', qr/^[A-Za-z0-9_-]{43}$/,
             "/$path/: a session");
    ok t_cmp(granted($client, $auth), $before + 1,
             "/$path/: the provider granted one token request with $auth");
}

# ---- a private key the provider does not know ---------------------------------------
# op-pk-jwt-badkey is ac-pk-jwt with kid ac-pk-jwt-1, signing with another
# RSA key: the provider answers the token request 401 invalid_client
my $bad_sig = qr/^  grant\.error: invalid_client \(.*signature verification failed/;
my $refused = oidc_log_count($bad_sig);
my $granted = granted('ac-pk-jwt', 'private_key_jwt RS256');
my $ua = browser();
my @steps = login($ua, "$base/pk-jwt-badkey/env.cgi");
my $last = $steps[-1];
ok t_cmp($last->code, 502, '/pk-jwt-badkey/: 502');
ok t_cmp(error_code($last), 'token_http_status', '/pk-jwt-badkey/: token_http_status');
ok t_cmp(env_of($last)->{REMOTE_USER}, undef, '/pk-jwt-badkey/: the application did not run');
ok t_cmp(scalar(grep { defined set_cookie($_, 'ac_session') } @steps), 0,
         '/pk-jwt-badkey/: no session cookie set');
ok t_cmp(jar_cookie($ua, 'ac_session'), undef, '/pk-jwt-badkey/: no session cookie in the browser');
ok t_cmp(oidc_log_count($bad_sig), $refused + 1,
         '/pk-jwt-badkey/: the provider refused the signature');
ok t_cmp(granted('ac-pk-jwt', 'private_key_jwt RS256'), $granted,
         '/pk-jwt-badkey/: and granted nothing to ac-pk-jwt');
