# The status counters across restarts, on an extra node (ACTest::Node): a
# graceful restart keeps them (they are in shared memory the parent keeps,
# as the embedded cache is), a graceful restart with another list of
# providers starts them at zero, and so does a restart that is not graceful.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use LWP::UserAgent;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ACTest qw(browser login env_of);
use ACTest::Node qw(node_app start_node stop_nodes restart_node reconfigure_node);

plan tests => 12;

END {
    local $?;
    stop_nodes();
}

my $port = 8644;
my $status = <<'CONF';
<Location /status>
    SetHandler auth-client-status
    Require    all granted
</Location>
CONF
# the same providers and one more, named after them
my $more = <<'CONF';
<AuthClientProvider zz-extra>
    Preset   github
    ClientID extra
    ClientSecret extra-secret
</AuthClientProvider>
CONF

sub counter {
    my ($name, $labels) = @_;
    my $text = LWP::UserAgent->new(timeout => 10)->get("http://127.0.0.1:$port/status")->content;
    my $series = $labels eq '' ? $name : "$name\{$labels\}";
    return $text =~ /^\Q$series\E (\S+)$/m ? $1 : 'absent';
}
sub logins { return counter('auth_client_logins_total', 'provider="gh",outcome="ok"') }
sub created { return counter('auth_client_counters_created_timestamp_seconds', '') }

sub login_gh {
    my @steps = login(browser(), "http://127.0.0.1:$port/gh/env.cgi");
    return env_of($steps[-1])->{REMOTE_USER} // 'HTTP ' . $steps[-1]->code;
}

ok t_cmp(start_node($port, node_app() . $status), undef, "node $port started");
ok t_cmp(login_gh(), 'alice-gh', 'a login with gh');
ok t_cmp(logins(), 1, 'counted');
my $created = created();
sleep 1;

ok t_cmp(restart_node($port, 'graceful'), undef, 'graceful restart');
ok t_cmp(logins(), 1, 'the count lives through it');
ok t_cmp(created(), $created, 'the same counters');

reconfigure_node($port, node_app() . $more . $status);
ok t_cmp(restart_node($port, 'graceful'), undef, 'graceful restart with one more provider');
ok t_cmp(logins(), 0, 'another list of providers: new counters');
ok t_cmp(counter('auth_client_logins_total', 'provider="zz-extra",outcome="ok"'), 0,
         'with a row for the new provider');

ok t_cmp(login_gh(), 'alice-gh', 'another login');
ok t_cmp(restart_node($port, 'restart'), undef, 'a restart that is not graceful');
ok t_cmp(logins(), 0, 'starts the counters at zero');
