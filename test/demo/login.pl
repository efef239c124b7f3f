#!/usr/bin/perl
# login.pl URL USER PASSWORD CA_FILE - logs in through the provider's form
# like a browser would and prints what the protected app saw.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use ACTest qw(browser login env_of);

binmode STDOUT, ":encoding(UTF-8)";
my ($url, $user, $password, $ca) = @ARGV;
$ENV{ACTEST_CA} = $ca;
my @steps = login(browser(), $url, user => $user, password => $password);
my $res = $steps[-1];
my $env = env_of($res);
die "login failed: HTTP " . $res->code . "\n" . $res->decoded_content
    unless $res->code == 200 && $env->{REMOTE_USER};
for my $k (sort grep { /^(REMOTE_USER|AUTH_TYPE|OIDC_CLAIM_(sub|email|name|groups|screen_name|login))$/ } keys %$env) {
    print "  $k=$env->{$k}\n";
}
