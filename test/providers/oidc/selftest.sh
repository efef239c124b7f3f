#!/bin/bash
# Checks a running test OP end to end with curl, the same steps as in
# ../README: discovery, login form, code + state + iss, token exchange for
# each client, userinfo, logout.  Prints "N passed, N failed".
#
#   OIDC_URL  issuer (default https://127.0.0.1:3443)
#   OIDC_CA   CA file for https (e.g. the ca.pem from gen-certs.sh)
set -u

OP=${OIDC_URL:-https://127.0.0.1:3443}
RP=http://127.0.0.1:8529/auth/callback
PY=/usr/bin/python3
CURL=(curl -sS --max-time 10)
[ -n "${OIDC_CA:-}" ] && CURL+=(--cacert "$OIDC_CA")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

check() { # check NAME COMMAND...: runs COMMAND, counts and reports it
    local name=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok - $name"
    else failed=$((failed + 1)); echo "not ok - $name"; fi
}

json() { # json FILE EXPR: prints a field of a JSON file, e.g. json f '["iss"]'
    $PY -c "import json,sys; v=json.load(open(sys.argv[1]))$2; print(json.dumps(v) if not isinstance(v, str) else v)" "$1"
}

jwt_claims() { # jwt_claims JWT: prints the decoded payload
    $PY -c 'import base64,sys; p=sys.argv[1].split(".")[1]; print(base64.urlsafe_b64decode(p+"="*(-len(p)%4)).decode())' "$1"
}

query_param() { # query_param URL NAME
    $PY -c 'import sys,urllib.parse as u; q=u.parse_qs(u.urlsplit(sys.argv[1]).query); print(q.get(sys.argv[2],[""])[0])' "$1" "$2"
}

form_action() { sed -n 's/.*<form method="post" action="\([^"]*\)".*/\1/p' "$1"; }

# Follows redirects one by one, at most 10, until the next hop would leave
# the OP for the RP (which need not be running); prints that Location.
follow_to_rp() { # follow_to_rp JAR URL [curl args for the first request]
    local jar=$1 url=$2; shift 2
    local loc hops=0
    loc=$("${CURL[@]}" -c "$jar" -b "$jar" -o "$work/last.html" -w '%{redirect_url}' "$@" "$url")
    while [ -n "$loc" ] && [ "${loc#"$RP"}" = "$loc" ] && [ $hops -lt 10 ]; do
        loc=$("${CURL[@]}" -c "$jar" -b "$jar" -o "$work/last.html" -w '%{redirect_url}' "$loc")
        hops=$((hops + 1))
    done
    echo "$loc"
}

# authorize JAR CLIENT [extra params...]: starts a login, leaves the page
# the OP ends on in $work/last.html and prints the redirect to the RP, if
# it got that far (an error, or an existing session).
authorize() {
    local jar=$1 client=$2; shift 2
    follow_to_rp "$jar" "$OP/auth" -G \
        --data-urlencode "client_id=$client" --data-urlencode response_type=code \
        --data-urlencode "scope=openid email profile groups address" \
        --data-urlencode "redirect_uri=$RP" --data-urlencode state=st-1 \
        --data-urlencode nonce=no-1 "$@"
}

login() { # login JAR CLIENT USER PASSWORD [extra authorize params]: prints the RP redirect
    local jar=$1 client=$2 user=$3 pw=$4; shift 4
    authorize "$jar" "$client" "$@" >/dev/null
    follow_to_rp "$jar" "$OP$(form_action "$work/last.html")" \
        --data-urlencode "login=$user" --data-urlencode "password=$pw"
}

# --- discovery
"${CURL[@]}" -o "$work/disc.json" "$OP/.well-known/openid-configuration"
check "discovery issuer" [ "$(json "$work/disc.json" '["issuer"]')" = "$OP" ]
check "discovery advertises iss parameter" \
    [ "$(json "$work/disc.json" '["authorization_response_iss_parameter_supported"]')" = true ]
check "discovery has end_session_endpoint" \
    [ "$(json "$work/disc.json" '["end_session_endpoint"]')" = "$OP/session/end" ]

# --- login form, wrong then right password
jar=$work/alice.jar
authorize "$jar" ac-test >/dev/null
action=$(form_action "$work/last.html")
check "login form action" [ -n "$action" ]
check "login form inputs" grep -q 'name="login".*' "$work/last.html"
check "login form password input" grep -q 'name="password"' "$work/last.html"
"${CURL[@]}" -c "$jar" -b "$jar" -o "$work/wrong.html" --data-urlencode login=alice \
    --data-urlencode password=nope "$OP$action"
check "wrong password re-renders form with error" \
    grep -q 'class="error"' "$work/wrong.html"
loc=$(follow_to_rp "$jar" "$OP$action" --data-urlencode login=alice --data-urlencode password=alice-pw)
code=$(query_param "$loc" code)
check "redirect has code" [ -n "$code" ]
check "redirect has state" [ "$(query_param "$loc" state)" = st-1 ]
check "redirect has iss" [ "$(query_param "$loc" iss)" = "$OP" ]

# --- token exchange, client_secret_basic
"${CURL[@]}" -o "$work/tok.json" -u ac-test:ac-test-secret -d grant_type=authorization_code \
    --data-urlencode "code=$code" --data-urlencode "redirect_uri=$RP" "$OP/token"
jwt_claims "$(json "$work/tok.json" '["id_token"]')" > "$work/idt.json"
check "id_token sub" [ "$(json "$work/idt.json" '["sub"]')" = alice ]
check "id_token nonce" [ "$(json "$work/idt.json" '["nonce"]')" = no-1 ]
check "id_token aud" [ "$(json "$work/idt.json" '["aud"]')" = ac-test ]
"${CURL[@]}" -o "$work/ui.json" -H "Authorization: Bearer $(json "$work/tok.json" '["access_token"]')" "$OP/me"
check "userinfo name (UTF-8)" [ "$(json "$work/ui.json" '["name"]')" = "Alice Ümlaut" ]
check "userinfo groups" [ "$(json "$work/ui.json" '["groups"]')" = '["staff", "admins"]' ]
check "userinfo address" [ "$(json "$work/ui.json" '["address"]["locality"]')" = Berlin ]

# --- ac-post: client_secret_post only
loc=$(login "$work/bob.jar" ac-post bob bob-pw)
code=$(query_param "$loc" code)
status=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -u ac-post:ac-post-secret \
    -d grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "redirect_uri=$RP" "$OP/token")
check "ac-post rejects client_secret_basic" [ "$status" = 401 ]
"${CURL[@]}" -o "$work/tok2.json" -d client_id=ac-post -d client_secret=ac-post-secret \
    -d grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "redirect_uri=$RP" "$OP/token"
check "ac-post token with client_secret_post" \
    [ "$(jwt_claims "$(json "$work/tok2.json" '["id_token"]')" | $PY -c 'import json,sys; print(json.load(sys.stdin)["sub"])')" = bob ]

# --- ac-public: PKCE required
loc=$(authorize "$work/pub.jar" ac-public)
check "ac-public without PKCE is refused" [ "$(query_param "$loc" error)" = invalid_request ]
verifier=selftest-verifier-0123456789-0123456789-0123456789
challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | basenc --base64url | tr -d =)
loc=$(login "$work/pub.jar" ac-public alice alice-pw \
    --data-urlencode "code_challenge=$challenge" --data-urlencode code_challenge_method=S256)
code=$(query_param "$loc" code)
"${CURL[@]}" -o "$work/tok3.json" -d client_id=ac-public -d grant_type=authorization_code \
    --data-urlencode "code=$code" --data-urlencode "redirect_uri=$RP" \
    --data-urlencode "code_verifier=$verifier" "$OP/token"
check "ac-public token with PKCE" grep -q '"id_token"' "$work/tok3.json"

# --- logout: GET end_session, POST the form back, land on post_logout_redirect_uri
"${CURL[@]}" -c "$jar" -b "$jar" -o "$work/logout.html" -G "$OP/session/end" \
    --data-urlencode "id_token_hint=$(json "$work/tok.json" '["id_token"]')" \
    --data-urlencode post_logout_redirect_uri=http://127.0.0.1:8529/loggedout.html \
    --data-urlencode state=lo-1
inputs=()
while read -r pair; do inputs+=(--data-urlencode "$pair"); done < <(
    sed -n 's/.*<input type="hidden" name="\([^"]*\)" value="\([^"]*\)".*/\1=\2/p' "$work/logout.html")
loc=$("${CURL[@]}" -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "${inputs[@]}" \
    "$(form_action "$work/logout.html")")
check "logout lands on post_logout_redirect_uri" \
    [ "$loc" = "http://127.0.0.1:8529/loggedout.html?state=lo-1" ]
authorize "$jar" ac-test >/dev/null
check "after logout the login form is shown again" [ -n "$(form_action "$work/last.html")" ]

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
