# The embedded cache holds what it is sized for, anonymous requests to
# protected URLs (each one starts a login) never push sessions out, and a
# full cache says so in the log.  On an extra node (ACTest::Node) with a
# small shmcb: 1 MiB for sessions (8 stripes of 8 sub-caches of 20
# entries: 1,280 entries, 640 logins as each stores a session and its
# tokens) and 512 KiB for logins in progress (about 1,300).  Runs on the
# default (shmcb) suite only, the node's cache being its own.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use File::Temp qw(tempdir);
use POSIX ();
use LWP::UserAgent;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser login jar_cookie);
use ACTest::Node qw(node_app start_node stop_nodes node_log);

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
plan tests => 10, need {
    'the embedded cache: part of the default (shmcb) run'
        => !$defines{AC_MEMCACHE} && !$defines{AC_REDIS},
};

END {
    local $?;
    stop_nodes();
}

my $port = 8651;
my $page = "http://127.0.0.1:$port/gh/index.html";
my $tmp = tempdir(CLEANUP => 1);
my $workers = 4;

# Runs $work->($ua, $i) for $i in 0 .. $count - 1 in $workers processes,
# one browser each; returns the lines they print, in order of the workers.
sub in_parallel {
    my ($count, $work, %o) = @_;
    my @pids;
    for my $w (0 .. $workers - 1) {
        my $pid = fork // die "fork: $!\n";
        if ($pid == 0) {
            my $ua = $o{plain} ? LWP::UserAgent->new(max_redirect => 0, keep_alive => 1)
                               : browser(keep_alive => 1);
            open my $fh, '>', "$tmp/$w" or die "$tmp/$w: $!\n";
            for (my $i = $w; $i < $count; $i += $workers) {
                my $line = $work->($ua, $i);
                print $fh "$line\n" if defined $line;
            }
            close $fh;
            POSIX::_exit(0);
        }
        push @pids, $pid;
    }
    waitpid $_, 0 for @pids;
    my @lines;
    for my $w (0 .. $workers - 1) {
        open my $fh, '<', "$tmp/$w" or next;
        push @lines, <$fh>;
        unlink "$tmp/$w";
    }
    chomp @lines;
    return @lines;
}

# $count new sessions, their cookies
sub logins {
    my ($count) = @_;
    return in_parallel($count, sub {
        my ($ua) = @_;
        $ua->cookie_jar->clear;
        my $res = (login($ua, $page))[-1];
        my $sid = jar_cookie($ua, 'ac_session');
        return $res->code == 200 && defined $sid ? $sid : undef;
    });
}

# How many of the sessions still work.  Not a navigation: a request whose
# session is gone gets a 401 and stores no login in progress.
sub valid {
    my (@sessions) = @_;
    return scalar in_parallel(scalar @sessions, sub {
        my ($ua, $i) = @_;
        my $res = $ua->get($page, Cookie => "ac_session=$sessions[$i]",
                           'Sec-Fetch-Mode' => 'cors');
        return $res->code == 200 ? 1 : undef;
    }, plain => 1);
}

sub full_lines {
    my ($what) = @_;
    my @hits = node_log($port) =~ /the \Q$what\E cache is full, so it pushes out entries that have not expired: \d+ since.*\[cache_full\]/g;
    return scalar @hits;
}

ok t_cmp(start_node($port, node_app() . "AuthClientCache shmcb:(1048576)\n"
                           . "AuthClientLoginCacheSize 524288\n"), undef, 'node started');

# 200 logins in room for 640: all of them stay (picking the stripe from
# shmcb's sub-cache byte left room for 80)
my @sessions = logins(200);
ok t_cmp(scalar @sessions, 200, '200 logins made 200 sessions');
my $kept = valid(@sessions);
ok t_cmp($kept >= 190, 1, "at least 95% of them are valid ($kept)");
ok t_cmp(full_lines('sessions'), 0, 'no cache_full line for the sessions');

# 3,000 anonymous requests, each a login in progress: more than twice what
# the logins store holds
my @redirects = in_parallel(3000, sub {
    my ($ua) = @_;
    return $ua->get($page)->code == 302 ? 1 : undef;
}, plain => 1);
ok t_cmp(scalar @redirects, 3000, '3,000 anonymous requests, each sent to the provider');
ok t_cmp(valid(@sessions), $kept, 'they ended none of the sessions');
ok t_cmp(full_lines('logins in progress') >= 1, 1,
         'the log says the full logins store pushed logins in progress out');
ok t_cmp(full_lines('sessions'), 0, 'and nothing about the sessions');

# more sessions than fit: now the sessions store is full, and says so
my @more = logins(500);
ok t_cmp(scalar @more, 500, '500 more logins');
ok t_cmp(full_lines('sessions') >= 1, 1,
         'the log says the full sessions store pushed sessions out');
