package ACTest::Cache;
# Looks into the memcached and redis the suite starts (ACTest::Services),
# by their plain text protocols, so a test can see what the module stored
# there: counters, keys and the stored values.
use strict;
use warnings;

use Exporter 'import';
use IO::Socket::INET;
use ACTest::Services ();

our @EXPORT_OK = qw(memcached_stats memcached_entries memcached_get memcached_set
                    redis redis_entries
                    redis_info);

sub connect_to {
    my ($port) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                     Proto => 'tcp', Timeout => 5)
        or die "cannot connect to 127.0.0.1:$port: $!\n";
    return $sock;
}

# ---- memcached (text protocol) ------------------------------------------------

# Sends one command; returns the answer's lines up to the one matching $end.
# The lines of the answer to $command before the one matching $end; that
# last one goes to $$last when a reference is given.
sub memcached_lines {
    my ($sock, $command, $end, $last) = @_;
    print $sock "$command\r\n";
    my @lines;
    while (defined(my $line = <$sock>)) {
        $line =~ s/\r?\n\z//;
        if ($line =~ $end) {
            $$last = $line if $last;
            last;
        }
        die "memcached: $line\n" if $line =~ /^(ERROR|CLIENT_ERROR|SERVER_ERROR)/;
        push @lines, $line;
    }
    return @lines;
}

sub memcached_stats {
    my $sock = connect_to($ACTest::Services::PORT{memcached});
    my %stats = map { /^STAT (\S+) (.*)$/ ? ($1 => $2) : () }
        memcached_lines($sock, 'stats', qr/^END$/);
    return \%stats;
}

# Every key memcached holds, with its value: { key => value }.
sub memcached_entries {
    my $sock = connect_to($ACTest::Services::PORT{memcached});
    my @keys;
    # the LRU crawler answers BUSY while a previous crawl still runs, and a
    # crawl can miss items that have not left the newest LRU segment yet:
    # ask again for a little while when it lists nothing
    for my $attempt (1 .. 20) {
        my $last = '';
        for (memcached_lines($sock, 'lru_crawler metadump all', qr/^(END|OK|BUSY.*)$/, \$last)) {
            next unless /^key=(\S+)/;
            (my $key = $1) =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
            push @keys, $key;
        }
        last if @keys;
        select undef, undef, undef, 0.1;
    }
    my %entries;
    for my $key (@keys) {
        print $sock "get $key\r\n";
        my $head = <$sock> // '';
        next unless $head =~ /^VALUE \S+ \d+ (\d+)/;   # expired meanwhile: END
        my $len = $1;
        my $value = '';
        read($sock, $value, $len + 2) == $len + 2 or die "memcached: short read\n";
        $entries{$key} = substr $value, 0, $len;
        <$sock>;                                        # END
    }
    return \%entries;
}

# The value under $key, or undef.
sub memcached_get {
    my ($key) = @_;
    my $sock = connect_to($ACTest::Services::PORT{memcached});
    print $sock "get $key\r\n";
    my $head = <$sock> // '';
    return undef unless $head =~ /^VALUE \S+ \d+ (\d+)/;
    my $len = $1;
    my $value = '';
    read($sock, $value, $len + 2) == $len + 2 or die "memcached: short read\n";
    return substr $value, 0, $len;
}

# Stores $value under $key for $ttl seconds; dies unless memcached took it.
sub memcached_set {
    my ($key, $value, $ttl) = @_;
    my $sock = connect_to($ACTest::Services::PORT{memcached});
    print $sock "set $key 0 $ttl " . length($value) . "\r\n$value\r\n";
    my $answer = <$sock> // '';
    die "memcached: set answered $answer\n" unless $answer =~ /^STORED/;
}

# ---- redis (RESP) --------------------------------------------------------------

sub resp_read {
    my ($sock) = @_;
    my $line = <$sock> // die "redis: connection closed\n";
    $line =~ s/\r\n\z//;
    my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));
    return $rest if $type eq '+';
    return $rest + 0 if $type eq ':';
    die "redis: $rest\n" if $type eq '-';
    if ($type eq '$') {
        return undef if $rest < 0;
        my $data = '';
        read($sock, $data, $rest + 2) == $rest + 2 or die "redis: short read\n";
        return substr $data, 0, $rest;
    }
    if ($type eq '*') {
        return undef if $rest < 0;
        return [ map { resp_read($sock) } 1 .. $rest ];
    }
    die "redis: cannot parse '$line'\n";
}

# One command, its arguments as bulk strings; returns the decoded answer.
sub redis {
    my (@args) = @_;
    my $sock = connect_to($ACTest::Services::PORT{redis});
    print $sock join '', '*' . @args . "\r\n",
        map { '$' . length($_) . "\r\n$_\r\n" } @args;
    return resp_read($sock);
}

# INFO as a hash (all sections).
sub redis_info {
    my %info = map { /^([^:#]+):(.*?)\r?$/ ? ($1 => $2) : () } split /\n/, redis('INFO');
    return \%info;
}

# Every key redis holds (SCAN), with its value (GET): { key => value }.
sub redis_entries {
    my (%entries, $cursor);
    $cursor = 0;
    do {
        my $answer = redis('SCAN', $cursor, 'COUNT', 1000);
        $cursor = $answer->[0];
        $entries{$_} = redis('GET', $_) for @{ $answer->[1] };
    } while ($cursor ne '0');
    return \%entries;
}

1;
