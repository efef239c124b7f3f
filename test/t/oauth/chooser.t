# The provider chooser of /choose/, offering one provider of each kind
# (OAuth 1.0a tw-hmac, OAuth 2.0 gh-basic, OpenID Connect op): every link
# starts the login of the provider it names, and a login through the
# GitHub-like one ends on the page first asked for.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use URI;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser base_url login env_of follow to_callback);

plan tests => 17;

my $base = base_url();
my $ua = browser();
my $page = $ua->get("$base/choose/env.cgi?x=1&y=2");
ok t_cmp($page->code, 200, 'chooser: a page, not a redirect');
ok t_cmp($page->header('Content-Type') // '', qr{^text/html}, 'chooser: HTML');
my $html = $page->decoded_content // '';
my @pairs = $html =~ m{<a class="choice" href="([^"]*)">(?:<img[^>]*>)?([^<]*)</a>}g;
ok t_cmp(scalar(@pairs) / 2, 3, 'chooser: three links');
my %link = reverse @pairs;
ok t_cmp(join('|', sort keys %link), 'gh-basic|op|tw-hmac', 'chooser: the three names');
ok t_cmp(join('|', map { $pairs[$_ * 2 + 1] } 0 .. $#pairs / 2), 'tw-hmac|gh-basic|op',
         'chooser: in the order of AuthClientProvider');

# every href is escaped markup: the '&' between parameters is &amp;
ok t_cmp(scalar(grep { /&(?!amp;)/ } keys %{{ @pairs }}), 0, 'chooser: hrefs HTML-escaped');

sub target_of {
    my ($name) = @_;
    my $href = $link{$name} // '';
    $href =~ s/&amp;/&/g;
    return URI->new_abs($href, $base);
}
my %q = target_of('gh-basic')->query_form;
ok t_cmp($q{login}, 'gh-basic', 'gh-basic link: names its provider');
ok t_cmp($q{target}, '/choose/env.cgi?x=1&y=2', 'gh-basic link: returns to the page');

# each link reaches the provider it names
my %expect = (
    'tw-hmac'  => qr{^http://127\.0\.0\.1:4601/oauth/authenticate\?oauth_token=},
    'gh-basic' => qr{^http://127\.0\.0\.1:4602/login/oauth/authorize\?.*client_id=gh-basic},
    'op'       => qr{^https://127\.0\.0\.1:3643/auth\?},
);
for my $name (sort keys %expect) {
    my $res = browser()->get(target_of($name));
    ok t_cmp($res->code, 302, "$name link: a login starts");
    ok t_cmp($res->header('Location') // '', $expect{$name}, "$name link: to that provider");
}

# following the gh-basic link logs in and lands on the page first asked for
my $cb = to_callback($ua, target_of('gh-basic'));
my @steps = follow($ua, $ua->get($cb));
my $env = env_of($steps[-1]);
ok t_cmp($env->{REMOTE_USER}, 'alice-gh', 'chooser: logged in through gh-basic');
ok t_cmp($env->{REQUEST_URI}, '/choose/env.cgi?x=1&y=2', 'chooser: back on the page');
# the session of any listed provider counts here: no chooser again
ok t_cmp(env_of($ua->get("$base/choose/env.cgi"))->{REMOTE_USER}, 'alice-gh',
         'chooser: the session carries the next request');
