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
use JSON::PP ();
use Apache::Test ();
use Apache::TestRequest ();
use ACTest::Services ();

our @EXPORT_OK = qw(browser base_url follow login env_of to_callback
                    error_code set_cookie jar_cookie provider_stats
                    parallel_tokens error_log module_lines_since);

# the test server's error log
sub error_log {
    return Apache::Test::vars('t_logs') . '/error_log';
}

# the module's lines of the error log from byte offset $from on (take
# the offset with -s error_log() before the requests)
sub module_lines_since {
    my ($from) = @_;
    my $log = error_log();
    open my $fh, '<', $log or die "cannot read $log: $!";
    seek $fh, $from, 0;
    my @lines = grep { /\[auth_client:/ } <$fh>;
    close $fh;
    return @lines;
}

sub base_url {
    my $vars = Apache::Test::config()->{vars};
    return "http://$vars->{servername}:$vars->{port}";
}

sub browser {
    my (%o) = @_;
    # keep_alive: requests share connections, so httpd serves them from one
    # child process (for what each process keeps, like the JWKS)
    my $ua = LWP::UserAgent->new(
        cookie_jar => HTTP::Cookies->new,
        max_redirect => 0,
        timeout => 30,
        ($o{keep_alive} ? (keep_alive => 4) : ()),
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

# Submits the provider's login form in $res as a user would: its hidden
# inputs, login and password, and for a form with allow/deny buttons
# (the OAuth 1.0a and GitHub-like providers) the button pressed, "allow"
# unless $o{action} says otherwise.
sub submit_login {
    my ($ua, $res, %o) = @_;
    my $action = form_of($res) or return;
    my $html = $res->decoded_content // '';
    my $user = $o{user} // 'alice';
    my @fields;
    while ($html =~ m{<input type="hidden" name="([^"]+)" value="([^"]*)"}gi) {
        my ($name, $value) = ($1, $2);
        $value =~ s/&quot;/"/g; $value =~ s/&lt;/</g; $value =~ s/&gt;/>/g;
        $value =~ s/&#x27;/'/g; $value =~ s/&amp;/&/g;
        push @fields, $name => $value;
    }
    push @fields, login => $user, password => $o{password} // "$user-pw";
    push @fields, action => $o{action} // 'allow' if $html =~ /<button[^>]*name="action"/i;
    return $ua->request(POST $action, \@fields);
}

# Logs in at the provider from protected $url; returns all responses, the
# final one being the protected resource (or the error page).  Options as
# for submit_login.
sub login {
    my ($ua, $url, %o) = @_;
    my @seen = follow($ua, $ua->get($url));
    my $last = $seen[-1];
    return @seen unless form_of($last) && $last->decoded_content =~ /name="password"/;
    return (@seen, follow($ua, submit_login($ua, $last, %o)));
}

sub is_callback_redirect {
    my ($res) = @_;
    return $res->is_redirect
        && ($res->header('Location') // '') =~ m{^https?://[^/]+/auth/callback\?};
}

# Follows redirects like follow(), but stops before the provider sends the
# browser back to the module's callback.
sub follow_to_callback {
    my ($ua, $res) = @_;
    my @seen = ($res);
    my $max = 15;
    while ($res->is_redirect && !is_callback_redirect($res) && $max-- > 0) {
        $res = $ua->get(URI->new_abs($res->header('Location'), $res->request->uri));
        push @seen, $res;
    }
    return @seen;
}

# Does the provider's part of a login started from protected $url (or from
# a response already redirecting to the provider, given as res =>) and
# returns the callback URL the provider sends the browser to, without
# requesting it; undef if the provider never sends it back.
sub to_callback {
    my ($ua, $url, %o) = @_;
    my @seen = follow_to_callback($ua, $o{res} // $ua->get($url));
    my $last = $seen[-1];
    if (!is_callback_redirect($last)) {
        return unless form_of($last) && $last->decoded_content =~ /name="password"/;
        $last = (follow_to_callback($ua, submit_login($ua, $last, %o)))[-1];
        return unless is_callback_redirect($last);
    }
    return URI->new_abs($last->header('Location'), $last->request->uri);
}

# The module's error code of an error page: the X-Auth-Client-Error header,
# checked against the code the page shows.  Returns a string that names the
# disagreement when the two differ, so a comparison with t_cmp fails.
sub error_code {
    my ($res) = @_;
    my $header = $res->header('X-Auth-Client-Error');
    my ($page) = ($res->decoded_content // '') =~ m{<code id="error-code">([^<]*)</code>};
    return undef unless defined $header || defined $page;
    return $header if defined $header && defined $page && $header eq $page;
    return sprintf 'header=%s page=%s', $header // '(none)', $page // '(none)';
}

# The value a response sets for cookie $name (the last Set-Cookie for it),
# or undef when it sets none.
sub set_cookie {
    my ($res, $name) = @_;
    my $value;
    for my $h ($res->header('Set-Cookie')) {
        $value = $1 if $h =~ /^\Q$name\E=([^;]*)/;
    }
    return $value;
}

# The values of cookie $name in the browser's jar, for any host.
sub jar_cookie {
    my ($ua, $name) = @_;
    my @values;
    $ua->cookie_jar->scan(sub { push @values, $_[2] if $_[1] eq $name });
    return wantarray ? @values : $values[0];
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

# The counters of the OAuth 1.0a ("oauth1") or OAuth 2.0 ("oauth2") test
# provider (GET /stats), decoded; they only grow, so compare before/after.
sub provider_stats {
    my ($name) = @_;
    my $port = $ACTest::Services::PORT{$name} or die "no provider '$name'\n";
    my $res = LWP::UserAgent->new(timeout => 10)->get("http://127.0.0.1:$port/stats");
    die "provider $name: /stats answered " . $res->status_line . "\n" unless $res->is_success;
    return JSON::PP->new->decode($res->decoded_content);
}

# GETs every URL of @$urls at once (one forked client each) with the
# session cookie; returns ({status => count}, {OIDC_access_token => count}).
sub parallel_tokens {
    my ($urls, $sid) = @_;
    require File::Temp;
    require POSIX;
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    my @kids;
    for my $i (0 .. $#$urls) {
        my $pid = fork;
        die "fork: $!\n" unless defined $pid;
        if ($pid == 0) {
            my $r = LWP::UserAgent->new(timeout => 20, max_redirect => 0)
                ->get($urls->[$i], Cookie => "ac_session=$sid");
            # _exit: a child must not run the END blocks (they stop nodes)
            open my $fh, '>', "$dir/$i" or POSIX::_exit(1);
            print $fh $r->code, "\n", env_of($r)->{OIDC_access_token} // '', "\n";
            close $fh;
            POSIX::_exit(0);
        }
        push @kids, $pid;
    }
    waitpid $_, 0 for @kids;
    my (%codes, %tokens);
    for my $i (0 .. $#$urls) {
        open my $fh, '<', "$dir/$i" or next;
        chomp(my @l = <$fh>);
        $codes{$l[0] // ''}++;
        $tokens{$l[1] // ''}++;
    }
    return (\%codes, \%tokens);
}

1;
