#!/bin/sh
# check_errors.sh - every misconfiguration the module can detect must fail
# "apache2 -t" with the file, the line and what to do.  Each case is a small
# httpd.conf; the expected words must all appear in the output.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
mods=/usr/lib/apache2/modules

base() {
    cat <<CONF
ServerRoot "$work"
ServerName localhost
Listen 127.0.0.1:8999
PidFile "$work/httpd.pid"
ErrorLog "$work/error.log"
DefaultRuntimeDir "$work"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule auth_client_module "$top/.libs/mod_auth_client.so"
CONF
}

good_provider() {
    cat <<CONF
<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID          id
    ClientSecret      secret
</AuthClientProvider>
CONF
}

# expect NAME BODY WORD... : the config must fail and its output name every WORD
expect() {
    name=$1 body=$2
    shift 2
    conf="$work/$name.conf"
    { base; printf '%s\n' "$body"; } > "$conf"
    out=$(/usr/sbin/apache2 -t -f "$conf" 2>&1)
    rc=$?
    ok=1
    [ $rc -ne 0 ] || ok=0
    for word in "$@"; do
        case "$out" in *"$word"*) ;; *) ok=0 ;; esac
    done
    if [ $ok = 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name (exit $rc), expected: $*"
        echo "$out" | sed 's/^/    /'
    fi
}

# expect_ok NAME BODY WORD... : the config must pass and its output name
# every WORD (a startup warning)
expect_ok() {
    name=$1 body=$2
    shift 2
    conf="$work/$name.conf"
    { base; printf '%s\n' "$body"; } > "$conf"
    out=$(/usr/sbin/apache2 -t -f "$conf" 2>&1)
    rc=$?
    ok=1
    [ $rc -eq 0 ] || ok=0
    for word in "$@"; do
        case "$out" in *"$word"*) ;; *) ok=0 ;; esac
    done
    if [ $ok = 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name (exit $rc), expected success and: $*"
        echo "$out" | sed 's/^/    /'
    fi
}

# the good configuration must pass, or every failure below proves nothing
{ base; good_provider; } > "$work/good.conf"
if /usr/sbin/apache2 -t -f "$work/good.conf" >/dev/null 2>&1; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL good configuration rejected:"
    /usr/sbin/apache2 -t -f "$work/good.conf" 2>&1 | sed 's/^/    /'
fi

expect unknown_key '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret secret
    ClientSecrte typo
</AuthClientProvider>' "unknown key 'ClientSecrte'" "did you mean ClientSecret?" "unknown_key.conf:16" "auth_client.conf.reference"

expect missing_client_id '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientSecret secret
</AuthClientProvider>' "needs ClientID" "missing_client_id.conf:12"

expect http_not_loopback '<AuthClientProvider op>
    ServerMetadataURL http://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret secret
</AuthClientProvider>' "must be an https URL" "http_not_loopback.conf:13"

expect plain_pkce '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret secret
    CodeChallengeMethod plain
</AuthClientProvider>' "S256 or none" "plain_pkce.conf:16"

expect public_without_pkce '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    TokenEndpointAuthMethod none
    CodeChallengeMethod none
</AuthClientProvider>' "without PKCE" "public_without_pkce.conf:12"

expect oauth2_incomplete '<AuthClientProvider gh>
    ClientID id
    ClientSecret secret
    AuthorizeURL https://gh.example/authorize
</AuthClientProvider>' "needs AuthorizeURL and AccessTokenURL" "oauth2_incomplete.conf:12"

expect rsa_without_key '<AuthClientProvider tw>
    Preset twitter
    ClientID key
    SignatureMethod RSA-SHA1
</AuthClientProvider>' "RSA-SHA1 but has no PrivateKeyFile" "rsa_without_key.conf:12"

expect plaintext_over_http '<AuthClientProvider tw>
    ClientID key
    ClientSecret secret
    RequestTokenURL http://127.0.0.1:4501/oauth/request_token
    AuthorizeURL http://127.0.0.1:4501/oauth/authorize
    AccessTokenURL http://127.0.0.1:4501/oauth/access_token
    UserInfoURL http://127.0.0.1:4501/1.1/account/verify_credentials.json
    SignatureMethod PLAINTEXT
</AuthClientProvider>' "PLAINTEXT, which needs https" "plaintext_over_http.conf:12"

expect missing_key_file '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    TokenEndpointAuthMethod private_key_jwt
    PrivateKeyFile /nonexistent/key.pem
</AuthClientProvider>' "PrivateKeyFile" "/nonexistent/key.pem" "missing_key_file.conf:12"

expect secret_file_missing '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret file:/nonexistent/secret
</AuthClientProvider>' "ClientSecret" "/nonexistent/secret" "secret_file_missing.conf:15"

expect unknown_preset '<AuthClientProvider x>
    Preset facebook
    ClientID id
    ClientSecret secret
</AuthClientProvider>' "Preset 'facebook' is unknown" "github" "unknown_preset.conf:12"

expect shared_cache_without_passphrase "LoadModule socache_memcache_module $mods/mod_socache_memcache.so
AuthClientCache memcache:127.0.0.1:11211
$(good_provider)" "needs AuthClientPassphrase" "shared_cache_without_passphrase.conf:13"

expect socache_module_missing "AuthClientCache redis:127.0.0.1:6379
AuthClientPassphrase 0123456789abcdef0123
$(good_provider)" "mod_socache_redis" "socache_module_missing.conf:12"

expect short_passphrase "AuthClientPassphrase short
$(good_provider)" "shorter than 16 characters" "line 12 of" "short_passphrase.conf"

expect cache_in_vhost "<VirtualHost 127.0.0.1:8999>
AuthClientCache shmcb
</VirtualHost>
$(good_provider)" "AuthClientCache cannot occur within <VirtualHost>" "line 13 of" "cache_in_vhost.conf"

expect login_cache_size_range "AuthClientLoginCacheSize 4096
$(good_provider)" "AuthClientLoginCacheSize must be a number of bytes from 524288" "line 12 of" "login_cache_size_range.conf"

expect local_cache_lifetime "AuthClientSessionLocalCache 1s
$(good_provider)" "AuthClientSessionLocalCache takes off or a lifetime in seconds from 1 to 60" "line 12 of" "local_cache_lifetime.conf"

expect local_cache_too_long "AuthClientSessionLocalCache 3600
$(good_provider)" "from 1 to 60" "line 12 of" "local_cache_too_long.conf"

expect local_cache_entries "AuthClientSessionLocalCache 2 0
$(good_provider)" "the number of sessions each process keeps must be from 1" "line 12 of" "local_cache_entries.conf"

expect local_cache_in_vhost "<VirtualHost 127.0.0.1:8999>
AuthClientSessionLocalCache 2
</VirtualHost>
$(good_provider)" "AuthClientSessionLocalCache cannot occur within <VirtualHost>" "line 13 of"

expect login_cache_size_shared "LoadModule socache_memcache_module $mods/mod_socache_memcache.so
AuthClientCache memcache:127.0.0.1:11211
AuthClientPassphrase 0123456789abcdef0123
AuthClientLoginCacheSize 1048576
$(good_provider)" "AuthClientLoginCacheSize" "login_cache_size_shared.conf:15" "embedded shmcb cache only"

expect shmcb_size_invalid "AuthClientCache shmcb:/tmp/x(32768)
$(good_provider)" "AuthClientCache" "size has to be >= 8192" "8 stripes" "shmcb_size_invalid.conf:12"

# reverse proxies: addresses, not names; an absolute redirect URI
expect trusted_proxy_name "AuthClientTrustedProxy proxy.example.org" \
    "line 12" AuthClientTrustedProxy '"proxy.example.org" is not an IP address' "not a host name"
expect trusted_proxy_bad_prefix "AuthClientTrustedProxy 10.0.0.0/33" \
    "line 12" AuthClientTrustedProxy "10.0.0.0/33" "address/prefix"
expect redirect_uri_relative "AuthClientRedirectURI /auth/callback" \
    "line 12" AuthClientRedirectURI "neither a local path nor an http(s) URL" "AuthClientCallbackPath"
expect redirect_uri_query "AuthClientRedirectURI https://app.example.org/auth/callback?x=1" \
    "line 12" AuthClientRedirectURI "query or fragment" "https://app.example.org/auth/callback"
expect redirect_uri_userinfo "AuthClientRedirectURI https://a@evil.example/auth/callback" \
    "line 12" AuthClientRedirectURI "user information"
expect bad_claim_regex "$(good_provider)
<Location /x>
    AuthType oauth
    Require claim email~^(unclosed
</Location>" "does not compile" "line 19 of" "bad_claim_regex.conf"

expect bad_claim_word "$(good_provider)
<Location /x>
    AuthType oauth
    Require claim justaname
</Location>" "neither name:value nor name~regex" "line 19 of" "bad_claim_word.conf"

expect bad_remote_user_regex '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret secret
    RemoteUserClaim email ^(unclosed $1
</AuthClientProvider>' "RemoteUserClaim regex" "does not compile" "bad_remote_user_regex.conf"

expect bad_timeout "AuthClientHTTPTimeout 0
$(good_provider)" "AuthClientHTTPTimeout must be a whole number from 1 to 300" "line 12 of" "bad_timeout.conf"

expect bad_callback_path "AuthClientCallbackPath auth/callback
$(good_provider)" "must be a local URL path" "line 12 of" "bad_callback_path.conf"

# ---- passphrases a guesser would try first ---------------------------------------

expect low_variety_passphrase "AuthClientPassphrase aaaaaaaabbbbbbbbcccccccc
$(good_provider)" "fewer than 8 different characters" "openssl rand -base64 32" "line 12 of" "low_variety_passphrase.conf"

expect repeated_passphrase "AuthClientPassphrase Passw0rd!Passw0rd!Passw0rd!
$(good_provider)" "one short piece repeated" "openssl rand -base64 32" "line 12 of" "repeated_passphrase.conf"

# ---- settings that could only fail at the first login ----------------------------

expect unknown_provider_name "$(good_provider)
<Location /x>
    AuthType oauth
    AuthClientProvider opp
</Location>" "AuthClientProvider opp (" "unknown_provider_name.conf:19" "the main server has no <AuthClientProvider opp> block" "Did you mean op?" "correct the name"

expect unknown_provider_in_vhost "<VirtualHost 127.0.0.1:8999>
$(good_provider)
<Location /x>
    AuthType oauth
    AuthClientProvider op other
</Location>
</VirtualHost>" "AuthClientProvider other" "unknown_provider_in_vhost.conf:20" "the <VirtualHost> at" "unknown_provider_in_vhost.conf:12"

expect cookie_path_misses_callback "AuthClientCookiePath /app
$(good_provider)" "AuthClientCookiePath /app (" "cookie_path_misses_callback.conf:12) does not cover AuthClientCallbackPath /auth/callback (the default)" "flow_cookie_missing" "/app/auth/callback"

expect cookie_path_misses_logout "AuthClientCookiePath /app/
AuthClientCallbackPath /app/callback
$(good_provider)" "does not cover AuthClientLogoutPath /auth/logout" "cookie_path_misses_logout.conf:12" "/app/auth/logout"

expect callback_is_logout "AuthClientCallbackPath /auth/endpoint
AuthClientLogoutPath /auth/endpoint
$(good_provider)" "are both /auth/endpoint" "callback_is_logout.conf:12" "callback_is_logout.conf:13" "different paths"

expect backchannel_is_logout "AuthClientBackchannelLogoutPath /auth/logout
$(good_provider)" "AuthClientLogoutPath (the default) and AuthClientBackchannelLogoutPath (" "backchannel_is_logout.conf:12) are both /auth/logout" "/auth/backchannel"

expect frontchannel_is_backchannel "AuthClientBackchannelLogoutPath /auth/slo
AuthClientFrontchannelLogoutPath /auth/slo
$(good_provider)" "frontchannel_is_backchannel.conf:12) and AuthClientFrontchannelLogoutPath (" "frontchannel_is_backchannel.conf:13) are both /auth/slo" "/auth/frontchannel"

expect cookie_path_misses_frontchannel "AuthClientCookiePath /app/
AuthClientCallbackPath /app/callback
AuthClientLogoutPath /app/logout
AuthClientFrontchannelLogoutPath /auth/frontchannel
$(good_provider)" "does not cover AuthClientFrontchannelLogoutPath /auth/frontchannel" "cookie_path_misses_frontchannel.conf:15" "/app/auth/frontchannel"

expect bad_backchannel_path "AuthClientBackchannelLogoutPath backchannel
$(good_provider)" "AuthClientBackchannelLogoutPath must be a local URL path" "line 12 of"

expect revocation_url_insecure '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret secret
    RevocationURL http://op.example/revoke
</AuthClientProvider>' "RevocationURL 'http://op.example/revoke' must be an https URL" "revocation_url_insecure.conf:16"

expect authorize_param_reserved '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret secret
    AuthorizeParams prompt=login state=fixed
</AuthClientProvider>' "AuthorizeParams must not set 'state'" "remove it" "authorize_param_reserved.conf:16"

expect authorize_param_scope '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret secret
    AuthorizeParams scope=email
</AuthClientProvider>' "must not set 'scope'" "use the Scope key" "authorize_param_scope.conf:16"

expect token_param_reserved '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID id
    ClientSecret secret
    AccessTokenParams grant_type=password
</AuthClientProvider>' "AccessTokenParams must not set 'grant_type'" "token_param_reserved.conf:16"

expect oauth1_param_reserved '<AuthClientProvider tw>
    Preset twitter
    ClientID key
    ClientSecret secret
    RequestTokenParams oauth_callback=https://elsewhere.example/
</AuthClientProvider>' "RequestTokenParams must not set 'oauth_callback'" "oauth1_param_reserved.conf:16"

expect metadata_url_not_well_known '<AuthClientProvider op>
    ServerMetadataURL https://op.example/realms/demo/
    ClientID id
    ClientSecret secret
</AuthClientProvider>' "without a /.well-known/ path" "https://op.example/realms/demo/.well-known/openid-configuration" "metadata_url_not_well_known.conf:12"

# ---- bearer tokens -------------------------------------------------------------------

expect bearer_without_audience "$(good_provider)
<Location /api>
    AuthType oauth
    AuthClientBearer only
</Location>" "AuthClientBearer (" "bearer_without_audience.conf:19" "needs AuthClientBearerAudience in the same section" "AuthClientBearerAudience https://api.example/"

expect bearer_two_providers "$(good_provider)
<AuthClientProvider other>
    ServerMetadataURL https://other.example/.well-known/openid-configuration
    ClientID          id
    ClientSecret      secret
</AuthClientProvider>
<Location /api>
    AuthType oauth
    AuthClientProvider op other
    AuthClientBearer on
    AuthClientBearerAudience https://api.example/
</Location>" "bearer_two_providers.conf:25" "several providers" "AuthClientBearerProvider"

expect bearer_unknown_provider "$(good_provider)
<Location /api>
    AuthType oauth
    AuthClientBearer only
    AuthClientBearerProvider opp
    AuthClientBearerAudience https://api.example/
</Location>" "bearer_unknown_provider.conf:19" "no <AuthClientProvider opp> block"

expect bearer_oauth1_provider "<AuthClientProvider tw>
    Preset twitter
    ClientID key
    ClientSecret secret
</AuthClientProvider>
<Location /api>
    AuthType oauth
    AuthClientBearer only
    AuthClientBearerAudience https://api.example/
</Location>" "bearer_oauth1_provider.conf:19" "OAuth 1.0a, which has no bearer tokens"

expect bearer_bad_mode "$(good_provider)
<Location /api>
    AuthClientBearer yes
</Location>" "AuthClientBearer must be off, on or only" "line 18 of"

expect bearer_bad_ttl "$(good_provider)
<Location /api>
    AuthClientIntrospectionTTL -1
</Location>" "AuthClientIntrospectionTTL takes seconds" "line 18 of"

expect bearer_bad_scope "$(good_provider)
<Location /api>
    AuthClientBearerScope 'a\"b'
</Location>" "AuthClientBearerScope: a scope is printable ASCII" "line 18 of"

expect_ok bearer_complete "$(good_provider)
<Location /api>
    AuthType oauth
    AuthClientBearer only
    AuthClientBearerAudience https://api.example/
    AuthClientBearerScope api:read
    Require oauth-claim client_id:app
</Location>" "Syntax OK"

# several problems are all reported in one run
expect two_problems "AuthClientCookiePath /app
$(good_provider)
<Location /x>
    AuthType oauth
    AuthClientProvider nosuch
</Location>" "AuthClientProvider nosuch" "does not cover AuthClientCallbackPath"

# a virtual host without providers (nor the main server's) serves nothing
# of the module's, so its paths are not checked
# per-location keywords: an unknown value names the directive and the value
expect bad_refresh_word '<Location /app>
    AuthClientRefresh sometimes
</Location>' "AuthClientRefresh" "unknown value 'sometimes'" "bad_refresh_word.conf:"
expect bad_refresh_failure_word '<Location /app>
    AuthClientRefreshFailure retry
</Location>' "AuthClientRefreshFailure" "unknown value 'retry'"
expect bad_unauth_word '<Location /app>
    AuthClientUnauthAction 403
</Location>' "AuthClientUnauthAction" "unknown value '403'" "auth, pass, 401 or 410" \
    "bad_unauth_word.conf:"
# "auto", auth's first name, stays valid
expect_ok unauth_auto_alias "$(good_provider)
<Location /app>
    AuthType oauth
    AuthClientUnauthAction auto
    Require all granted
</Location>" "Syntax OK"
expect bad_cors_preflight_flag '<Location /api>
    AuthClientPassCORSPreflight yes
</Location>' "AuthClientPassCORSPreflight must be On or Off" "bad_cors_preflight_flag.conf:"
expect bad_session_info_flag '<Location /app/session>
    AuthClientSessionInfo json
</Location>' "AuthClientSessionInfo must be On or Off" "bad_session_info_flag.conf:"
# the claims are an allow-list: a pattern would let everything through
expect session_info_claims_pattern '<Location /app/session>
    AuthClientSessionInfo On
    AuthClientSessionInfoClaims email *
</Location>' "AuthClientSessionInfoClaims" "'*' is not a claim name" \
    "session_info_claims_pattern.conf:"

expect_ok vhost_without_providers "Listen 127.0.0.1:8997
<VirtualHost 127.0.0.1:8999>
$(good_provider)
</VirtualHost>
<VirtualHost 127.0.0.1:8997>
    AuthClientCookiePath /elsewhere
</VirtualHost>" "Syntax OK"

# ---- the API relay: credentials only toward the API base URL ----------------------------
# Every ProxyPass next to an AuthClientAPIRelay must lead under the
# provider's APIBaseURL (in the virtual host where it is), or the relay
# would hand the user's tokens to another server or to the provider's
# own token endpoints.
proxy_mods="LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so"
tw_provider() {
    cat <<CONF
<AuthClientProvider tw>
    ClientID        key
    ClientSecret    secret
    RequestTokenURL https://api.example/oauth/request_token
    AuthorizeURL    https://api.example/oauth/authorize
    AccessTokenURL  https://api.example/oauth/access_token
    APIBaseURL      ${1:-https://api.example/1.1/}
    UserInfoURL     account/verify_credentials.json
</AuthClientProvider>
CONF
}
# relay_case NAME TARGET WORD... : <Location /api/tw/> relays tw toward TARGET
relay_case() {
    name=$1 target=$2
    shift 2
    expect "$name" "$proxy_mods
$(tw_provider)
<Location /api/tw/>
    AuthType           oauth
    AuthClientAPIRelay tw
    ProxyPass          $target
</Location>" "$@"
}
relay_case relay_outside_path https://api.example/oauth/ \
    "ProxyPass https://api.example/oauth/ (" "relay_outside_path.conf:26)" \
    "has a path outside the base URL's path" "AuthClientAPIRelay tw (" "relay_outside_path.conf:25)" \
    "outside the APIBaseURL https://api.example/1.1/" "relay_outside_path.conf:14" \
    "Point ProxyPass at https://api.example/1.1/"
relay_case relay_other_host https://evil.example/1.1/ "ProxyPass https://evil.example/1.1/" \
    "has another scheme, host or port" "relay_other_host.conf:26"
relay_case relay_plain_http http://api.example/1.1/ "has another scheme, host or port"
relay_case relay_dot_dot https://api.example/1.1/../oauth/ "segment in its path" \
    "relay_dot_dot.conf:26"
relay_case relay_encoded_dot https://api.example/1.1/%2e%2e/oauth/ "segment in its path"
relay_case relay_no_slash https://api.example/1.1 "has a path outside the base URL's path"
relay_case relay_userinfo https://api.example@evil.example/1.1/ "ProxyPass https://api.example@evil.example/1.1/"
relay_case relay_unix_socket "unix:/run/api.sock|https://api.example/1.1/" "is not an http(s) URL"
relay_case relay_balancer balancer://api/ "is not an http(s) URL"
expect relay_match_outside "$proxy_mods
$(tw_provider)
<LocationMatch \"^/api/tw/(.*)$\">
    AuthType           oauth
    AuthClientAPIRelay tw
    ProxyPassMatch     https://api.example/\$1
</LocationMatch>" "ProxyPassMatch https://api.example/\$1 (" "relay_match_outside.conf:26)" \
    "has a path outside the base URL's path"
expect relay_unknown_provider "$proxy_mods
$(tw_provider)
<Location /api/tw/>
    AuthClientAPIRelay twx
    ProxyPass          https://api.example/1.1/
</Location>" "AuthClientAPIRelay twx (" "relay_unknown_provider.conf:24)" \
    "no <AuthClientProvider twx> block" "Did you mean tw?"
expect relay_no_base "$proxy_mods
$(good_provider)
<Location /api/op/>
    AuthClientAPIRelay op
    ProxyPass          https://op.example/
</Location>" "AuthClientAPIRelay op (" "relay_no_base.conf:20)" "has no APIBaseURL" \
    "relay_no_base.conf:14"
expect relay_not_in_location "$proxy_mods
$(tw_provider)
<Directory /var/www>
    AuthClientAPIRelay tw
</Directory>" "AuthClientAPIRelay belongs in the <Location>" "relay_not_in_location.conf"
expect relay_without_proxy "$(tw_provider)
<Location /api/tw/>
    AuthClientAPIRelay tw
</Location>" "AuthClientAPIRelay needs mod_proxy and mod_proxy_http" "relay_without_proxy.conf"
# a virtual host's own provider of the name decides where its tokens go
expect relay_vhost_base "$proxy_mods
$(tw_provider)
<VirtualHost 127.0.0.1:8999>
$(tw_provider https://api.example/2/)
    <Location /api/tw/>
        AuthClientAPIRelay tw
        ProxyPass          https://api.example/1.1/
    </Location>
</VirtualHost>" "ProxyPass https://api.example/1.1/ (" "relay_vhost_base.conf:35)" \
    "outside the APIBaseURL https://api.example/2/"
# what the relay's own <Location> does not hold: a ProxyPass below it, at
# server level, or above a relay <Location> deeper down
expect relay_nested_outside "$proxy_mods
$(tw_provider)
<Location /api/tw/>
    AuthClientAPIRelay tw
</Location>
<Location /api/tw/oauth/>
    ProxyPass https://api.example/oauth/
</Location>" "ProxyPass https://api.example/oauth/ (" "relay_nested_outside.conf:27)" \
    "AuthClientAPIRelay tw (" "relay_nested_outside.conf:24)"
expect relay_nested_socket "$proxy_mods
$(tw_provider)
<Location /api/tw/>
    AuthClientAPIRelay tw
</Location>
<Location /api/tw/local/>
    ProxyPass \"unix:/run/api.sock|https://api.example/1.1/\"
</Location>" "ProxyPass unix:/run/api.sock|https://api.example/1.1/ (" "is not an http(s) URL"
expect relay_server_pass "$proxy_mods
$(tw_provider)
ProxyPass /api/tw/ https://evil.example/1.1/
<Location /api/tw/>
    AuthClientAPIRelay tw
</Location>" "ProxyPass https://evil.example/1.1/ (" "relay_server_pass.conf:23)" \
    "has another scheme, host or port"
expect relay_below_pass "$proxy_mods
$(tw_provider)
<Location /api/>
    ProxyPass https://api.example/
</Location>
<Location /api/tw/>
    AuthClientAPIRelay tw
</Location>" "ProxyPass https://api.example/ (" "relay_below_pass.conf:24)" \
    "under /api/tw/ it makes https://api.example/tw/, which has a path outside"
expect relay_vhost_nested "$proxy_mods
$(tw_provider)
<Location /api/tw/>
    AuthClientAPIRelay tw
</Location>
<VirtualHost 127.0.0.1:8999>
    <Location /api/tw/v2/>
        ProxyPass https://api.example/2/
    </Location>
</VirtualHost>" "ProxyPass https://api.example/2/ (" "relay_vhost_nested.conf:28)"
expect_ok relay_good "$proxy_mods
$(tw_provider)
<Location /api/tw/>
    AuthType           oauth
    AuthClientAPIRelay tw
    ProxyPass          https://api.example/1.1/ timeout=10
</Location>
<LocationMatch \"^/api/tw2/(.*)$\">
    AuthType           oauth
    AuthClientAPIRelay tw
    ProxyPassMatch     https://api.example/1.1/\$1
</LocationMatch>
<VirtualHost 127.0.0.1:8999>
    <Location /api/tw/>
        AuthClientAPIRelay tw
        ProxyPass          https://API.example:443/1.1/statuses/
    </Location>
    <Location /api/tw/local/>
        ProxyPass !
    </Location>
</VirtualHost>
# below a ProxyPass that stays under the API base URL
ProxyPass /api2/ https://api.example/1.1/
<Location /api2/tw/>
    AuthClientAPIRelay tw
</Location>
# beside the relays, a ProxyPass anywhere is none of their business
ProxyPass /other/ https://evil.example/
<Location /api/twx/>
    ProxyPass https://evil.example/
</Location>" "Syntax OK"

# ---- mod_auth_openidc side by side ---------------------------------------------------
# Both register "Require claim"; httpd keeps the last one.  With
# mod_auth_openidc loaded after this module, startup warns, and "Require
# oauth-claim" is still this module's (its parse error is ours).
openidc=$mods/mod_auth_openidc.so
if [ -f "$openidc" ]; then
    expect_ok openidc_after "LoadModule auth_openidc_module $openidc
$(good_provider)
<Location /x>
    AuthType oauth
    Require oauth-claim email:alice@example.org
</Location>" "[auth_client:warn]" "'Require claim' belongs to mod_auth_openidc" "Require oauth-claim" "Syntax OK"
    expect openidc_after_alias_is_ours "LoadModule auth_openidc_module $openidc
$(good_provider)
<Location /x>
    AuthType oauth
    Require oauth-claim email~^(unclosed
</Location>" "Require oauth-claim: regex '^(unclosed' does not compile" "line 20 of"
    # the other order: "claim" is ours, and mod_auth_openidc's locations
    # lose their claim checks - also worth a warning
    { base | grep -v auth_client_module
      echo "LoadModule auth_openidc_module $openidc"
      echo "LoadModule auth_client_module \"$top/.libs/mod_auth_client.so\""
      good_provider; } > "$work/openidc_before.conf"
    out=$(/usr/sbin/apache2 -t -f "$work/openidc_before.conf" 2>&1)
    case "$out" in
        *"mod_auth_openidc is loaded too"*"Syntax OK"*) passed=$((passed + 1)) ;;
        *) failed=$((failed + 1)); echo "FAIL openidc_before:"; echo "$out" | sed 's/^/    /' ;;
    esac
    # and no warning at all without mod_auth_openidc
    out=$(/usr/sbin/apache2 -t -f "$work/good.conf" 2>&1)
    case "$out" in
        *"Require claim"*) failed=$((failed + 1)); echo "FAIL good configuration warns:"; echo "$out" | sed 's/^/    /' ;;
        *) passed=$((passed + 1)) ;;
    esac
else
    echo "check_config_errors: $openidc missing (libapache2-mod-auth-openidc), coexistence cases skipped"
fi

# ---- pages: AuthClientTemplateDir, DisplayName, Icon ------------------------------
mkdir -p "$work/pages-empty" "$work/pages-typo" "$work/pages-good"
printf '<h1>{{heading}}</h1>\n<p>{{mesage}}</p>\n' > "$work/pages-typo/error.html"
printf '<ul>{{providers}}</ul>\n' > "$work/pages-good/chooser.html"
expect template_dir_missing "$(good_provider)
AuthClientTemplateDir $work/no-such-dir" \
    'AuthClientTemplateDir' 'not a directory' 'chooser.html'
expect template_dir_empty "$(good_provider)
AuthClientTemplateDir $work/pages-empty" \
    'has none of' 'error.html'
expect template_unknown_placeholder "$(good_provider)
AuthClientTemplateDir $work/pages-typo" \
    'error.html line 2' '{{mesage}}' 'is not a placeholder' '{{message}}'
expect_ok template_dir_good "$(good_provider)
AuthClientTemplateDir $work/pages-good" 'Syntax OK'
expect icon_not_https '<AuthClientProvider op>
    ServerMetadataURL https://op.example/.well-known/openid-configuration
    ClientID          id
    ClientSecret      secret
    Icon              javascript:alert(1)
</AuthClientProvider>' \
    'Icon' 'https://'

echo "check_config_errors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
