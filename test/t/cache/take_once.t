# A login in progress is taken once: several callbacks that bring back the
# same state with the same flow cookie at the same moment (a double click,
# a replay racing the browser) make one session, and only one code
# exchange reaches the provider; the others get state_unknown.  On memcache
# and redis the entry is read and removed under a per-node lock, and only
# the request whose remove removed it may use it; on shmcb the stripe lock
# does the same.  Each round does the provider's part of a login with the
# GitHub-like provider (which counts token requests), opens a connection
# per racer, and sends all the callbacks at once: to the test server, and
# with a shared cache also to two extra nodes (ACTest::Node) sharing it,
# half of the racers each.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request;
use IO::Socket::INET;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url to_callback provider_stats);
use ACTest::Node qw(node_app start_node stop_nodes);
use ACTest::Services ();

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
my $shared = $defines{AC_MEMCACHE} ? "memcache:127.0.0.1:$ACTest::Services::PORT{memcached}"
           : $defines{AC_REDIS} ? "redis:127.0.0.1:$ACTest::Services::PORT{redis}" : undef;
my $rounds = 6;
my $racers = 6;
plan tests => 3 * $rounds + 1 + ($shared ? 2 + 3 * $rounds : 0);

my $vars = Apache::Test::config()->{vars};

END {
    local $?;
    stop_nodes();
}

# Sends $request on each of @socks at once; returns the status line and
# headers of each answer.
sub race {
    my ($request, @socks) = @_;
    pipe(my $go_r, my $go_w) or die "pipe: $!\n";
    my @kids;
    for my $sock (@socks) {
        pipe(my $out_r, my $out_w) or die "pipe: $!\n";
        my $pid = fork // die "fork: $!\n";
        if ($pid == 0) {
            close $go_w;
            close $out_r;
            sysread $go_r, my $byte, 1;     # everyone is connected: go
            syswrite $sock, $request;
            local $/;
            my $answer = <$sock> // '';
            my ($head) = split /\r\n\r\n/, $answer, 2;
            print $out_w $head // '';
            close $out_w;
            require POSIX;
            POSIX::_exit(0);
        }
        close $out_w;
        push @kids, [$pid, $out_r];
    }
    close $go_r;
    syswrite $go_w, 'x' x @socks;
    close $go_w;
    my @heads;
    for my $kid (@kids) {
        my ($pid, $fh) = @$kid;
        local $/;
        push @heads, <$fh> // '';
        waitpid $pid, 0;
    }
    return @heads;
}

sub connect_to {
    my ($port) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                     Proto => 'tcp', Timeout => 30);
    return $sock // die "connect to $port: $!\n";
}

# $rounds logins at $page, each finished by $racers callbacks at once on
# the connections connect_all() gives
sub rounds {
    my ($what, $page, $host, $connect_all) = @_;
    my $exchanges = provider_stats('oauth2')->{token_requests};
    for my $round (1 .. $rounds) {
        my $ua = browser();
        my $callback = to_callback($ua, $page);
        my $req = HTTP::Request->new(GET => $callback);
        $ua->cookie_jar->add_cookie_header($req);
        my $request = sprintf "GET %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\n"
            . "Connection: close\r\n\r\n", $callback->path_query, $host,
            $req->header('Cookie') // '';
        my @heads = race($request, $connect_all->());
        my @sessions = grep { /^Set-Cookie: ac_session=[^;\s]/mi } @heads;
        my @refused = grep { /^X-Auth-Client-Error: state_unknown\r?$/mi } @heads;
        ok t_cmp(scalar @sessions, 1, "$what, round $round: $racers callbacks at once, one session");
        ok t_cmp(scalar @refused, $racers - 1, "$what, round $round: the others: state_unknown");
        ok t_cmp(provider_stats('oauth2')->{token_requests} - $exchanges, $round,
                 "$what, round $round: one code exchange reached the provider");
    }
    return provider_stats('oauth2')->{token_requests} - $exchanges;
}

my $n = rounds('one server', base_url() . '/gh-basic/index.html',
               "$vars->{servername}:$vars->{port}",
               sub { map { connect_to($vars->{port}) } 1 .. $racers });
ok t_cmp($n, $rounds, "one server: $rounds exchanges in all");
exit 0 unless $shared;

# two nodes on one shared cache: the callbacks of a login started on the
# first one go to both
my $directives = "AuthClientCache $shared\n"
    . "AuthClientPassphrase take-once-passphrase-0123456789\n"
    . "AuthClientSessionScope take-once\n";
ok t_cmp(join(',', map { start_node($_, node_app() . $directives) // 'started' } 8652, 8653),
         'started,started', "two nodes on $shared");
$n = rounds('two nodes', 'http://127.0.0.1:8652/gh/index.html', '127.0.0.1:8652', sub {
    map { connect_to($_ % 2 ? 8652 : 8653) } 1 .. $racers
});
ok t_cmp($n, $rounds, "two nodes: $rounds exchanges in all");
