# Which cache holds the sessions, seen from the cache servers themselves:
# with -defines AC_MEMCACHE memcached, with AC_REDIS redis, otherwise
# (shmcb) neither.  And what a shared cache holds: no session id as a key,
# no claim or token in clear in a value.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use HTTP::Request::Common ();
use MIME::Base64 qw(decode_base64url);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of jar_cookie);
use ACTest::Cache qw(memcached_stats memcached_entries redis redis_entries redis_info);

my %defines = map { $_ => 1 } split ' ', Apache::Test::vars('defines') // '';
my $backend = $defines{AC_MEMCACHE} ? 'memcache' : $defines{AC_REDIS} ? 'redis' : 'shmcb';

plan tests => $backend eq 'shmcb' ? 7 : 16;

my $base = base_url();
my $app = "$base/app/env.cgi";

sub mc_items { memcached_stats()->{curr_items} }
sub mc_hits  { memcached_stats()->{get_hits} }
sub rd_size  { redis('DBSIZE') }
sub rd_hits  { redis_info()->{keyspace_hits} }

my %before = (mc_items => mc_items(), mc_hits => mc_hits(),
              rd_size => rd_size(), rd_hits => rd_hits());

my $ua = browser();
my $res = (login($ua, $app))[-1];
my $env = env_of($res);
ok t_cmp($env->{REMOTE_USER}, 'alice', "$backend: logged in");
my $sid = jar_cookie($ua, 'ac_session') // '';
my $token = $env->{OIDC_access_token} // '';

# the counters of one backend while authenticated requests are made
# /prefix/ exports no tokens: its requests read the session record only;
# /app/ exports the access token, which has a record of its own
my $no_tokens = "$base/prefix/env.cgi";

sub hits_per_request {
    my ($hits, $url) = @_;
    my @deltas;
    for (1 .. 3) {
        my $h = $hits->();
        my $who = env_of($ua->get($url // $no_tokens))->{REMOTE_USER} // '';
        push @deltas, $who eq 'alice' ? $hits->() - $h : 'not authenticated';
    }
    return join ',', @deltas;
}

if ($backend eq 'shmcb') {
    ok t_cmp(mc_items(), $before{mc_items}, 'shmcb: memcached items unchanged by a login');
    ok t_cmp(rd_size(), $before{rd_size}, 'shmcb: redis keys unchanged by a login');
    my $mc = mc_hits();
    my $rd = rd_hits();
    for (1 .. 3) {
        ok t_cmp(env_of($ua->get($app))->{REMOTE_USER}, 'alice', "shmcb: request $_ authenticated");
    }
    ok t_cmp(mc_hits() . '/' . rd_hits(), "$mc/$rd",
             'shmcb: neither memcached nor redis read by authenticated requests');
    exit 0;
}

my $entries;
if ($backend eq 'memcache') {
    ok t_cmp(mc_items() > $before{mc_items}, 1, 'memcache: a login stores items in memcached');
    ok t_cmp(rd_size(), $before{rd_size}, 'memcache: redis unchanged');
    ok t_cmp(hits_per_request(\&mc_hits), '1,1,1',
             'memcache: each authenticated request is one memcached hit');
    ok t_cmp(hits_per_request(\&mc_hits, $app), '2,2,2',
             'memcache: one more where the tokens are exported');
    my $rd = rd_hits();
    $ua->get($app);
    ok t_cmp(rd_hits(), $rd, 'memcache: redis not read');
    $entries = memcached_entries();
}
else {
    ok t_cmp(rd_size() > $before{rd_size}, 1, 'redis: a login stores keys in redis');
    ok t_cmp(mc_items(), $before{mc_items}, 'redis: memcached unchanged');
    ok t_cmp(hits_per_request(\&rd_hits), '1,1,1',
             'redis: each authenticated request is one redis hit');
    ok t_cmp(hits_per_request(\&rd_hits, $app), '2,2,2',
             'redis: one more where the tokens are exported');
    my $mc = mc_hits();
    $ua->get($app);
    ok t_cmp(mc_hits(), $mc, 'redis: memcached not read');
    $entries = redis_entries();
}

# ---- what the shared cache holds ----------------------------------------------------
my $sid_hex = unpack 'H*', decode_base64url($sid);
my @keys = keys %$entries;
my @values = values %$entries;
ok t_cmp(length $sid, 43, "$backend: the session id");
ok t_cmp(scalar @keys > 0, 1, "$backend: keys can be listed (" . @keys . ')');
ok t_cmp(scalar(grep { defined } @values), scalar @keys, "$backend: values can be read");
ok t_cmp(join(',', grep { index($_, $sid) >= 0 } @keys), '', "$backend: no key holds the session id");
ok t_cmp(join(',', grep { index(lc $_, $sid_hex) >= 0 } @keys), '',
         "$backend: no key holds the session id in hex");
for my $clear ('alice@example.org', "Alice \xc3\x9cmlaut", 'staff,admins') {
    ok t_cmp(scalar(grep { index($_ // '', $clear) >= 0 } @values), 0,
             "$backend: no value holds '$clear' in clear");
}
ok t_cmp(scalar(grep { index($_ // '', $token) >= 0 } @values) + (length $token < 10 ? 1 : 0), 0,
         "$backend: no value holds the access token in clear");

# logout removes the session from the shared cache, not only the cookie
$ua->request(HTTP::Request::Common::POST("$base/auth/logout", Origin => $base));
my $after = $backend eq 'memcache' ? memcached_entries() : redis_entries();
ok t_cmp(scalar(grep { !exists $after->{$_} } @keys) >= 1, 1,
         "$backend: logout removes an entry");
