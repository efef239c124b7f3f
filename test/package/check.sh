#!/bin/sh
# check.sh - the Debian package as a sysadmin meets it.  Builds
# libapache2-mod-auth-client with "dpkg-buildpackage -us -uc -b" from a copy
# of this tree, installs it with dpkg -i, checks that "a2enmod auth_client"
# enables socache_shmcb too, adds a small provider configuration and runs
# "apachectl -t" on the system's configuration, then disables and purges the
# package and checks that nothing of it is left.  Ends with one PASS or FAIL
# line.
#
# Run as root on a throw-away Debian 12 machine: it installs a package and
# changes /etc/apache2 while it runs.  What is enabled there (the
# *-enabled links, and a2enmod's own records in /var/lib/apache2) is saved
# first and put back at the end, also when a step fails or the check is
# interrupted.  A machine that already has the package is refused: the
# check would replace and then purge the sysadmin's copy.
#
# The system's apache2 service is never started or stopped by the check
# itself.  The package's maintainer scripts, like those of every Debian
# module package, ask invoke-rc.d to restart apache2 after enabling (dpkg -i)
# and disabling (dpkg --purge) the module.  Where policy-rc.d forbids it
# (usual in containers) nothing happens.  Elsewhere a running apache2 is
# restarted and keeps running, and a stopped one would be started by the
# restart: the check notes beforehand whether apache2 was running and, if
# not, stops the instance the maintainer scripts started (through its pid
# file, with apache2ctl stop).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
pkg=libapache2-mod-auth-client
modules=/usr/lib/apache2/modules
avail=/etc/apache2/mods-available
enabled=/etc/apache2/mods-enabled
check_conf=auth-client-package-check
state_dirs="etc/apache2/mods-enabled etc/apache2/conf-enabled etc/apache2/sites-enabled var/lib/apache2"
started=$(date +%s)
work=""
saved=0
restored=0
installed=0
was_running=0
passed=0

say() {
    echo "package: $*"
}

ok() {
    passed=$((passed + 1))
    say "ok - $*"
}

fail() {
    say "FAIL: $*"
    exit 1
}

# The pid file of the system's apache2 (not the test suite's own httpds,
# which run with their own configuration and pid files).
system_pidfile() {
    (. /etc/apache2/envvars 2>/dev/null && echo "${APACHE_PID_FILE:-/var/run/apache2/apache2.pid}")
}

apache2_running() {
    pid=$(cat "$(system_pidfile)" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# $state_dirs is a list of words on purpose
# shellcheck disable=SC2086
state_listing() {
    (cd / && find $state_dirs -printf '%p %y %l\n' 2>/dev/null | sort)
}

save_state() {
    state_listing > "$work/state.before"
    # shellcheck disable=SC2086
    tar -C / -cf "$work/state.tar" $state_dirs || fail "could not save the apache2 state"
    saved=1
}

restore_state() {
    [ "$saved" = 1 ] && [ "$restored" = 0 ] || return 0
    for d in $state_dirs; do
        rm -rf "/${d:?}"
    done
    tar -C / -xpf "$work/state.tar"
    restored=1
}

package_status() {
    dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null
}

cleanup() {
    rc=$?
    trap - EXIT INT TERM
    if [ -e "/etc/apache2/conf-enabled/$check_conf.conf" ] ||
        [ -e "/etc/apache2/conf-available/$check_conf.conf" ]; then
        rm -f "/etc/apache2/conf-enabled/$check_conf.conf" \
            "/etc/apache2/conf-available/$check_conf.conf"
    fi
    if [ "$installed" = 1 ] && [ -n "$(package_status)" ] &&
        [ "$(package_status)" != not-installed ]; then
        say "cleanup: purging $pkg"
        dpkg --purge "$pkg" > "$work/cleanup-purge.log" 2>&1 9>&- || cat "$work/cleanup-purge.log"
    fi
    restore_state
    if [ "$was_running" = 0 ] && apache2_running; then
        say "cleanup: the maintainer scripts started the system's apache2; stopping it"
        apache2ctl stop > /dev/null 2>&1 || true
    fi
    [ -z "$work" ] || rm -rf "$work"
    [ "$rc" = 0 ] || say "FAIL after $(($(date +%s) - started)) s"
    exit "$rc"
}

# runs a command, its output to a log; on failure shows the log's end.  The
# lock's descriptor is closed for it: an apache2 that a maintainer script
# starts must not hold the lock for ever.
run_logged() {
    log=$1
    shift
    if ! "$@" > "$log" 2>&1 9>&-; then
        tail -n 40 "$log" | sed 's/^/    /'
        return 1
    fi
}

# "apachectl -t" in a network namespace of its own, where there is no
# network to contact, when the kernel lets us make one
configtest() {
    if unshare --net true 2>/dev/null; then
        unshare --net apachectl -t
    else
        apachectl -t
    fi
}

# ---- preconditions ----------------------------------------------------------
[ "$(id -u)" = 0 ] || fail "must run as root (it installs a package and changes /etc/apache2)"
for tool in dpkg-buildpackage dh dh_apache2 a2enmod apachectl; do
    command -v "$tool" > /dev/null 2>&1 ||
        fail "$tool is missing: run test/install-deps.sh"
done
# one check at a time on a machine: both would edit /etc/apache2
exec 9> /run/lock/mod_auth_client-package-check.lock
flock -w 900 9 || fail "another test/package/check.sh still runs after 15 minutes"
case "$(package_status)" in
    "" | not-installed) ;;
    *) fail "$pkg is already on this machine ($(package_status)); the check would replace and purge it: dpkg --purge $pkg first" ;;
esac
work=$(mktemp -d /tmp/ac-package-check.XXXXXX)
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "interrupted"; exit 143' TERM
apache2_running && was_running=1
say "system apache2 running before the check: $([ $was_running = 1 ] && echo yes || echo no)"
run_logged "$work/baseline.log" configtest ||
    fail "the system configuration fails apachectl -t before the package is installed"
save_state

# ---- build --------------------------------------------------------------------
# A copy without version control data or build products (test/copy-source.sh).
sh "$top/test/copy-source.sh" "$work/src" || fail "could not copy the tree"
t0=$(date +%s)
run_logged "$work/build.log" sh -c "cd '$work/src' &&
    DEB_BUILD_OPTIONS='parallel=$(nproc)' dpkg-buildpackage -us -uc -b" ||
    fail "dpkg-buildpackage -us -uc -b failed"
deb=$(ls "$work/${pkg}_"*.deb 2> /dev/null | head -n 1)
[ -n "$deb" ] || fail "dpkg-buildpackage made no $pkg .deb"
ok "built $(basename "$deb") in $(($(date +%s) - t0)) s"

# ---- install --------------------------------------------------------------------
installed=1
run_logged "$work/install.log" env DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" ||
    fail "dpkg -i $(basename "$deb") failed"
[ "$(package_status)" = installed ] || fail "$pkg is not installed after dpkg -i ($(package_status))"
dpkg -L "$pkg" > "$work/files" || fail "dpkg -L $pkg failed"
for f in $modules/mod_auth_client.so $avail/auth_client.load $avail/auth_client.conf \
    /usr/share/doc/$pkg/auth_client.conf.reference /usr/share/doc/$pkg/README.gz \
    /usr/share/doc/$pkg/copyright; do
    [ -f "$f" ] || fail "dpkg -i did not install $f"
done
ok "installed: module, mods-available/auth_client.{load,conf}, reference and README"
grep -qx '# Depends: socache_shmcb' $avail/auth_client.load ||
    fail "$avail/auth_client.load has no '# Depends: socache_shmcb' line"
# dh_apache2's postinst enables the module through apache2-maintscript-helper
[ -L $enabled/auth_client.load ] && [ -L $enabled/socache_shmcb.load ] ||
    fail "the postinst did not enable auth_client and socache_shmcb"
ok "the postinst enabled auth_client and socache_shmcb"

# ---- a2enmod follows the Depends line -------------------------------------------
# start from neither being enabled (-f also disables modules depending on
# socache_shmcb, such as ssl; the saved state brings them back)
a2dismod -q auth_client > /dev/null && a2dismod -q -f socache_shmcb > /dev/null ||
    fail "a2dismod auth_client / socache_shmcb failed"
[ ! -e $enabled/socache_shmcb.load ] || fail "socache_shmcb still enabled after a2dismod"
run_logged "$work/a2enmod.log" a2enmod auth_client || fail "a2enmod auth_client failed"
[ -L $enabled/auth_client.load ] && [ -L $enabled/auth_client.conf ] ||
    fail "a2enmod auth_client did not link auth_client.load and auth_client.conf"
[ -L $enabled/socache_shmcb.load ] || fail "a2enmod auth_client did not enable socache_shmcb"
ok "a2enmod auth_client enabled socache_shmcb too"

# ---- a quickstart configuration, apachectl -t -------------------------------------
# One OpenID Connect provider on loopback with every endpoint spelled out
# (no ServerMetadataURL), so nothing is fetched; -t runs in a network
# namespace without network anyway.
od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$work/auth_client.key"
echo "check-client-secret" > "$work/op.secret"
chmod 600 "$work/auth_client.key" "$work/op.secret"
quickstart() {
    cat <<CONF
# written by test/package/check.sh, removed when it ends
AuthClientPassphrase file:$work/auth_client.key

<AuthClientProvider local-op>
    Issuer          https://127.0.0.1:3443
    AuthorizeURL    https://127.0.0.1:3443/auth
    AccessTokenURL  https://127.0.0.1:3443/token
    JWKSURI         https://127.0.0.1:3443/jwks
    UserInfoURL     https://127.0.0.1:3443/me
    ClientID        ac-test
    ClientSecret    file:$work/op.secret
    Scope           openid email profile
    RemoteUserClaim email
    $1
</AuthClientProvider>

<Location /app>
    AuthType           oauth
    AuthClientProvider local-op
    Require            valid-user
</Location>
CONF
}
quickstart "" > /etc/apache2/conf-available/$check_conf.conf
a2enconf -q $check_conf > /dev/null || fail "a2enconf $check_conf failed"
run_logged "$work/configtest.log" configtest || fail "apachectl -t refused the quickstart configuration"
grep -q 'Syntax OK' "$work/configtest.log" || fail "apachectl -t did not say Syntax OK"
ok "apachectl -t accepts the installed module with a provider configured"
# the same with a typo: proves that the installed module read the block
quickstart "ClientSecrte typo" > /etc/apache2/conf-available/$check_conf.conf
if configtest > "$work/configtest-bad.log" 2>&1; then
    fail "apachectl -t accepted an unknown provider key"
fi
grep -q "unknown key 'ClientSecrte'" "$work/configtest-bad.log" &&
    grep -q "$check_conf.conf" "$work/configtest-bad.log" || {
    sed 's/^/    /' "$work/configtest-bad.log"
    fail "apachectl -t's error does not name the key and the file"
}
ok "apachectl -t refuses a misspelt provider key, naming key and file"
a2disconf -q $check_conf > /dev/null || fail "a2disconf $check_conf failed"
rm -f /etc/apache2/conf-available/$check_conf.conf

# ---- disable, purge, nothing left ---------------------------------------------------
a2dismod -q auth_client > /dev/null || fail "a2dismod auth_client failed"
[ ! -e $enabled/auth_client.load ] && [ ! -e $enabled/auth_client.conf ] ||
    fail "a2dismod auth_client left links in $enabled"
ok "a2dismod auth_client removed its links"
run_logged "$work/purge.log" dpkg --purge "$pkg" || fail "dpkg --purge $pkg failed"
case "$(package_status)" in
    "" | not-installed) ;;
    *) fail "$pkg still known to dpkg after --purge ($(package_status))" ;;
esac
left=""
while read -r f; do
    [ -d "$f" ] && [ ! -L "$f" ] && continue
    [ ! -e "$f" ] && [ ! -L "$f" ] || left="$left $f"
done < "$work/files"
for f in $modules/mod_auth_client.so $avail/auth_client.load $avail/auth_client.conf \
    $enabled/auth_client.load $enabled/auth_client.conf /usr/share/doc/$pkg \
    /var/lib/apache2/module/enabled_by_admin/auth_client \
    /var/lib/apache2/module/enabled_by_maint/auth_client \
    /var/lib/apache2/module/disabled_by_admin/auth_client \
    /var/lib/apache2/module/disabled_by_maint/auth_client; do
    [ ! -e "$f" ] && [ ! -L "$f" ] || left="$left $f"
done
[ -z "$left" ] || fail "left after dpkg --purge:$left"
installed=0
ok "dpkg --purge left nothing of the package"

# ---- the machine as it was ------------------------------------------------------
restore_state
state_listing > "$work/state.after"
diff -u "$work/state.before" "$work/state.after" > "$work/state.diff" || {
    sed 's/^/    /' "$work/state.diff"
    fail "the apache2 state differs from the one before the check"
}
ok "the enabled modules, configurations and sites are as before"
say "PASS ($passed checks, $(($(date +%s) - started)) s)"
