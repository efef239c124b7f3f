# The login state: bound to the browser by the flow cookie, single use, one
# flow cookie however many logins run at once; a new session id at every
# login; a tampered session cookie is no session; the provider chooser.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use URI::Escape qw(uri_escape);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of follow to_callback error_code
              set_cookie jar_cookie);

plan tests => 83;

my $base = base_url();
my $app = "$base/app/env.cgi";

# an error page from the callback: status, code, and no session cookie
sub refused {
    my ($res, $status, $code, $what) = @_;
    ok t_cmp($res->code, $status, "$what: $status");
    ok t_cmp(error_code($res), $code, "$what: $code");
    ok t_cmp(set_cookie($res, 'ac_session'), undef, "$what: no session cookie");
}

sub with_query {
    my ($uri, @pairs) = @_;
    my $u = URI->new($uri);
    $u->query_form(@pairs);
    return $u;
}

# ---- the callback needs the flow cookie ---------------------------------------
my $ua_a = browser();
my $cb = to_callback($ua_a, $app);
ok t_cmp("$cb", qr{^\Q$base\E/auth/callback\?.*code=.*state=}, 'provider sends back code and state');
refused(browser()->get($cb), 400, 'flow_cookie_missing', 'callback without the flow cookie');
ok t_cmp(jar_cookie($ua_a, 'ac_flow') // '', qr/^[A-Za-z0-9_-]{43}$/, 'the flow cookie');

# the refused attempt did not use up the login: its own browser completes it
my @steps = follow($ua_a, $ua_a->get($cb));
ok t_cmp($steps[0]->code, 303, 'the right browser: callback answers 303');
my $sid = set_cookie($steps[0], 'ac_session');
ok t_cmp($sid // '', qr/^[A-Za-z0-9_-]{43}$/, 'the right browser: session cookie');
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'alice', 'the right browser: logged in');

# ---- single use ---------------------------------------------------------------------
# replayed (Back, reload) by the browser that holds the login's session: the
# page it was for, and no second session (pages.t: without it, state_unknown)
my $replay = $ua_a->get($cb);
ok t_cmp($replay->code, 303, 'the callback URL replayed with its session: 303');
ok t_cmp($replay->header('Location') // '', qr{/app/env\.cgi$}, 'replay: back to the page');
ok t_cmp(set_cookie($replay, 'ac_session'), undef, 'replay: no new session');
ok t_cmp(jar_cookie($ua_a, 'ac_session'), $sid, 'replay: the session cookie is unchanged');

# ---- bound to the browser -------------------------------------------------------------
# B starts a login of its own (so it has a flow cookie), then is handed the
# callback of a login A2 started: a login CSRF, as an attacker would try
my $ua_a2 = browser();
my $cb2 = to_callback($ua_a2, $app);
my $ua_b = browser();
ok t_cmp($ua_b->get($app)->code, 302, 'B starts a login of its own');
ok t_cmp(jar_cookie($ua_b, 'ac_flow') // '', qr/^[A-Za-z0-9_-]{43}$/, 'B has a flow cookie');
ok t_cmp(jar_cookie($ua_b, 'ac_flow') ne jar_cookie($ua_a2, 'ac_flow'), 1,
         'A2 and B have different flow cookies');
refused($ua_b->get($cb2), 400, 'state_mismatch', 'callback of A2 delivered to B');
ok t_cmp($ua_b->get($app)->code, 302, 'B has no session afterwards');

# ---- malformed callbacks --------------------------------------------------------------
my $c = browser();
my $cb3 = to_callback($c, $app);
my %q = $cb3->query_form;
refused($c->get(with_query("$base/auth/callback", code => $q{code}, iss => $q{iss})),
        400, 'state_missing', 'callback without state');
refused($c->get(with_query("$base/auth/callback", code => $q{code}, state => '',
                           iss => $q{iss})),
        400, 'state_missing', 'callback with an empty state');
refused($c->get(with_query("$base/auth/callback", code => $q{code}, state => 'x' x 200,
                           iss => $q{iss})),
        400, 'state_missing', 'callback with an overlong state');
refused($c->get("$cb3&state=$q{state}"), 400, 'form_duplicate', 'state twice');
refused($c->get("$cb3&" . join('&', map { "p$_=x" } 1 .. 20)), 400, 'form_too_many',
        'a callback with too many parameters');
refused($c->get("$cb3&code=other"), 400, 'form_duplicate', 'code twice');
refused($c->get("$cb3&STATE=$q{state}"), 400, 'form_duplicate',
        'state twice, in another case');
refused($c->get("$cb3&%zz=1"), 400, 'form_malformed', 'a bad %-escape');
# none of that consumed the login
@steps = follow($c, $c->get($cb3));
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'alice',
         'after the malformed attempts the real callback still works');

# ---- many tabs: one flow cookie ------------------------------------------------------
my $tabs = browser();
my (@starts, %states);
for my $i (1 .. 5) {
    my $res = $tabs->get("$base/app/env.cgi?tab=$i");
    push @starts, $res;
    my %authz = URI->new($res->header('Location') // '')->query_form;
    $states{ $authz{state} // '' } = 1;
}
ok t_cmp(scalar(grep { $_->code == 302 } @starts), 5, '5 tabs: 5 logins started');
ok t_cmp(scalar(keys %states), 5, '5 tabs: 5 different states');
my %flow_ids = map { (set_cookie($_, 'ac_flow') // '') => 1 } @starts;
ok t_cmp(join(',', keys %flow_ids), qr/^[A-Za-z0-9_-]{43}$/,
         '5 tabs: one flow id, set again (for longer) at each start');
ok t_cmp(scalar(my @flow = jar_cookie($tabs, 'ac_flow')), 1, '5 tabs: one flow cookie in the jar');
# any of the tabs can finish, in any order, and lands on its own page
my $cb_tab2 = to_callback($tabs, undef, res => $starts[1]);
my $cb_tab4 = to_callback($tabs, undef, res => $starts[3]);
@steps = follow($tabs, $tabs->get($cb_tab4));
ok t_cmp(env_of($steps[-1])->{REQUEST_URI}, '/app/env.cgi?tab=4', 'tab 4 finishes on its page');
@steps = follow($tabs, $tabs->get($cb_tab2));
ok t_cmp(env_of($steps[-1])->{REQUEST_URI}, '/app/env.cgi?tab=2', 'tab 2 finishes on its page');

# ---- a new session id at every login -------------------------------------------------
my $d = browser();
# an id planted before login (session fixation) must not become the session
$d->cookie_jar->set_cookie(0, 'ac_session', 'P' x 43, '/', 'localhost.local');
login($d, $app);
my $first = jar_cookie($d, 'ac_session');
ok t_cmp($first // '', qr/^[A-Za-z0-9_-]{43}$/, 'first login: a session id');
ok t_cmp($first ne 'P' x 43, 1, 'the planted id was replaced');
# /post/ belongs to another provider, so the same browser logs in again
login($d, "$base/post/env.cgi");
my $second = jar_cookie($d, 'ac_session');
ok t_cmp($second // '', qr/^[A-Za-z0-9_-]{43}$/, 'second login: a session id');
ok t_cmp($second ne $first, 1, 'the second login has a new session id');
ok t_cmp(env_of($d->get("$base/post/env.cgi"))->{REMOTE_USER}, 'alice',
         'the new session works');

# ---- a tampered session cookie is no session ------------------------------------------
my $e = browser();
login($e, $app);
my $good = jar_cookie($e, 'ac_session');
ok t_cmp(env_of($e->get($app))->{REMOTE_USER}, 'alice', 'untampered: passes');
my $flip = substr($good, 10, 1) eq 'A' ? 'B' : 'A';
my %tampered = (
    'one character changed' => substr($good, 0, 10) . $flip . substr($good, 11),
    'truncated' => substr($good, 0, 42),
    'one character more' => $good . 'A',
    'empty' => '',
    'not base64url' => substr($good, 0, 42) . '%',
);
for my $what (sort keys %tampered) {
    my $t = browser();
    $t->cookie_jar->set_cookie(0, 'ac_session', $tampered{$what}, '/', 'localhost.local');
    my $res = $t->get($app);
    ok t_cmp($res->code, 302, "session cookie $what: sent to login");
    ok t_cmp($res->header('Location') // '', qr{^https://127\.0\.0\.1:3643/auth\?},
             "session cookie $what: to the provider");
}

# ---- the provider chooser on /multi/ -----------------------------------------------------
my $f = browser();
my $page = $f->get("$base/multi/env.cgi?x=1");
ok t_cmp($page->code, 200, 'chooser: a page, not a challenge');
my $html = $page->decoded_content // '';
my @links = $html =~ m{<a class="choice" href="([^"]*)">(?:<img[^>]*>)?([^<]*)</a>}g;
ok t_cmp(scalar(@links) / 2, 3, 'chooser: three links');
my %link = reverse @links;
ok t_cmp(join('|', sort keys %link), 'h-good|op|op&amp;&lt;&quot;b&quot;&gt;',
         'chooser: the names, HTML-escaped');
ok t_cmp(index($html, '<"b">'), -1, 'chooser: no raw markup from a name');
my $weird = $link{'op&amp;&lt;&quot;b&quot;&gt;'} // '';
$weird =~ s/&amp;/&/g;
my $to_op = $f->get(URI->new_abs($weird, $base));
my %authz = URI->new($to_op->header('Location') // '')->query_form;
ok t_cmp($to_op->header('Location') // '', qr{^https://127\.0\.0\.1:3643/auth\?},
         'chooser: that link reaches the provider it names');
ok t_cmp($authz{client_id}, 'ac-post', 'chooser: with that provider\'s client');
my $good_link = $link{'h-good'} // '';
$good_link =~ s/&amp;/&/g;
@steps = follow($f, $f->get(URI->new_abs($good_link, $base)));
ok t_cmp($steps[1]->request->uri, qr{^http://127\.0\.0\.1:4399/good/authorize\?},
         'chooser: h-good reaches the hostile provider\'s good issuer');
ok t_cmp(env_of($steps[-1])->{REMOTE_USER}, 'mallory', 'chooser: logged in with h-good');
ok t_cmp(env_of($steps[-1])->{REQUEST_URI}, '/multi/env.cgi?x=1', 'chooser: back on the page');
# the chooser target must stay on this site
for my $target ('https://evil.example/', '//evil.example/', '/\\evil.example/',
                'http://localhost:8529@evil.example/') {
    my $evil = $f->get("$base/auth/callback?login=op&target=" . uri_escape($target));
    ok t_cmp($evil->code, 400, "chooser: target '$target' refused");
    ok t_cmp($evil->header('Location'), undef, "chooser: no redirect for '$target'");
}
