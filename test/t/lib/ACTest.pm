package ACTest;
# A scripted browser for the integration tests: a cookie jar, TLS checked
# against the test CA, redirects followed by hand so tests can look at every
# step, and the provider's login form filled in like a user would.
use strict;
use warnings;

use Exporter 'import';
use HTTP::Cookies;
use HTTP::Request::Common qw(GET POST);
use LWP::UserAgent;
use URI;
use Apache::Test ();
use Apache::TestRequest ();

our @EXPORT_OK = qw(browser base_url follow login env_of);

sub base_url {
    my $vars = Apache::Test::config()->{vars};
    return "http://$vars->{servername}:$vars->{port}";
}

sub browser {
    my (%o) = @_;
    my $ua = LWP::UserAgent->new(
        cookie_jar => HTTP::Cookies->new,
        max_redirect => 0,
        timeout => 30,
        ssl_opts => { SSL_ca_file => $ENV{ACTEST_CA}, verify_hostname => 1 },
    );
    $ua->default_header('Sec-Fetch-Mode' => 'navigate') if $o{navigate};
    return $ua;
}

# Follows redirects from $res; returns every response seen, the last last.
sub follow {
    my ($ua, $res, $max) = @_;
    my @seen = ($res);
    $max //= 15;
    while ($res->is_redirect && $max-- > 0) {
        my $next = URI->new_abs($res->header('Location'), $res->request->uri);
        $res = $ua->get($next);
        push @seen, $res;
    }
    return @seen;
}

sub form_of {
    my ($res) = @_;
    my $html = $res->decoded_content // '';
    my ($action) = $html =~ m{<form[^>]*action="([^"]+)"}i or return;
    $action =~ s/&amp;/&/g;
    return URI->new_abs($action, $res->request->uri);
}

# Logs in at the provider from protected $url; returns all responses, the
# final one being the protected resource (or the error page).
sub login {
    my ($ua, $url, %o) = @_;
    my $user = $o{user} // 'alice';
    my $password = $o{password} // "$user-pw";
    my @seen = follow($ua, $ua->get($url));
    my $last = $seen[-1];
    my $action = form_of($last);
    return @seen unless $action && $last->decoded_content =~ /name="password"/;
    my $res = $ua->request(POST $action, [ login => $user, password => $password ]);
    return (@seen, follow($ua, $res));
}

# "NAME=value" lines of env.cgi as a hash.
sub env_of {
    my ($res) = @_;
    my %env;
    for my $line (split /\n/, $res->decoded_content // '') {
        $env{$1} = $2 if $line =~ /^([^=]+)=(.*)$/;
    }
    return \%env;
}

1;
