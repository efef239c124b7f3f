# The memo of opened cache values (src/open_memo.h) against a real shared
# cache: a process reuses what a value opened to only for exactly the
# bytes it opened.  A session record rewritten in memcached or redis with
# one byte changed, or replaced by another session's record, is refused
# on the next request of the same process, which had just opened the
# original; the original bytes put back are accepted again.  Runs with
# -defines AC_MEMCACHE or AC_REDIS (shmcb cannot be written from outside).
# One node of one process, so "the same process" is the one every request
# reaches.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Digest::SHA qw(sha256_hex);
use LWP::UserAgent;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser login env_of jar_cookie);
use ACTest::Cache qw(memcached_get memcached_set redis);
use ACTest::Node qw(node_app start_node stop_nodes);
use ACTest::Services ();

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
my $backend = $defines{AC_MEMCACHE} ? 'memcache' : $defines{AC_REDIS} ? 'redis' : '';
plan tests => 12, need {
    'a value rewritten in the shared cache: run with -defines AC_MEMCACHE or AC_REDIS'
        => $backend ne '',
};

END {
    local $?;
    stop_nodes();
}

my $port = 8640;                          # a callback the provider accepts
my $cache = $backend eq 'memcache'
    ? "memcache:127.0.0.1:$ACTest::Services::PORT{memcached}"
    : "redis:127.0.0.1:$ACTest::Services::PORT{redis}";
my $config = <<"CONF" . node_app();
StartServers      1
ServerLimit       1
ThreadsPerChild   8
MaxRequestWorkers 8
MinSpareThreads   1
MaxSpareThreads   8
AuthClientCache $cache
AuthClientPassphrase "integration-passphrase-0123456789"
CONF

ok t_cmp(start_node($port, $config), undef, "node $port started on $backend");

# one request with the session cookie alone, redirects not followed
sub who {
    my ($sid) = @_;
    my $res = LWP::UserAgent->new(max_redirect => 0)
        ->get("http://127.0.0.1:$port/app/env.cgi", Cookie => "ac_session=$sid");
    return $res->code == 200 ? env_of($res)->{REMOTE_USER} // '' : 'refused';
}

# the cache entry of a session: the module's key is SHA-256 of its type, a
# NUL and the id, written in hex after the namespace (which case depends on
# the httpd release)
sub entry_key {
    my ($sid) = @_;
    my $hex = sha256_hex("session\0$sid");
    for my $key ("auth_client:$hex", 'auth_client:' . uc $hex) {
        return $key if defined get_value($key);
    }
    return undef;
}
sub get_value {
    my ($key) = @_;
    return $backend eq 'memcache' ? memcached_get($key) : redis('GET', $key);
}
sub set_value {
    my ($key, $value) = @_;
    return $backend eq 'memcache' ? memcached_set($key, $value, 300)
                                  : redis('SET', $key, $value, 'EX', 300);
}

sub log_since {
    my ($file, $offset) = @_;
    open my $fh, '<', $file or return ();
    seek $fh, $offset, 0;
    return <$fh>;
}

sub new_session {
    my $ua = browser();
    my $res = (login($ua, "http://127.0.0.1:$port/app/env.cgi"))[-1];
    return (env_of($res)->{REMOTE_USER} // '', jar_cookie($ua, 'ac_session') // '');
}

my ($user, $sid) = new_session();
ok t_cmp($user, 'alice', 'logged in');
my $key = entry_key($sid);
ok t_cmp(defined $key ? 1 : 0, 1, "the session's entry is found in $backend");
my $original = get_value($key) // '';
# the process opens the record, then takes it from its memo
ok t_cmp(join(',', map { who($sid) } 1 .. 3), 'alice,alice,alice',
         'three requests: the same session');

# one byte of the ciphertext changed, the length kept
my $changed = $original;
my $at = int(length($changed) / 2);
substr($changed, $at, 1) = chr(ord(substr($changed, $at, 1)) ^ 0x01);
set_value($key, $changed);
my $log = ACTest::Node::node_dir($port) . '/error_log';
my $mark = -s $log;
ok t_cmp(who($sid), 'refused', 'a value with one byte changed is refused at once');
ok t_cmp(who($sid), 'refused', 'and on the next request too');
ok t_cmp(scalar(grep { /a session entry of the cache does not open/ } log_since($log, $mark)), 2,
         'each was opened afresh, and did not open (the debug line)');

set_value($key, $original);
ok t_cmp(who($sid), 'alice', 'the original bytes put back: accepted again');

# another session's record under this session's key: its bytes differ
# from what the process opened, and they are bound to the other key
my ($user2, $sid2) = new_session();
ok t_cmp($user2, 'alice', 'a second session');
my $other = get_value(entry_key($sid2) // '') // '';
ok t_cmp(length($other) > 0 ? 1 : 0, 1, "the second session's entry");
set_value($key, $other);
ok t_cmp(who($sid), 'refused', "another session's record under this key is refused");
set_value($key, $original);
ok t_cmp(who($sid), 'alice', 'and this session is back with its own');
