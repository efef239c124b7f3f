#!/usr/bin/python3
"""Checks a running github.py end to end, as an OAuth 2.0 client would.

Uses only urllib (not oauthlib, which the server is built on): authorize,
parse and submit the login form, exchange the code with each client's
authentication method, call /api/user and /api/user/emails, and walk the
error paths.  Prints one line per check and "N passed, M failed"; exits
non-zero on failure.

    OAUTH2_PORT=4502 /usr/bin/python3 selftest.py
"""

import base64
import json
import os
import secrets
import sys
from urllib.parse import parse_qsl, urlencode

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from fixture import (FORM_HEADERS, check_login_page, get_json, http, query_of,  # noqa: E402
                     run_checks, s256, submit_login)

PORT = os.environ.get("OAUTH2_PORT", "4502")
BASE = f"http://127.0.0.1:{PORT}"
REDIRECT_URI = "http://127.0.0.1:8529/auth/callback"
JSON = {"Accept": "application/json"}
SECRETS = {"gh-basic": "gh-basic-secret", "gh-post": "gh-post-secret",
           "gh-pkce": "gh-pkce-secret", "gh-error200": "gh-error200-secret",
           "gh-notype": "gh-notype-secret", "gh-expiring": "gh-expiring-secret"}
POST_CLIENTS = {"gh-post", "gh-pkce"}  # everyone else uses client_secret_basic


# --- plumbing -----------------------------------------------------------------

def stats():
    return get_json(f"{BASE}/stats")


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


# --- protocol steps -----------------------------------------------------------

def authorize_get(client_id, redirect_uri=REDIRECT_URI, **extra):
    params = {"client_id": client_id, "redirect_uri": redirect_uri,
              "scope": "read:user user:email", "state": "st-" + secrets.token_hex(4), **extra}
    return params["state"], http("GET", f"{BASE}/login/oauth/authorize?{urlencode(params)}")


def login_form(client_id, **extra):
    state, (status, _, page) = authorize_get(client_id, **extra)
    assert status == 200, (status, page)
    check_login_page(page, "/login/oauth/authorize")
    return state, page


def submit(page, user, password, action="allow"):
    return submit_login(f"{BASE}/login/oauth/authorize", page, user, password, action)


def get_code(client_id, user="alice", redirect_uri=REDIRECT_URI, **extra):
    state, page = login_form(client_id, redirect_uri=redirect_uri, **extra)
    status, headers, _ = submit(page, user, f"{user}-pw")
    assert status == 302, status
    location = headers["Location"]
    assert location.startswith(redirect_uri + "?"), location
    back = query_of(location)
    assert back["state"] == state and "code" in back, back
    return back["code"]


def token_request(client_id, code, accept_json=True, auth=None, secret=None, **extra):
    """auth: "basic" / "post" / None (the client's registered method)."""
    auth = auth or ("post" if client_id in POST_CLIENTS else "basic")
    secret = secret or SECRETS[client_id]
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": REDIRECT_URI, **extra}
    headers = dict(FORM_HEADERS, **(JSON if accept_json else {}))
    if auth == "basic":
        raw = f"{client_id}:{secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
    else:
        form.update(client_id=client_id, client_secret=secret)
    form = {k: v for k, v in form.items() if v is not None}
    status, headers, body = http("POST", f"{BASE}/login/oauth/access_token",
                                 urlencode(form), headers)
    assert status == 200, (status, body)  # GitHub style: errors too
    if accept_json:
        assert headers["Content-Type"].startswith("application/json"), headers["Content-Type"]
        return json.loads(body)
    assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    return dict(parse_qsl(body))


def api(path, token, scheme="Bearer"):
    status, headers, body = http("GET", f"{BASE}{path}",
                                 headers={"Authorization": f"{scheme} {token}",
                                          "User-Agent": "selftest", **JSON})
    return status, headers, body


def full_flow(client_id, user="alice", **token_extra):
    token = token_request(client_id, get_code(client_id, user), **token_extra)
    assert token["token_type"] == "bearer", token
    assert token["access_token"].startswith("gho_"), token
    return token


# --- checks -------------------------------------------------------------------

def check_basic_json():
    token = full_flow("gh-basic")
    assert set(token) == {"access_token", "scope", "token_type"}, token
    assert token["scope"] == "read:user,user:email", token
    status, headers, raw = api("/api/user", token["access_token"])
    assert status == 200, (status, raw)
    me = json.loads(raw)
    assert '"id": 583231' in raw and me["login"] == "alice-gh", me
    assert me["name"] == "Alice \u00dcmlaut" and me["email"] == "alice@example.org", me
    assert headers["X-OAuth-Scopes"] == "read:user, user:email", headers["X-OAuth-Scopes"]
    assert stats()["last_token_request"]["client_auth"] == "client_secret_basic"


def check_form_encoded_answer():
    token = full_flow("gh-basic", accept_json=False)
    assert list(token) == ["access_token", "scope", "token_type"], token


def check_post_client_and_token_scheme():
    token = full_flow("gh-post", user="bob")
    assert stats()["last_token_request"]["client_auth"] == "client_secret_post"
    status, _, raw = api("/api/user", token["access_token"], scheme="token")
    assert status == 200 and json.loads(raw)["login"] == "bob-gh", (status, raw)


def check_emails_private_user():
    token = full_flow("gh-basic", user="carol")
    status, _, raw = api("/api/user", token["access_token"])
    me = json.loads(raw)
    assert status == 200 and me["email"] is None, me
    assert '"id": 9007199254740993' in raw, raw  # exact, 2**53 + 1
    status, _, raw = api("/api/user/emails", token["access_token"])
    emails = json.loads(raw)
    assert status == 200 and len(emails) == 3, emails
    primary = [e for e in emails if e["primary"]]
    assert primary == [{"email": "carol@example.org", "primary": True, "verified": True,
                        "visibility": "private"}], emails
    assert not emails[0]["primary"], "primary must not be first, on purpose"


def check_emails_alice():
    token = full_flow("gh-basic")
    emails = json.loads(api("/api/user/emails", token["access_token"])[2])
    assert emails == [{"email": "alice@example.org", "primary": True, "verified": True,
                       "visibility": "public"}], emails


def check_pkce_client():
    verifier, challenge = pkce_pair()
    code = get_code("gh-pkce", code_challenge=challenge, code_challenge_method="S256")
    token = token_request("gh-pkce", code, code_verifier=verifier)
    assert token.get("token_type") == "bearer", token


def check_pkce_required():
    state, (status, headers, _) = authorize_get("gh-pkce")
    assert status == 302, status
    back = query_of(headers["Location"])
    assert back["error"] == "invalid_request" and back["state"] == state, back
    assert "challenge" in back["error_description"].lower(), back


def check_pkce_s256_only():
    verifier, _ = pkce_pair()
    for extra in ({"code_challenge": verifier, "code_challenge_method": "plain"},
                  {"code_challenge": verifier}):  # no method means plain
        _, (status, headers, _) = authorize_get("gh-pkce", **extra)
        assert status == 302, status
        assert query_of(headers["Location"])["error"] == "invalid_request", headers["Location"]


def check_pkce_wrong_or_missing_verifier():
    verifier, challenge = pkce_pair()
    code = get_code("gh-pkce", code_challenge=challenge, code_challenge_method="S256")
    answer = token_request("gh-pkce", code, code_verifier="x" * 43)
    assert answer["error"] == "invalid_grant", answer
    code = get_code("gh-pkce", code_challenge=challenge, code_challenge_method="S256")
    answer = token_request("gh-pkce", code)
    assert answer["error"] == "invalid_request", answer


def check_pkce_optional_for_others():
    verifier, challenge = pkce_pair()
    code = get_code("gh-basic", code_challenge=challenge, code_challenge_method="S256")
    assert token_request("gh-basic", code, code_verifier="y" * 43)["error"] == "invalid_grant"
    code = get_code("gh-basic", code_challenge=challenge, code_challenge_method="S256")
    assert token_request("gh-basic", code, code_verifier=verifier)["token_type"] == "bearer"


def check_reused_code():
    code = get_code("gh-basic")
    assert "access_token" in token_request("gh-basic", code)
    answer = token_request("gh-basic", code)
    assert answer["error"] == "bad_verification_code", answer
    assert answer["error_description"] == "The code passed is incorrect or expired.", answer
    answer = token_request("gh-basic", code, accept_json=False)
    assert answer["error"] == "bad_verification_code", answer


def check_code_bound_to_client():
    code = get_code("gh-basic")
    assert token_request("gh-post", code)["error"] == "bad_verification_code"


def check_client_auth_strict():
    code = get_code("gh-post")
    wrong_method = token_request("gh-post", code, auth="basic")
    assert wrong_method["error"] == "incorrect_client_credentials", wrong_method
    code = get_code("gh-basic")
    wrong_method = token_request("gh-basic", code, auth="post")
    assert wrong_method["error"] == "incorrect_client_credentials", wrong_method
    wrong_secret = token_request("gh-basic", code, secret="nope")
    assert wrong_secret["error"] == "incorrect_client_credentials", wrong_secret
    # The code survived the failed attempts.
    assert token_request("gh-basic", code)["token_type"] == "bearer"


def check_redirect_uri_at_token():
    code = get_code("gh-basic")
    answer = token_request("gh-basic", code, redirect_uri="http://127.0.0.1:9999/auth/callback")
    assert answer["error"] == "redirect_uri_mismatch", answer
    # GitHub style: grant_type and redirect_uri may be left out.
    answer = token_request("gh-basic", code, redirect_uri=None, grant_type=None)
    assert answer["token_type"] == "bearer", answer


def check_localhost_redirect():
    uri = "http://localhost:8080/auth/callback"
    code = get_code("gh-basic", redirect_uri=uri)
    assert token_request("gh-basic", code, redirect_uri=uri)["token_type"] == "bearer"


def check_bad_authorize_requests():
    for client_id, uri in (("gh-basic", "http://evil.example/auth/callback"),
                           ("no-such-client", REDIRECT_URI)):
        _, (status, _, page) = authorize_get(client_id, redirect_uri=uri)
        assert status == 400 and '<p class="error">' in page, (status, page)


def check_deny():
    state, page = login_form("gh-basic")
    status, headers, _ = submit(page, "", "", action="deny")
    assert status == 302, status
    back = query_of(headers["Location"])
    assert headers["Location"].startswith(REDIRECT_URI + "?"), headers["Location"]
    assert back["error"] == "access_denied" and back["state"] == state, back
    assert "code" not in back, back


def check_wrong_password():
    _, page = login_form("gh-basic")
    status, _, again = submit(page, "alice", "wrong")
    assert status == 200 and '<p class="error">' in again, (status, again)
    status, headers, _ = submit(again, "alice", "alice-pw")
    assert status == 302 and "code" in query_of(headers["Location"]), status


def check_error200_client():
    code = get_code("gh-error200")
    answer = token_request("gh-error200", code)
    assert answer["error"] == "bad_verification_code", answer
    assert answer["error_description"] == "The code passed is incorrect or expired.", answer
    assert "access_token" not in answer, answer
    assert token_request("gh-error200", code, accept_json=False)["error"] == "bad_verification_code"


def check_notype_client():
    token = token_request("gh-notype", get_code("gh-notype"))
    assert "token_type" not in token and "access_token" in token, token
    assert api("/api/user", token["access_token"])[0] == 200
    token = token_request("gh-notype", get_code("gh-notype"), accept_json=False)
    assert "token_type" not in token and "access_token" in token, token


def check_api_rejects():
    status, _, body = http("GET", f"{BASE}/api/user")
    assert status == 401 and json.loads(body)["message"] == "Requires authentication", body
    status, _, body = api("/api/user/emails", "gho_" + "x" * 36)
    assert status == 401 and json.loads(body)["message"] == "Bad credentials", body


def check_expiring_refresh():
    first = token_request("gh-expiring", get_code("gh-expiring"))
    assert first["expires_in"] == 28800 and first["refresh_token"].startswith("ghr_"), first
    raw = base64.b64encode(b"gh-expiring:gh-expiring-secret").decode()
    headers = dict(FORM_HEADERS, Authorization="Basic " + raw, **JSON)
    form = urlencode({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    status, _, body = http("POST", f"{BASE}/login/oauth/access_token", form, headers)
    second = json.loads(body)
    assert status == 200 and second["access_token"] != first["access_token"], body
    assert second["refresh_token"] != first["refresh_token"], second
    assert api("/api/user", second["access_token"])[0] == 200
    # the old refresh token is spent; other clients have no refresh grant
    status, _, body = http("POST", f"{BASE}/login/oauth/access_token", form, headers)
    assert json.loads(body)["error"] == "bad_refresh_token", body
    basic = token_request("gh-basic", get_code("gh-basic"))
    assert "refresh_token" not in basic and "expires_in" not in basic, basic


def check_relay_endpoints():
    token = full_flow("gh-basic")["access_token"]
    bearer = {"Authorization": "Bearer " + token, "User-Agent": "selftest"}
    status, headers, body = http("POST", f"{BASE}/api/relay/echo?a=1&b=caf%C3%A9", "x=1&y=2",
                                 dict(FORM_HEADERS, Cookie="c=1", **bearer))
    echo = json.loads(body)
    assert status == 200 and echo["user"] == "alice-gh" and echo["method"] == "POST", body
    assert echo["query"] == [["a", "1"], ["b", "caf\u00e9"]] and echo["body"] == "x=1&y=2", echo
    assert echo["cookie"] == "c=1" and echo["authorization_scheme"] == "Bearer", echo
    assert token not in body and "gh_guest=" in headers["Set-Cookie"], (body, headers)
    status, _, _ = http("DELETE", f"{BASE}/api/relay/echo", headers=bearer)
    assert status == 200, status
    assert http("GET", f"{BASE}/api/relay/echo", headers={"User-Agent": "selftest"})[0] == 401
    status, headers, _ = http("GET", f"{BASE}/api/relay/unauthorized", headers=bearer)
    assert status == 401 and "invalid_token" in headers["WWW-Authenticate"], status
    assert stats()["last_relay_unauthorized"] == {"token_valid": True,
                                                  "token_refreshed": False}


def check_stats():
    seen = stats()
    for name in ("authorize_form", "authorize_allow", "authorize_deny", "login_failed",
                 "authorize_errors", "token_issued", "token_errors", "api_user",
                 "api_emails", "api_rejected"):
        assert seen[name] > 0, (name, seen)
    assert seen["last_api_request"]["user_agent"] == "selftest", seen["last_api_request"]


CHECKS = [
    ("gh-basic, client_secret_basic, JSON answer, /api/user", check_basic_json),
    ("form-encoded answer without Accept", check_form_encoded_answer),
    ("gh-post, client_secret_post, 'token' API scheme", check_post_client_and_token_scheme),
    ("carol: email null, big id, primary email last", check_emails_private_user),
    ("alice: /api/user/emails", check_emails_alice),
    ("gh-pkce with S256", check_pkce_client),
    ("gh-pkce without code_challenge", check_pkce_required),
    ("PKCE: S256 only", check_pkce_s256_only),
    ("PKCE: wrong or missing verifier", check_pkce_wrong_or_missing_verifier),
    ("PKCE optional for other clients, checked when used", check_pkce_optional_for_others),
    ("reused code: bad_verification_code in 200", check_reused_code),
    ("code bound to its client", check_code_bound_to_client),
    ("client authentication method enforced", check_client_auth_strict),
    ("redirect_uri at the token endpoint", check_redirect_uri_at_token),
    ("localhost redirect_uri", check_localhost_redirect),
    ("bad client or redirect_uri: error page", check_bad_authorize_requests),
    ("deny", check_deny),
    ("wrong password", check_wrong_password),
    ("gh-error200", check_error200_client),
    ("gh-notype", check_notype_client),
    ("API without or with a bad token", check_api_rejects),
    ("gh-expiring: expiring tokens, rotated refresh tokens", check_expiring_refresh),
    ("relay endpoints: echo, any method, 401", check_relay_endpoints),
    ("stats counters", check_stats),
]


if __name__ == "__main__":
    sys.exit(run_checks(CHECKS))
