#!/usr/bin/perl
# session-cookie.pl URL CA_FILE COOKIE_NAME [USER] - logs in as USER (alice;
# "many" has 1000 groups) through the provider's form and prints
# "NAME=value" of the session cookie, for wrk.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../test/t/lib";
use ACTest qw(browser login);

my ($url, $ca, $name, $user) = @ARGV;
$ENV{ACTEST_CA} = $ca;
my $ua = browser(navigate => 1);
# look like a browser: mod_auth_openidc answers 401 to other clients
$ua->default_header(Accept => "text/html,application/xhtml+xml,*/*;q=0.8");
my @steps = login($ua, $url, user => $user // 'alice');
die "login at $url failed: HTTP " . $steps[-1]->code . "\n" unless $steps[-1]->code == 200;
my $value;
$ua->cookie_jar->scan(sub { $value = $_[2] if $_[1] eq $name });
die "no $name cookie after login at $url\n" unless defined $value;
print "$name=$value\n";
