#!/usr/bin/perl
# cache-fill.pl - the worker of bench/cache-fill.sh.
#
#   cache-fill.pl login URL CA COUNT PARALLEL OUT
#       COUNT real logins at protected URL, PARALLEL at a time; the session
#       cookie of each goes to OUT, one a line.  The first login fills in
#       the test provider's form as alice; the others reuse its provider
#       session (as a browser would), so the provider redirects straight
#       back with a code, and each is still the module's whole login: a
#       new state and flow cookie, the callback, the code exchange, the
#       id_token check and a new session.
#   cache-fill.pl check URL CA FILE PARALLEL
#       requests URL once with each session cookie of FILE; prints how
#       many are still valid (200), and the lines of the valid ones to
#       FILE.valid.  The requests are not navigations (Sec-Fetch-Mode:
#       cors), so one whose session is gone gets a 401 instead of starting
#       a login: the check stores nothing in the cache it counts.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../test/t/lib";
use File::Temp qw(tempdir);
use ACTest qw(browser login follow jar_cookie);

my ($mode, $url, $ca, @rest) = @ARGV;
die "usage: cache-fill.pl login|check URL CA ...\n" unless $mode && $url && $ca;
$ENV{ACTEST_CA} = $ca;
my $cookie = 'ac_session';
my $tmp = tempdir(CLEANUP => 1);

# Runs $work->($i, $fh) for $i in 0 .. $count - 1 in $parallel processes,
# each writing its lines to its own file; returns all lines, in order of
# the workers.
sub in_parallel {
    my ($count, $parallel, $work) = @_;
    my @pids;
    for my $w (0 .. $parallel - 1) {
        my $pid = fork // die "fork: $!\n";
        if ($pid == 0) {
            open my $fh, '>', "$tmp/$w" or die "$tmp/$w: $!\n";
            for (my $i = $w; $i < $count; $i += $parallel) {
                $work->($i, $fh);
            }
            close $fh;
            exit 0;
        }
        push @pids, $pid;
    }
    waitpid $_, 0 for @pids;
    my @lines;
    for my $w (0 .. $parallel - 1) {
        open my $fh, '<', "$tmp/$w" or next;
        push @lines, <$fh>;
    }
    chomp @lines;
    return @lines;
}

# The provider's cookies in a browser's jar, as set_cookie arguments: the
# module's own (session and flow cookie) are left out.
sub provider_cookies {
    my ($ua) = @_;
    my @kept;
    $ua->cookie_jar->scan(sub {
        my ($version, $name, $value, $path, $domain, $port, $path_spec, $secure,
            $expires, $discard, $rest) = @_;
        return if $name eq $cookie || $name eq "${cookie}_flow";
        push @kept, [$version, $name, $value, $path, $domain, $port, $path_spec,
                     $secure, defined $expires ? $expires - time : undef, $discard, $rest];
    });
    return @kept;
}

my $worker_ua;     # one browser per worker process, its jar reset per login

if ($mode eq 'login') {
    my ($count, $parallel, $out) = @rest;
    my $first = browser();
    my $res = (login($first, $url))[-1];
    die "the first login at $url failed: HTTP " . $res->code . "\n" unless $res->code == 200;
    my @op = provider_cookies($first);
    my @sessions = in_parallel($count, $parallel, sub {
        my ($i, $fh) = @_;
        my $ua = $worker_ua //= browser(keep_alive => 1);
        $ua->cookie_jar->clear;
        $ua->cookie_jar->set_cookie(@$_) for @op;
        my $last = (follow($ua, $ua->get($url)))[-1];
        my $sid = jar_cookie($ua, $cookie);
        print $fh "$cookie=$sid\n" if $last->code == 200 && defined $sid;
    });
    open my $fh, '>', $out or die "$out: $!\n";
    print $fh "$_\n" for @sessions;
    close $fh;
    printf "%d of %d logins made a session\n", scalar @sessions, $count;
}
elsif ($mode eq 'check') {
    my ($file, $parallel) = @rest;
    open my $in, '<', $file or die "$file: $!\n";
    chomp(my @sessions = <$in>);
    close $in;
    my @valid = in_parallel(scalar @sessions, $parallel, sub {
        my ($i, $fh) = @_;
        my $ua = $worker_ua //= LWP::UserAgent->new(max_redirect => 0, timeout => 30,
                                                     keep_alive => 1);
        my $res = $ua->get($url, Cookie => $sessions[$i], 'Sec-Fetch-Mode' => 'cors');
        print $fh "$sessions[$i]\n" if $res->code == 200;
    });
    open my $out, '>', "$file.valid" or die "$file.valid: $!\n";
    print $out "$_\n" for @valid;
    close $out;
    print scalar(@valid), "\n";
}
else {
    die "unknown mode '$mode'\n";
}
