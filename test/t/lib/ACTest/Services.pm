package ACTest::Services;
# Starts the services the integration tests talk to, once per t/TEST run,
# and stops them when the run ends.  Ports are fixed so the httpd
# configuration (conf/extra.conf.in) can name them.
use strict;
use warnings;

use File::Basename qw(dirname);
use File::Spec;
use Cwd qw(abs_path);

our $T = abs_path(dirname(__FILE__) . '/../..');      # test/t
our $PROVIDERS = abs_path("$T/../providers");
our $CERTS = "$T/certs";
our $RUN = "$T/logs";

our %PORT = (oidc => 3643, hostile => 4399, oauth1 => 4601, oauth2 => 4602,
            memcached => 11711, redis => 6391);

my @stoppers;
my $owner = $$;

sub run_or_die {
    my (@cmd) = @_;
    system(@cmd) == 0 or die "ACTest::Services: '@cmd' failed\n";
}

sub wanted {
    # only the process that runs the whole suite starts services: the
    # harness re-invokes perl for each .t file, which must not
    return !$ENV{ACTEST_SERVICES_STARTED};
}

sub start_providers {
    run_or_die("$PROVIDERS/gen-certs.sh", $CERTS);
    local $ENV{OIDC_PORT} = $PORT{oidc};
    local $ENV{OIDC_TLS_CERT} = "$CERTS/server.pem";
    local $ENV{OIDC_TLS_KEY} = "$CERTS/server.key";
    local $ENV{OIDC_PIDFILE} = "$RUN/oidc.pid";
    local $ENV{OIDC_LOG} = "$RUN/oidc.log";
    run_or_die("$PROVIDERS/oidc/start.sh");
    push @stoppers, sub {
        local $ENV{OIDC_PIDFILE} = "$RUN/oidc.pid";
        system("$PROVIDERS/oidc/stop.sh");
    };
    local $ENV{HOSTILE_PORT} = $PORT{hostile};
    local $ENV{HOSTILE_PIDFILE} = "$RUN/hostile.pid";
    local $ENV{HOSTILE_LOG} = "$RUN/hostile.log";
    run_or_die("$PROVIDERS/hostile/start.sh");
    push @stoppers, sub {
        local $ENV{HOSTILE_PIDFILE} = "$RUN/hostile.pid";
        system("$PROVIDERS/hostile/stop.sh");
    };
    start_oauth('oauth1', 'OAUTH1');
    start_oauth('oauth2', 'OAUTH2');
}

# The Twitter-like (oauth1/) and GitHub-like (oauth2/) providers share one
# environment contract: PREFIX_PORT, PREFIX_PIDFILE, PREFIX_LOG.
sub start_oauth {
    my ($name, $prefix) = @_;
    local $ENV{"${prefix}_PORT"} = $PORT{$name};
    local $ENV{"${prefix}_PIDFILE"} = "$RUN/$name.pid";
    local $ENV{"${prefix}_LOG"} = "$RUN/$name.log";
    run_or_die("$PROVIDERS/$name/start.sh");
    push @stoppers, sub {
        local $ENV{"${prefix}_PIDFILE"} = "$RUN/$name.pid";
        system("$PROVIDERS/$name/stop.sh");
    };
}

sub start_daemon {
    my ($name, $pidfile, @cmd) = @_;
    run_or_die(@cmd);
    for (1 .. 50) {
        last if -s $pidfile;
        select(undef, undef, undef, 0.1);
    }
    push @stoppers, sub {
        open my $fh, '<', $pidfile or return;
        my $pid = <$fh>;
        chomp $pid if defined $pid;
        kill 'TERM', $pid if $pid;
        unlink $pidfile;
    };
}

sub start_caches {
    my $memcached = -x '/usr/bin/memcached' ? '/usr/bin/memcached' : undef;
    my $redis = -x '/usr/bin/redis-server' ? '/usr/bin/redis-server' : undef;
    die "memcached is not installed (apt-get install memcached)\n" unless $memcached;
    die "redis-server is not installed (apt-get install redis-server)\n" unless $redis;
    start_daemon('memcached', "$RUN/memcached.pid", $memcached, '-d', '-u', 'root',
                 '-l', '127.0.0.1', '-p', $PORT{memcached}, '-U', '0',
                 '-P', "$RUN/memcached.pid");
    start_daemon('redis', "$RUN/redis.pid", $redis, '--port', $PORT{redis},
                 '--bind', '127.0.0.1', '--daemonize', 'yes', '--save', '',
                 '--appendonly', 'no', '--pidfile', "$RUN/redis.pid",
                 '--logfile', "$RUN/redis.log");
}

sub start_all {
    return unless wanted();
    # the configure step (-clean, -conf) needs no services
    return if grep { /^-(clean|conf)$/ } @ARGV;
    mkdir $RUN unless -d $RUN;
    $ENV{ACTEST_SERVICES_STARTED} = 1;
    $ENV{ACTEST_CA} = "$CERTS/ca.pem";
    # Apache::TestRun ends itself with SIGTERM when httpd dies at start,
    # and END blocks do not run on a signal: stop the services then too
    $SIG{TERM} = sub { stop_all(); exit 1 };
    start_providers();
    start_caches();
}

sub stop_all {
    # Apache::TestRun forks; only the process that started the services
    # may stop them
    return unless $$ == $owner;
    $_->() for reverse @stoppers;
    @stoppers = ();
}

END { local $?; stop_all() }

1;
