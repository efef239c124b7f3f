# The status endpoint (SetHandler auth-client-status, conf/extra.conf.in
# "the status endpoint"): its Prometheus text is well formed, its JSON
# says the same, only the location's Require lets a client read it, and
# its counters move with what happens - a login, a failed login, a
# callback of no login, a refresh, back-channel logouts - counted in
# shared memory, so whichever child answers sees every child's events.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::PP qw(decode_json);
use LWP::UserAgent;
use Time::HiRes qw(sleep time);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of error_code);
use ACTest::Logout qw(op_logout_token backchannel);

plan tests => 46;

my $base = base_url();
my $status = "$base/auth-client-status";
my $lwp = LWP::UserAgent->new(timeout => 30, max_redirect => 0);

# ---- the text format, checked line by line ----------------------------------------

my $NAME = qr/[a-zA-Z_:][a-zA-Z0-9_:]*/;
my $LABEL = qr/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"/;
my $VALUE = qr/-?(?:[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|\+Inf|NaN)/;

sub unescape { my ($v) = @_; $v =~ s/\\(.)/$1 eq 'n' ? "\n" : $1/ge; return $v }

sub labels_of {
    my ($text) = @_;
    my %l;
    while ($text =~ /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) {
        $l{$1} = unescape($2);
    }
    return %l;
}

sub key {
    my ($name, %l) = @_;
    return $name . '{' . join(',', map { "$_=$l{$_}" } sort keys %l) . '}';
}

# the samples by key, and every way the text breaks the format
sub parse_prom {
    my ($text) = @_;
    my (%samples, %help, %type, @problems, %buckets);
    push @problems, 'does not end with a line feed' unless $text =~ /\n\z/;
    for my $line (split /\n/, $text) {
        if ($line =~ /^# HELP ($NAME) \S/) {
            push @problems, "HELP $1 twice" if $help{$1}++;
        }
        elsif ($line =~ /^# TYPE ($NAME) (counter|gauge|histogram)$/) {
            my ($name, $type) = ($1, $2);
            push @problems, "TYPE $name twice" if $type{$name};
            push @problems, "TYPE $name before its HELP" unless $help{$name};
            push @problems, "counter $name does not end in _total"
                if $type eq 'counter' && $name !~ /_total$/;
            $type{$name} = $type;
        }
        elsif ($line =~ /^($NAME)(?:\{($LABEL(?:,$LABEL)*)\})? ($VALUE)$/) {
            my ($name, $labels, $value) = ($1, $2 // '', $3);
            (my $family = $name) =~ s/_(?:bucket|sum|count)$//;
            $family = $name unless ($type{$family} // '') eq 'histogram';
            push @problems, "$name has no TYPE before it" unless $type{$family};
            my %l = labels_of($labels);
            my $k = key($name, %l);
            push @problems, "$k twice" if exists $samples{$k};
            $samples{$k} = $value;
            if ($name =~ /_bucket$/) {
                my $le = delete $l{le};
                push @{ $buckets{key($family, %l)} }, [ $le, $value ];
            }
        }
        else {
            push @problems, "not a metric line: $line";
        }
    }
    # histogram buckets: rising bounds, cumulative counts, +Inf = _count
    for my $h (sort keys %buckets) {
        my ($family, $rest) = $h =~ /^([^{]+)(\{.*)$/;
        my @b = @{ $buckets{$h} };
        for my $i (1 .. $#b) {
            push @problems, "$h: bucket counts fall" if $b[$i][1] < $b[$i - 1][1];
        }
        push @problems, "$h: the last bucket is not +Inf" unless $b[-1][0] eq '+Inf';
        push @problems, "$h: +Inf bucket differs from _count"
            unless $b[-1][1] == ($samples{"${family}_count$rest"} // -1);
    }
    return (\%samples, \@problems);
}

sub prom {
    my $res = $lwp->get($status);
    die 'status: ' . $res->status_line . "\n" unless $res->code == 200;
    my ($s) = parse_prom($res->content);
    return $s;
}
sub json { return decode_json($lwp->get("$status?json")->content) }
sub v { my ($s, $name, %l) = @_; return $s->{key($name, %l)} // 0 }

# ---- the endpoint ----------------------------------------------------------------------
my $res = $lwp->get($status);
ok t_cmp($res->code, 200, 'the status endpoint answers where its Require allows');
ok t_cmp($res->header('Content-Type'), qr{^text/plain; version=0\.0\.4},
         'in the Prometheus text format');
ok t_cmp($res->header('Cache-Control'), 'no-store', 'never cached');
my ($samples, $problems) = parse_prom($res->content);
ok t_cmp(join("\n", @$problems), '', 'every line is HELP, TYPE or a well-formed sample');
ok t_cmp(scalar(grep { /^auth_client_/ } keys %$samples) > 50 ? 1 : 0, 1,
         'with the counters of every provider');
ok t_cmp(index($res->content, 'provider="op&<\\"b\\">"') >= 0 ? 1 : 0, 1,
         'a provider name with a double quote is escaped in its label');
ok t_cmp(exists $samples->{key('auth_client_logins_total', provider => 'op&<"b">',
                               outcome => 'ok')} ? 1 : 0, 1,
         'and reads back as the configured name');

$res = $lwp->get("$base/auth-client-status-closed");
ok t_cmp($res->code, 403, 'a client the location\'s Require refuses: 403');
ok t_cmp($res->content =~ /auth_client_/ ? 1 : 0, 0, 'and no counter in the answer');
$res = $lwp->post($status, [ x => 1 ]);
ok t_cmp($res->code, 405, 'POST: 405');
$res = $lwp->get("$base/loggedout.html");
ok t_cmp($res->content =~ /# TYPE auth_client_/ ? 1 : 0, 0,
         'only the location with SetHandler auth-client-status answers with counters');

$res = $lwp->get("$status?json");
ok t_cmp($res->header('Content-Type'), qr{^application/json}, '?json: JSON');
my $j = decode_json($res->content);
ok t_cmp(ref $j->{providers}{op}, 'HASH', 'with each provider by name');
ok t_cmp($lwp->get($status, Accept => 'application/json')->header('Content-Type'),
         qr{^application/json}, 'Accept: application/json gives JSON too');
ok t_cmp($lwp->get($status, Accept => 'text/plain, application/json;q=0.5')->header('Content-Type'),
         qr{^text/plain}, 'Accept preferring text gives the text format');

# ---- a login ---------------------------------------------------------------------------
my $p0 = prom();
my $j0 = json();
my $ua = browser();
my @steps = login($ua, "$base/app/env.cgi");
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'alice', 'a login with op');
my $p1 = prom();
my $j1 = json();
ok t_cmp(v($p1, 'auth_client_logins_total', provider => 'op', outcome => 'ok')
         - v($p0, 'auth_client_logins_total', provider => 'op', outcome => 'ok'), 1,
         'text: one more login for op');
ok t_cmp($j1->{providers}{op}{logins}{ok} - $j0->{providers}{op}{logins}{ok}, 1,
         'JSON: the same');
ok t_cmp(v($p1, 'auth_client_token_request_duration_seconds_count', provider => 'op')
         - v($p0, 'auth_client_token_request_duration_seconds_count', provider => 'op'), 1,
         'one token-endpoint call timed');
ok t_cmp(v($p1, 'auth_client_token_request_duration_seconds_sum', provider => 'op')
         > v($p0, 'auth_client_token_request_duration_seconds_sum', provider => 'op') ? 1 : 0, 1,
         'its time added to the sum');
ok t_cmp($j1->{providers}{op}{token_requests}{count} - $j0->{providers}{op}{token_requests}{count}, 1,
         'JSON: the same call');
my %take = (store => 'logins', operation => 'take', result => 'ok');
ok t_cmp(v($p1, 'auth_client_cache_operations_total', %take)
         - v($p0, 'auth_client_cache_operations_total', %take), 1,
         'the login in progress taken once from the cache');
my %put = (store => 'sessions', operation => 'put', result => 'ok');
ok t_cmp(v($p1, 'auth_client_cache_operations_total', %put)
         - v($p0, 'auth_client_cache_operations_total', %put) >= 2 ? 1 : 0, 1,
         'the session and its tokens stored');
ok t_cmp($j1->{cache}{logins}{take}{ok} - $j0->{cache}{logins}{take}{ok}, 1, 'JSON: the take');
my %fetched = (provider => 'op', document => 'discovery', outcome => 'ok');
ok t_cmp(v($p1, 'auth_client_document_fetches_total', %fetched) >= 1 ? 1 : 0, 1,
         'op\'s discovery document was fetched');
ok t_cmp(v($p1, 'auth_client_document_fetches_total', %fetched, document => 'jwks') >= 1 ? 1 : 0,
         1, 'and its JWKS');
my $age = $p1->{key('auth_client_document_age_seconds', provider => 'op', document => 'jwks')};
ok t_cmp(defined $age && $age >= 0 && $age < 3600 ? 1 : 0, 1, "the JWKS age is known ($age s)");
ok t_cmp(defined $j1->{providers}{op}{documents}{jwks}{age_seconds} ? 1 : 0, 1,
         'JSON: the age too');

# each request with the session reads it, and its tokens (/app/ exports the
# access token): two cache reads, found
my $g0 = v($p1, 'auth_client_cache_operations_total', store => 'sessions', operation => 'get', result => 'ok');
$ua->get("$base/app/env.cgi") for 1 .. 3;
ok t_cmp(v(prom(), 'auth_client_cache_operations_total', store => 'sessions', operation => 'get',
           result => 'ok') - $g0, 6, 'three requests with the session: six cache reads');

# ---- a failed login: the hostile provider's id_token names another issuer ---------------
$p0 = prom();
$j0 = json();
@steps = login(browser(), "$base/hostile/wrong_iss/env.cgi");
ok t_cmp(error_code($steps[-1]), 'id_token_iss', 'a login the id_token check refuses');
$p1 = prom();
$j1 = json();
my %h = (provider => 'h-wrong_iss');
ok t_cmp(v($p1, 'auth_client_logins_total', %h, outcome => 'failed')
         - v($p0, 'auth_client_logins_total', %h, outcome => 'failed'), 1,
         'text: one failed login for h-wrong_iss');
ok t_cmp(v($p1, 'auth_client_errors_total', %h, code => 'id_token_iss')
         - v($p0, 'auth_client_errors_total', %h, code => 'id_token_iss'), 1,
         'text: with its error code');
ok t_cmp(($j1->{providers}{'h-wrong_iss'}{errors}{id_token_iss} // 0)
         - ($j0->{providers}{'h-wrong_iss'}{errors}{id_token_iss} // 0), 1,
         'JSON: the same error');
ok t_cmp(v($p1, 'auth_client_logins_total', %h, outcome => 'ok')
         - v($p0, 'auth_client_logins_total', %h, outcome => 'ok'), 0, 'and no login');

# ---- a callback that names no login: no provider to count it under ------------------------
$p0 = prom();
$j0 = json();
$res = browser()->get("$base/auth/callback?state=" . ('A' x 43) . '&code=x');
my $code = error_code($res) // '?';
ok t_cmp($res->code, 400, "a callback of no login: 400 ($code)");
$p1 = prom();
$j1 = json();
ok t_cmp(v($p1, 'auth_client_errors_total', provider => '', code => $code)
         - v($p0, 'auth_client_errors_total', provider => '', code => $code), 1,
         'text: counted under an empty provider label');
ok t_cmp(($j1->{without_provider}{errors}{$code} // 0)
         - ($j0->{without_provider}{errors}{$code} // 0), 1, 'JSON: without a provider');
ok t_cmp($j1->{without_provider}{logins_failed} - $j0->{without_provider}{logins_failed}, 1,
         'JSON: a failed login of no provider');

# ---- a refresh ------------------------------------------------------------------------------
my $rua = browser();
@steps = login($rua, "$base/refresh/env.cgi");
my $env = env_of($steps[-1]);
ok t_cmp($steps[-1]->code, 200, 'logged in with op-refresh (8 s tokens, 4 s margin)');
$p0 = prom();
my $wait = ($env->{OIDC_access_token_expires} // 0) - 4 - time + 1.3;
sleep $wait if $wait > 0;
$res = $rua->get("$base/refresh/env.cgi");
ok t_cmp(env_of($res)->{OIDC_access_token} ne $env->{OIDC_access_token} ? 1 : 0, 1,
         'past the margin: a new access token');
$p1 = prom();
my %r = (provider => 'op-refresh');
ok t_cmp(v($p1, 'auth_client_refreshes_total', %r, outcome => 'ok')
         - v($p0, 'auth_client_refreshes_total', %r, outcome => 'ok'), 1, 'one refresh counted');
ok t_cmp(v($p1, 'auth_client_token_request_duration_seconds_count', %r)
         - v($p0, 'auth_client_token_request_duration_seconds_count', %r), 1,
         'and its token-endpoint call');

# ---- back-channel logouts ----------------------------------------------------------------------
$p0 = prom();
ok t_cmp(backchannel($base, op_logout_token('ac-bcl', 'nobody'))->code, 200,
         'a logout token of op-bcl accepted');
ok t_cmp(backchannel($base, 'not.a.jwt')->code, 400, 'a malformed one refused');
$p1 = prom();
ok t_cmp(v($p1, 'auth_client_backchannel_logouts_total', provider => 'op-bcl')
         - v($p0, 'auth_client_backchannel_logouts_total', provider => 'op-bcl'), 1,
         'one back-channel logout for op-bcl');
ok t_cmp(v($p1, 'auth_client_errors_total', provider => '', code => 'logout_token_malformed')
         - v($p0, 'auth_client_errors_total', provider => '', code => 'logout_token_malformed'), 1,
         'the refused one under its error code');
