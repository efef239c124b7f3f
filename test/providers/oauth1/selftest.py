#!/usr/bin/python3
"""Checks a running twitter.py end to end, as an OAuth 1.0a consumer would.

Requests are signed by oauthlib's client (HMAC-SHA1, HMAC-SHA256, RSA-SHA1;
signature in the Authorization header, the query or the form body), the
login form is parsed and submitted like a browser would.  Prints one line
per check and "N passed, M failed"; exits non-zero on failure.

    OAUTH1_PORT=4501 /usr/bin/python3 selftest.py
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from urllib.parse import parse_qsl, quote, urlencode

from oauthlib.oauth1 import (SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_RSA_SHA1,
                             SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_BODY,
                             SIGNATURE_TYPE_QUERY, Client)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from fixture import (FORM_HEADERS, check_login_page, get_json, hidden_inputs,  # noqa: E402
                     http, query_of, run_checks, submit_login)

PORT = os.environ.get("OAUTH1_PORT", "4501")
BASE = f"http://127.0.0.1:{PORT}"
CALLBACK = "http://127.0.0.1:8529/auth/callback"

with open(os.path.join(HERE, "keys", "tw-rsa-private.pem"), encoding="ascii") as _f:
    RSA_PRIVATE = _f.read()

CONSUMERS = {
    "tw-hmac": {"client_secret": "tw-hmac-secret", "signature_method": SIGNATURE_HMAC_SHA1},
    "tw-sha256": {"client_secret": "tw-sha256-secret",
                  "signature_method": SIGNATURE_HMAC_SHA256},
    "tw-rsa": {"rsa_key": RSA_PRIVATE, "signature_method": SIGNATURE_RSA_SHA1},
}
LOCATIONS = {"header": SIGNATURE_TYPE_AUTH_HEADER, "query": SIGNATURE_TYPE_QUERY,
             "body": SIGNATURE_TYPE_BODY}


# --- plumbing -----------------------------------------------------------------

def client(consumer, location="header", **kwargs):
    return Client(consumer, signature_type=LOCATIONS[location],
                  **CONSUMERS[consumer], **kwargs)


def signed(oauth_client, method, url, params=None):
    """Sign and send; params go into the form body for POST, the query for GET."""
    body, headers = None, {}
    if method == "POST":
        body, headers = urlencode(params or {}), dict(FORM_HEADERS)
    elif params:
        url = f"{url}?{urlencode(params)}"
    uri, headers, body = oauth_client.sign(url, method, body, headers)
    return http(method, uri, body, headers)


def stats():
    return get_json(f"{BASE}/stats")


# --- protocol steps -----------------------------------------------------------

def request_token(consumer, location="header", callback=CALLBACK, params=None, **kwargs):
    status, _, body = signed(client(consumer, location, callback_uri=callback, **kwargs),
                             "POST", f"{BASE}/oauth/request_token", params)
    return status, dict(parse_qsl(body))


def new_request_token(consumer, location="header", params=None):
    status, token = request_token(consumer, location, params=params)
    assert status == 200, (status, token)
    assert token.get("oauth_callback_confirmed") == "true", token
    return token


def login_form(token, extra=None):
    query = urlencode({"oauth_token": token["oauth_token"], **(extra or {})})
    status, _, page = http("GET", f"{BASE}/oauth/authorize?{query}")
    assert status == 200, (status, page)
    check_login_page(page, "/oauth/authorize")
    return page


def submit(page, user, password, action="allow"):
    return submit_login(f"{BASE}/oauth/authorize", page, user, password, action)


def authorize(token, user="alice", password=None):
    status, headers, _ = submit(login_form(token), user, password or f"{user}-pw")
    assert status == 302, status
    back = query_of(headers["Location"])
    assert headers["Location"].startswith(CALLBACK + "?"), headers["Location"]
    assert back["oauth_token"] == token["oauth_token"], back
    return back["oauth_verifier"]


def access_token(consumer, token, verifier, location="header"):
    oauth_client = client(consumer, location, resource_owner_key=token["oauth_token"],
                          resource_owner_secret=token["oauth_token_secret"],
                          verifier=verifier)
    status, _, body = signed(oauth_client, "POST", f"{BASE}/oauth/access_token")
    return status, dict(parse_qsl(body))


def verify_credentials(consumer, access, location="header"):
    oauth_client = client(consumer, location, resource_owner_key=access["oauth_token"],
                          resource_owner_secret=access["oauth_token_secret"])
    status, _, body = signed(oauth_client, "GET",
                             f"{BASE}/1.1/account/verify_credentials.json",
                             {"include_email": "true", "skip_status": "true"})
    return status, body


def full_flow(consumer, location, user="alice"):
    token = new_request_token(consumer, location, {"x_auth_access_type": "read"})
    verifier = authorize(token, user)
    status, access = access_token(consumer, token, verifier, location)
    assert status == 200, (status, access)
    assert set(access) == {"oauth_token", "oauth_token_secret", "user_id", "screen_name"}, access
    # A GET has no body to carry the signature: fall back to the query.
    api_location = "query" if location == "body" else location
    status, body = verify_credentials(consumer, access, api_location)
    assert status == 200, (status, body)
    return access, json.loads(body), body


# --- checks -------------------------------------------------------------------

def check_hmac_sha1_header():
    access, me, raw = full_flow("tw-hmac", "header")
    assert access["user_id"] == "1234567890123456789", access
    assert access["screen_name"] == "alice_tw", access
    # The id must be the exact integer in the JSON text, not a rounded double.
    assert '"id": 1234567890123456789' in raw, raw
    assert me["id"] == 1234567890123456789 and me["id_str"] == "1234567890123456789", me
    assert me["name"] == "Alice \u00dcmlaut" and me["email"] == "alice@example.org", me
    last = stats()["last_signature"]
    assert last["api"] == {"location": "header", "method": "HMAC-SHA1",
                           "consumer": "tw-hmac"}, last


def check_hmac_sha256_query():
    _, me, _ = full_flow("tw-sha256", "query")
    assert me["screen_name"] == "alice_tw", me
    assert stats()["last_signature"]["access_token"]["location"] == "query"


def check_rsa_sha1_body():
    access, me, _ = full_flow("tw-rsa", "body", user="bob")
    assert access["screen_name"] == "bob_tw" and me["id_str"] == "2244994945", (access, me)
    assert stats()["last_signature"]["request_token"] == {
        "location": "body", "method": "RSA-SHA1", "consumer": "tw-rsa"}


def check_extra_params_recorded():
    token = new_request_token("tw-hmac", params={"x_auth_access_type": "write"})
    login_form(token, {"force_login": "true", "screen_name": "alice_tw"})
    seen = stats()
    assert seen["last_request_token_params"] == {"x_auth_access_type": "write"}, seen
    assert seen["last_authorize_params"] == {"force_login": "true",
                                             "screen_name": "alice_tw"}, seen
    assert seen["last_callback"] == CALLBACK, seen


def check_module_style_nonces():
    # 32 hex and 43 base64url characters, as the module may generate.
    for nonce in (secrets.token_hex(16), secrets.token_urlsafe(32)):
        status, token = request_token("tw-hmac", nonce=nonce)
        assert status == 200, (nonce, status, token)


def rfc5849_encode(text):
    return quote(text, safe="-._~")


def hand_signed_header(method, url, consumer, secret, oauth, body_params):
    """HMAC-SHA1 by the book (RFC 5849 3.4), without oauthlib, so the server
    is not only checked against the library it is built on."""
    oauth = dict(oauth, oauth_consumer_key=consumer, oauth_signature_method="HMAC-SHA1",
                 oauth_timestamp=str(int(time.time())), oauth_version="1.0")
    pairs = sorted((rfc5849_encode(k), rfc5849_encode(v))
                   for k, v in list(oauth.items()) + list(body_params.items()))
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join([method, rfc5849_encode(url), rfc5849_encode(normalized)])
    key = rfc5849_encode(secret) + "&"
    oauth["oauth_signature"] = base64.b64encode(
        hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
    fields = ", ".join(f'{k}="{rfc5849_encode(v)}"' for k, v in oauth.items())
    return f'OAuth realm="{url}", {fields}'


def check_independent_signer():
    # Host "localhost", a realm, a 32-hex nonce and a form parameter that
    # needs percent-encoding: the things a C implementation gets wrong.
    url = f"http://localhost:{PORT}/oauth/request_token"
    params = {"x_auth_access_type": "read write"}
    auth = hand_signed_header("POST", url, "tw-hmac", "tw-hmac-secret",
                              {"oauth_callback": "http://localhost:8529/auth/callback",
                               "oauth_nonce": secrets.token_hex(16)}, params)
    status, _, body = http("POST", url, urlencode(params), dict(FORM_HEADERS, Authorization=auth))
    assert status == 200, (status, body)
    assert dict(parse_qsl(body))["oauth_callback_confirmed"] == "true", body
    assert stats()["last_request_token_params"] == params


def check_localhost_callback():
    status, _ = request_token("tw-hmac", callback="http://localhost:8080/auth/callback")
    assert status == 200, status


def check_wrong_password():
    token = new_request_token("tw-hmac")
    status, _, page = submit(login_form(token), "alice", "wrong")
    assert status == 200 and '<p class="error">' in page, (status, page)
    assert hidden_inputs(page)["oauth_token"] == token["oauth_token"], page
    verifier = authorize(token)  # the same token still works afterwards
    assert access_token("tw-hmac", token, verifier)[0] == 200


def check_deny():
    token = new_request_token("tw-hmac")
    status, headers, _ = submit(login_form(token), "", "", action="deny")
    assert status == 302, status
    assert headers["Location"] == f"{CALLBACK}?denied={token['oauth_token']}", headers["Location"]
    status, _ = access_token("tw-hmac", token, "x" * 30)
    assert status == 401, status


def check_request_token_reuse():
    token = new_request_token("tw-hmac")
    verifier = authorize(token)
    assert access_token("tw-hmac", token, verifier)[0] == 200
    before = stats()["rejected"]["access_token"]
    status, _ = access_token("tw-hmac", token, verifier)
    assert status == 401, status
    assert stats()["rejected"]["access_token"] == before + 1


def check_wrong_verifier():
    token = new_request_token("tw-hmac")
    authorize(token)
    status, _ = access_token("tw-hmac", token, "wrongverifier" * 3)
    assert status == 401, status


def check_unauthorized_request_token():
    token = new_request_token("tw-hmac")
    status, _ = access_token("tw-hmac", token, "neverauthorized" * 2)
    assert status == 401, status


def check_nonce_replay():
    oauth_client = client("tw-hmac", callback_uri=CALLBACK)
    uri, headers, body = oauth_client.sign(f"{BASE}/oauth/request_token", "POST")
    assert http("POST", uri, body, headers)[0] == 200
    replays = stats()["nonce_replays"]
    assert http("POST", uri, body, headers)[0] == 401
    assert stats()["nonce_replays"] == replays + 1


def check_stale_timestamp():
    stale = str(int(time.time()) - 3600)
    status, answer = request_token("tw-hmac", timestamp=stale)
    assert status == 400 and answer.get("error") == "invalid_request", (status, answer)


def check_short_nonce():
    status, answer = request_token("tw-hmac", nonce="abc123")
    assert status == 400, (status, answer)


def check_wrong_secret():
    bad = Client("tw-hmac", client_secret="not-the-secret", callback_uri=CALLBACK)
    uri, headers, body = bad.sign(f"{BASE}/oauth/request_token", "POST")
    assert http("POST", uri, body, headers)[0] == 401


def check_wrong_method_for_consumer():
    other = Client("tw-hmac", client_secret="tw-hmac-secret", callback_uri=CALLBACK,
                   signature_method=SIGNATURE_HMAC_SHA256)
    uri, headers, body = other.sign(f"{BASE}/oauth/request_token", "POST")
    status, _, text = http("POST", uri, body, headers)
    assert status == 401 and "registered for HMAC-SHA1" in text, (status, text)


def check_split_locations():
    # RFC 5849 3.5: one location only.  Header plus an oauth_verifier in
    # the body is refused before any signature check.
    oauth_client = client("tw-hmac", callback_uri=CALLBACK)
    uri, headers, body = oauth_client.sign(f"{BASE}/oauth/request_token", "POST",
                                           "oauth_verifier=abc", dict(FORM_HEADERS))
    status, _, text = http("POST", uri, body, headers)
    assert status == 400 and "AUTH_HEADER" in text, (status, text)


def check_foreign_callback():
    status, _ = request_token("tw-hmac", callback="http://evil.example/auth/callback")
    assert status == 401, status


def check_api_needs_access_token():
    status, _, body = http("GET", f"{BASE}/1.1/account/verify_credentials.json")
    assert status == 401 and json.loads(body)["errors"][0]["code"] == 32, (status, body)
    token = new_request_token("tw-hmac")  # a request token is not an access token
    status, _ = verify_credentials("tw-hmac", token)
    assert status == 401, status


def check_relay_echo():
    access, _, _ = full_flow("tw-hmac", "header")
    oauth_client = client("tw-hmac", "header", resource_owner_key=access["oauth_token"],
                          resource_owner_secret=access["oauth_token_secret"])
    url = f"{BASE}/1.1/relay/echo?page=2&q=caf%C3%A9"
    body = "status=%C3%9Cml%C3%A4ut+%E2%9C%93&x=1"
    uri, headers, body = oauth_client.sign(url, "POST", body, dict(FORM_HEADERS))
    status, answer_headers, answer = http("POST", uri, body, dict(headers, Cookie="c=1"))
    echo = json.loads(answer)
    assert status == 200 and echo["user"] == "alice_tw", (status, answer)
    assert echo["query"] == [["page", "2"], ["q", "caf\u00e9"]], echo
    assert echo["form"] == [["status", "\u00dcml\u00e4ut \u2713"], ["x", "1"]], echo
    assert echo["body"] == body and echo["cookie"] == "c=1", echo
    assert echo["signature_location"] == "header" and echo["authorization_scheme"] == "OAuth"
    assert access["oauth_token"] not in answer and "tw_guest=" in answer_headers["Set-Cookie"]
    # the form body is signed: changing it breaks the signature
    status, _, _ = http("POST", uri, body + "&y=2", headers)
    assert status == 401, status


def check_stats_counts():
    seen = stats()
    for name in ("request_token", "access_token", "api_calls", "authorize_allow",
                 "authorize_deny", "login_failed"):
        assert seen[name] > 0, (name, seen)


CHECKS = [
    ("HMAC-SHA1, Authorization header, alice", check_hmac_sha1_header),
    ("HMAC-SHA256, query", check_hmac_sha256_query),
    ("RSA-SHA1, form body, bob", check_rsa_sha1_body),
    ("extra params recorded in /stats", check_extra_params_recorded),
    ("hex and base64url nonces accepted", check_module_style_nonces),
    ("localhost callback accepted", check_localhost_callback),
    ("hand-written HMAC-SHA1 signer, realm, Host localhost", check_independent_signer),
    ("wrong password shows the form again", check_wrong_password),
    ("deny redirects with denied=", check_deny),
    ("request token single use", check_request_token_reuse),
    ("wrong verifier", check_wrong_verifier),
    ("unauthorized request token", check_unauthorized_request_token),
    ("nonce replay", check_nonce_replay),
    ("stale timestamp", check_stale_timestamp),
    ("short nonce", check_short_nonce),
    ("wrong consumer secret", check_wrong_secret),
    ("consumer bound to its signature method", check_wrong_method_for_consumer),
    ("oauth_* parameters split across locations", check_split_locations),
    ("foreign callback", check_foreign_callback),
    ("API needs an access token", check_api_needs_access_token),
    ("relay echo: signed form POST with query, UTF-8", check_relay_echo),
    ("stats counters", check_stats_counts),
]


if __name__ == "__main__":
    sys.exit(run_checks(CHECKS))
