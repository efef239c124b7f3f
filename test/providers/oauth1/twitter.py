#!/usr/bin/python3
"""A Twitter-like OAuth 1.0a provider (RFC 5849) for mod_auth_client's tests.

The protocol work -- parsing the oauth_* parameters from the Authorization
header, the query or a form body, rebuilding the signature base string and
verifying HMAC-SHA1 / HMAC-SHA256 / RSA-SHA1 signatures -- is done by
oauthlib's server endpoints.  This file supplies the storage (a
RequestValidator subclass over in-memory dicts), the login page and the
Twitter-shaped answers:

    POST /oauth/request_token              temporary credentials
    GET  /oauth/authorize?oauth_token=T    login form (also /oauth/authenticate)
    POST /oauth/authorize                  allow / deny, 302 to the callback
    POST /oauth/access_token               token credentials + user_id, screen_name
    GET  /1.1/account/verify_credentials.json   the user's profile (signed)
    GET, POST /1.1/relay/echo              a signed call, answered with what
                                           arrived (the API relay's tests)
    GET  /stats                            counters for the tests

Plain http on 127.0.0.1:OAUTH1_PORT (default 4501).  Needs Debian's
python3-oauthlib (3.2.2) and python3-jwt (for RSA-SHA1).
"""

import hmac
import html
import os
import re
import string
import sys
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from oauthlib.common import add_params_to_uri
from oauthlib.oauth1 import (AccessTokenEndpoint, AuthorizationEndpoint, RequestTokenEndpoint,
                             RequestValidator, ResourceEndpoint)
from oauthlib.oauth1.rfc5849 import errors as oauth1_errors

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import fixture  # noqa: E402
from fixture import reason  # noqa: E402

# Callbacks we accept: the test httpd on any loopback port, fixed path.
CALLBACK_RE = re.compile(r"^http://(127\.0\.0\.1|localhost):[0-9]{1,5}/auth/callback$")


def read_key(name):
    with open(os.path.join(HERE, "keys", name), encoding="ascii") as handle:
        return handle.read()


# --- test data ----------------------------------------------------------------

USERS = {
    # id above 2**53 on purpose: a client that parses "id" as a double
    # gets 1234567890123456800; id_str is the safe copy, as on Twitter.
    "alice": {"password": "alice-pw", "id": 1234567890123456789, "screen_name": "alice_tw",
              "name": "Alice \u00dcmlaut", "email": "alice@example.org"},
    "bob": {"password": "bob-pw", "id": 2244994945, "screen_name": "bob_tw",
            "name": "Bob", "email": "bob@example.org"},
}

# Each consumer is bound to one signature method, so a test can prove the
# module signs with the method it was configured for.
CONSUMERS = {
    "tw-hmac": {"method": "HMAC-SHA1", "secret": "tw-hmac-secret"},
    "tw-sha256": {"method": "HMAC-SHA256", "secret": "tw-sha256-secret"},
    "tw-rsa": {"method": "RSA-SHA1", "rsa_public_key": read_key("tw-rsa-public.pem")},
}

# Stand-ins that oauthlib substitutes for unknown clients/tokens so that a
# failing request costs as much time as a good one.  They only need to be
# valid inputs for the get_*_secret / get_rsa_key methods.
DUMMY_CLIENT = "dummy-client"
DUMMY_TOKEN = "dummy0token0that0never0matches"


# --- state --------------------------------------------------------------------

class Store(fixture.Store):
    """All tokens, nonces and counters, under the one lock."""

    def __init__(self):
        super().__init__({
            "request_token": 0, "authorize_form": 0, "authorize_allow": 0,
            "authorize_deny": 0, "login_failed": 0, "access_token": 0, "api_calls": 0,
            "rejected": {"request_token": 0, "access_token": 0, "api": 0},
            "nonce_replays": 0, "relay_calls": 0,
            "last_request_token_params": {}, "last_authorize_params": {},
            "last_api_params": {}, "last_callback": None,
            "last_signature": {},  # endpoint -> {"method", "location", "consumer"}
        })
        self.request_tokens = {}   # token -> dict (see save_request_token)
        self.access_tokens = {}    # token -> {"secret", "client_key", "user"}
        self.nonces = {}           # (client, timestamp, nonce, token) -> time seen

    def reject(self, endpoint):
        with self.lock:
            self.stats["rejected"][endpoint] += 1


STORE = Store()


# --- oauthlib glue -----------------------------------------------------------

class TwitterValidator(RequestValidator):
    """oauthlib's storage and policy hooks, backed by STORE."""

    # Defaults in oauthlib are alphanumerics only and 20-30 characters for
    # everything, which rejects keys like "tw-hmac" and the module's
    # base64url nonces.  Widen them, but keep a floor so that a client with
    # a feeble nonce still fails.
    safe_characters = set(string.ascii_letters + string.digits + "-_")
    client_key_length = (3, 64)
    request_token_length = (20, 64)
    access_token_length = (20, 64)
    verifier_length = (20, 64)
    nonce_length = (16, 128)
    # Plain http on loopback; oauthlib 3.2.2's OAuth 1 endpoints ignore
    # OAUTHLIB_INSECURE_TRANSPORT and look only at this property.
    enforce_ssl = False
    allowed_signature_methods = ("HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1")
    dummy_client = DUMMY_CLIENT
    dummy_request_token = DUMMY_TOKEN
    dummy_access_token = DUMMY_TOKEN

    # Twitter ignores realm; accept whatever the client puts there.
    def check_realms(self, realms):
        return True

    def get_default_realms(self, client_key, request):
        return []

    def get_realms(self, token, request):
        return []

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def verify_realms(self, token, realms, request):
        return True

    # -- clients

    def validate_client_key(self, client_key, request):
        consumer = CONSUMERS.get(client_key)
        if consumer is None:
            return reason(f"unknown consumer key {client_key!r}")
        if consumer["method"] != request.signature_method:
            return reason(f"consumer {client_key} is registered for {consumer['method']},"
                          f" not {request.signature_method}")
        return True

    def get_client_secret(self, client_key, request):
        return CONSUMERS.get(client_key, {}).get("secret", "dummy-secret")

    def get_rsa_key(self, client_key, request):
        consumer = CONSUMERS.get(client_key, CONSUMERS["tw-rsa"])
        return consumer.get("rsa_public_key", CONSUMERS["tw-rsa"]["rsa_public_key"])

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        if CALLBACK_RE.match(redirect_uri or ""):
            return True
        return reason(f"callback {redirect_uri!r} not allowed")

    # -- nonces: remembered per (consumer, timestamp, nonce, token) as RFC
    # 5849 section 3.3 asks; oauthlib itself already rejected timestamps
    # more than timestamp_lifetime (600 s) away from now.

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None):
        key = (client_key, timestamp, nonce, request_token or access_token)
        now = time.time()
        with STORE.lock:
            if key in STORE.nonces:
                STORE.stats["nonce_replays"] += 1
                return reason(f"nonce {nonce!r} already used")
            self._forget_old_nonces(now)
            STORE.nonces[key] = now
        return True

    def _forget_old_nonces(self, now):
        horizon = now - 2 * self.timestamp_lifetime
        for key in [k for k, seen in STORE.nonces.items() if seen < horizon]:
            del STORE.nonces[key]

    # -- request tokens

    def save_request_token(self, token, request):
        # Extra parameters (x_auth_access_type, ...) are signed like any
        # other, so they arrive in request.params; keep them for /stats.
        extra = {k: v for k, v in request.params if not k.startswith("oauth_") and k != "realm"}
        with STORE.lock:
            STORE.request_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"], "client_key": request.client_key,
                "callback": request.redirect_uri, "extra": extra,
                "user": None, "verifier": None, "used": False,
            }
            STORE.stats["last_request_token_params"] = extra
            STORE.stats["last_callback"] = request.redirect_uri

    def _live_request_token(self, token):
        record = STORE.request_tokens.get(token)
        if record is None or record["used"]:
            return None
        return record

    def verify_request_token(self, token, request):
        return self._live_request_token(token) is not None

    def get_redirect_uri(self, token, request):
        return STORE.request_tokens[token]["callback"]

    def save_verifier(self, token, verifier, request):
        STORE.request_tokens[token]["verifier"] = verifier["oauth_verifier"]

    def validate_request_token(self, client_key, token, request):
        record = self._live_request_token(token)
        if record is None:
            return reason("request token unknown or already used")
        if record["client_key"] != client_key:
            return reason("request token belongs to another consumer")
        return True

    def get_request_token_secret(self, client_key, token, request):
        record = STORE.request_tokens.get(token)
        return record["secret"] if record else "dummy-token-secret"

    def validate_verifier(self, client_key, token, verifier, request):
        record = self._live_request_token(token)
        if record is None or record["verifier"] is None:
            return reason("request token was not authorized")
        if not hmac.compare_digest(record["verifier"], verifier):
            return reason("wrong oauth_verifier")
        return True

    def invalidate_request_token(self, client_key, request_token, request):
        STORE.request_tokens[request_token]["used"] = True

    # -- access tokens

    def save_access_token(self, token, request):
        user = STORE.request_tokens[request.resource_owner_key]["user"]
        STORE.access_tokens[token["oauth_token"]] = {
            "secret": token["oauth_token_secret"], "client_key": request.client_key, "user": user,
        }

    def validate_access_token(self, client_key, token, request):
        record = STORE.access_tokens.get(token)
        if record is None:
            return reason("unknown access token")
        if record["client_key"] != client_key:
            return reason("access token belongs to another consumer")
        return True

    def get_access_token_secret(self, client_key, token, request):
        record = STORE.access_tokens.get(token)
        return record["secret"] if record else "dummy-token-secret"


VALIDATOR = TwitterValidator()
REQUEST_TOKEN_EP = RequestTokenEndpoint(VALIDATOR)
AUTHORIZATION_EP = AuthorizationEndpoint(VALIDATOR)
ACCESS_TOKEN_EP = AccessTokenEndpoint(VALIDATOR)
RESOURCE_EP = ResourceEndpoint(VALIDATOR)


def signature_location(uri, body, headers):
    """Where the client put its oauth_* parameters (for /stats)."""
    if headers.get("Authorization", "").lower().startswith("oauth "):
        return "header"
    if "oauth_signature" in dict(parse_qsl(urlsplit(uri).query)):
        return "query"
    if "oauth_signature" in dict(parse_qsl(body or "")):
        return "body"
    return None


def note_signature(endpoint, uri, body, headers):
    params = dict(parse_qsl(urlsplit(uri).query))
    params.update(parse_qsl(body or ""))
    auth = headers.get("Authorization", "")
    method = re.search(r'oauth_signature_method="([^"]*)"', auth)
    consumer = re.search(r'oauth_consumer_key="([^"]*)"', auth)
    with STORE.lock:
        STORE.stats["last_signature"][endpoint] = {
            "location": signature_location(uri, body, headers),
            "method": method.group(1) if method else params.get("oauth_signature_method"),
            "consumer": consumer.group(1) if consumer else params.get("oauth_consumer_key"),
        }


def relay_echo(handler, method, body, location, user):
    """The answer of /1.1/relay/echo (see Handler.ep_relay_echo)."""
    def mine(pairs):
        return [[k, v] for k, v in pairs if not k.startswith("oauth_")]

    content_type = handler.headers.get("Content-Type", "")
    form = parse_qsl(body, keep_blank_values=True) if "form-urlencoded" in content_type else []
    auth = handler.headers.get("Authorization")
    return {
        "user": user["screen_name"], "method": method, "path": urlsplit(handler.path).path,
        "query": mine(parse_qsl(urlsplit(handler.path).query, keep_blank_values=True)),
        "form": mine(form), "content_type": content_type or None,
        # the body as the browser sent it: protocol parameters the relay
        # placed there (SignaturePlacement body) come after its own
        "body": "&".join(p for p in body.split("&") if not p.startswith("oauth_")),
        "signature_location": location,
        "cookie": handler.headers.get("Cookie"),
        "authorization_scheme": auth.split(" ", 1)[0] if auth else None,
        "headers": sorted({name.lower() for name in handler.headers.keys()}),
    }


def profile(user):
    """The verify_credentials answer, trimmed to what a login needs."""
    data = USERS[user]
    return {"id": data["id"], "id_str": str(data["id"]), "name": data["name"],
            "screen_name": data["screen_name"], "email": data["email"],
            "protected": False, "verified": False, "lang": None}


# --- HTTP plumbing ------------------------------------------------------------

LOGIN_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Authorize {app}</title></head>
<body>
<h1>Authorize {app} to use your account?</h1>
{error}<form method="post" action="/oauth/authorize">
<input type="hidden" name="oauth_token" value="{token}">
<input type="text" name="login" value="" autofocus>
<input type="password" name="password">
<button type="submit" name="action" value="allow">Authorize app</button>
<button type="submit" name="action" value="deny">Cancel</button>
</form>
</body></html>
"""


class Handler(fixture.Handler):
    server_version = "twitter-like/1"
    # oauthlib raises bare ValueError for e.g. a non-OAuth Authorization
    # header, and the authorization endpoint lets its own errors escape;
    # both are the client's fault, not ours.
    CLIENT_ERRORS = (ValueError, oauth1_errors.OAuth1Error)

    ROUTES = {
        ("POST", "/oauth/request_token"): "request_token",
        ("GET", "/oauth/authorize"): "authorize_form",
        ("GET", "/oauth/authenticate"): "authorize_form",
        ("POST", "/oauth/authorize"): "authorize_submit",
        ("POST", "/oauth/access_token"): "access_token",
        ("GET", "/1.1/account/verify_credentials.json"): "verify_credentials",
        ("GET", "/1.1/relay/echo"): "relay_echo",
        ("POST", "/1.1/relay/echo"): "relay_echo",
        ("GET", "/stats"): "stats",
    }

    # -- request/response helpers

    def oauth_args(self):
        return self.full_uri(), self.command, self.body, dict(self.headers.items())

    def send_form(self, status, pairs):
        self.send_bytes(status, urlencode(pairs).encode("ascii"),
                        "application/x-www-form-urlencoded")

    def send_oauth_failure(self, endpoint, status, body):
        """oauthlib's answer to a bad request: 400 with an urlencoded error,
        or 401 with no body; add our reasons to the latter."""
        STORE.reject(endpoint)
        why = "; ".join(fixture.reasons()) or "signature does not verify"
        self.log_line(f"{endpoint} rejected ({status}): {body or why}")
        if body:
            return self.send_bytes(status, body.encode("utf-8"),
                                   "application/x-www-form-urlencoded")
        self.send_text(status, f"Could not authenticate you: {why}\n")

    # -- endpoints

    def ep_request_token(self):
        uri, method, body, headers = self.oauth_args()
        note_signature("request_token", uri, body, headers)
        with STORE.lock:
            _, answer, status = REQUEST_TOKEN_EP.create_request_token_response(
                uri, method, body, headers)
        if status != 200:
            return self.send_oauth_failure("request_token", status, answer)
        STORE.count("request_token")
        self.send_bytes(200, answer.encode("ascii"), "application/x-www-form-urlencoded")

    def ep_authorize_form(self):
        params = self.query()
        token = params.pop("oauth_token", "")
        STORE.note("last_authorize_params", params)  # force_login, screen_name, ...
        with STORE.lock:
            record = VALIDATOR._live_request_token(token)
        if record is None:
            return self.send_html(400, '<p class="error">Invalid or expired request token.</p>\n')
        STORE.count("authorize_form")
        self.send_login_page(token, record["client_key"], error=False)

    def send_login_page(self, token, app, error):
        message = '<p class="error">Invalid login or password.</p>\n' if error else ""
        self.send_html(200, LOGIN_PAGE.format(app=html.escape(app), token=html.escape(token),
                                              error=message))

    def ep_authorize_submit(self):
        form = self.form()
        token, action = form.get("oauth_token", ""), form.get("action")
        with STORE.lock:
            record = VALIDATOR._live_request_token(token)
            if record is None or action not in ("allow", "deny"):
                return self.send_html(400, '<p class="error">Invalid request.</p>\n')
            if action == "deny":
                return self.deny(token, record)
            user = USERS.get(form.get("login", ""))
            if user is None or not hmac.compare_digest(user["password"],
                                                       form.get("password", "")):
                STORE.stats["login_failed"] += 1
                return self.send_login_page(token, record["client_key"], error=True)
            record["user"] = form["login"]
            uri, method, body, headers = self.oauth_args()
            answer_headers, _, status = AUTHORIZATION_EP.create_authorization_response(
                uri, method, body, headers)
            STORE.stats["authorize_allow"] += 1
        self.redirect(answer_headers["Location"])

    def deny(self, token, record):
        # Twitter's cancel: back to the callback with denied=<request token>;
        # the token is dead afterwards.
        record["used"] = True
        STORE.stats["authorize_deny"] += 1
        self.redirect(add_params_to_uri(record["callback"], [("denied", token)]))

    def ep_access_token(self):
        uri, method, body, headers = self.oauth_args()
        note_signature("access_token", uri, body, headers)
        with STORE.lock:
            _, answer, status = ACCESS_TOKEN_EP.create_access_token_response(
                uri, method, body, headers)
        if status != 200:
            return self.send_oauth_failure("access_token", status, answer)
        STORE.count("access_token")
        self.send_form(200, self.twitter_access_answer(answer))

    def twitter_access_answer(self, answer):
        """oauthlib's answer minus the empty oauth_authorized_realms it always
        adds, plus the user_id / screen_name Twitter sends."""
        token = dict(parse_qsl(answer))
        user = USERS[STORE.access_tokens[token["oauth_token"]]["user"]]
        return [("oauth_token", token["oauth_token"]),
                ("oauth_token_secret", token["oauth_token_secret"]),
                ("user_id", str(user["id"])), ("screen_name", user["screen_name"])]

    def ep_verify_credentials(self):
        uri, method, body, headers = self.oauth_args()
        note_signature("api", uri, body, headers)
        STORE.note("last_api_params", {k: v for k, v in self.query().items()
                                       if not k.startswith("oauth_")})
        with STORE.lock:
            valid, request = RESOURCE_EP.validate_protected_resource_request(
                uri, method, body, headers)
            record = STORE.access_tokens.get(request.resource_owner_key) if valid else None
        if not valid:
            STORE.reject("api")
            self.log_line("api rejected: " + ("; ".join(fixture.reasons()) or "bad or unsigned request"))
            return self.send_json(401, {"errors": [{"code": 32,
                                                    "message": "Could not authenticate you."}]})
        STORE.count("api_calls")
        self.send_json(200, profile(record["user"]))

    def ep_relay_echo(self):
        """What a call relayed by mod_auth_client brought, once oauthlib's
        resource endpoint has verified its signature over the method, the
        URL, the query and a form body: everything but the protocol
        parameters, and of the headers only their names, the Cookie and
        the Authorization scheme.  The answer sets a cookie of this site,
        which the relay must not pass to the browser."""
        uri, method, body, headers = self.oauth_args()
        location = signature_location(uri, body, headers)
        with STORE.lock:
            valid, request = RESOURCE_EP.validate_protected_resource_request(
                uri, method, body, headers)
            record = STORE.access_tokens.get(request.resource_owner_key) if valid else None
        if not valid:
            STORE.reject("api")
            self.log_line("relay echo rejected: "
                          + ("; ".join(fixture.reasons()) or "bad or unsigned request"))
            return self.send_json(401, {"errors": [{"code": 32,
                                                    "message": "Could not authenticate you."}]})
        STORE.count("relay_calls")
        self.send_json(200, relay_echo(self, method, body, location, USERS[record["user"]]),
                       [("Set-Cookie", "tw_guest=provider-cookie; Path=/")])

    def ep_stats(self):
        self.send_json(200, STORE.snapshot())


def main():
    fixture.serve(Handler, "OAUTH1_PORT", 4501,
                  "twitter-like OAuth 1.0a provider listening on {url}")


if __name__ == "__main__":
    main()
