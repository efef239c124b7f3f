#!/usr/bin/python3
"""A GitHub-like OAuth 2.0 provider (plain OAuth, no OpenID Connect) for
mod_auth_client's tests.

oauthlib's WebApplicationServer does the authorization code grant (client
and redirect URI checks, code binding, PKCE, single-use codes, bearer
tokens); this file supplies its RequestValidator over in-memory dicts, the
login page, and GitHub's habits on the wire:

  - the token endpoint answers form-encoded unless the client sends
    "Accept: application/json", and reports every error with HTTP 200
    (error=bad_verification_code, incorrect_client_credentials, ...);
  - token_type is "bearer" (lower case), scope is comma-separated, no
    expires_in, no refresh token, no ID token;
  - user data comes from a REST API (/api/user, /api/user/emails), and a
    user with a private email has "email": null in /api/user.

Routes (plain http on 127.0.0.1:OAUTH2_PORT, default 4502):

    GET  /login/oauth/authorize         login form
    POST /login/oauth/authorize         allow / deny -> 302 to redirect_uri
    POST /login/oauth/access_token      code -> access token
    GET  /api/user, /api/user/emails    Bearer (or "token") access token
    any  /api/relay/echo                Bearer; answers with what arrived (the
                                        API relay's tests)
    GET  /api/relay/unauthorized        401 whatever the token (the same)
    GET  /stats                         counters for the tests

Two clients exist to break the module on purpose: gh-error200 (the token
endpoint always answers 200 with an error) and gh-notype (the token answer
has no token_type).  gh-expiring gets what a GitHub App gets: access
tokens that expire (expires_in) and a refresh token, rotated by each
refresh (grant_type=refresh_token).
"""

import hmac
import html
import json
import os
import re
import secrets
import string
import sys
import time
from base64 import b64decode
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

# oauthlib 3.2.2's server side never looks at this (only its client
# classes refuse http://), but say so for loopback in case a later version
# starts checking.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

from oauthlib.common import add_params_to_uri  # noqa: E402
from oauthlib.oauth2 import RequestValidator, WebApplicationServer  # noqa: E402
from oauthlib.oauth2.rfc6749 import errors as oauth2_errors  # noqa: E402
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (  # noqa: E402
    code_challenge_method_s256)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import fixture  # noqa: E402
from fixture import reason  # noqa: E402

CODE_TTL = 600  # GitHub: codes expire after 10 minutes
# GitHub Apps: user access tokens live 8 hours, refresh tokens 6 months
EXPIRING_TOKEN_TTL = 28800
REFRESH_TOKEN_TTL = 15897600
DOCS = ("https://docs.github.com/apps/managing-oauth-apps/"
        "troubleshooting-oauth-app-access-token-request-errors")

REDIRECT_RE = re.compile(r"^http://(127\.0\.0\.1|localhost):[0-9]{1,5}/auth/callback$")


# --- test data ----------------------------------------------------------------

def email(address, primary, verified, visibility):
    return {"email": address, "primary": primary, "verified": verified,
            "visibility": visibility}


USERS = {
    "alice": {"password": "alice-pw", "login": "alice-gh", "id": 583231,
              "name": "Alice \u00dcmlaut", "email": "alice@example.org",
              "emails": [email("alice@example.org", True, True, "public")]},
    # id 2**53 + 1: a double cannot hold it.  Private email: null in
    # /api/user; the primary address is last in /api/user/emails so that
    # "take the first one" picks the wrong address.
    "carol": {"password": "carol-pw", "login": "carol-gh", "id": 9007199254740993,
              "name": "Carol", "email": None,
              "emails": [email("carol-old@example.net", False, False, None),
                         email("9007199254740993+carol-gh@users.noreply.github.com",
                               False, True, None),
                         email("carol@example.org", True, True, "private")]},
    "bob": {"password": "bob-pw", "login": "bob-gh", "id": 1000002,
            "name": "Bob", "email": "bob@example.org",
            "emails": [email("bob@example.org", True, True, "public")]},
}

# auth: the one client authentication method each client may use.
CLIENTS = {
    "gh-basic": {"secret": "gh-basic-secret", "auth": "client_secret_basic"},
    "gh-post": {"secret": "gh-post-secret", "auth": "client_secret_post"},
    "gh-pkce": {"secret": "gh-pkce-secret", "auth": "client_secret_post", "pkce": True},
    "gh-error200": {"secret": "gh-error200-secret", "auth": "client_secret_basic",
                    "always_error": True},
    "gh-notype": {"secret": "gh-notype-secret", "auth": "client_secret_basic",
                  "omit_token_type": True},
    "gh-expiring": {"secret": "gh-expiring-secret", "auth": "client_secret_basic",
                    "expiring": True},
}

# GitHub's wording for the errors a token request can get (always HTTP 200).
GITHUB_ERRORS = {
    "bad_code": ("bad_verification_code", "The code passed is incorrect or expired."),
    "bad_client": ("incorrect_client_credentials",
                   "The client_id and/or client_secret passed are incorrect."),
    "redirect_mismatch": ("redirect_uri_mismatch",
                          "The redirect_uri MUST match the registered callback URL"
                          " for this application."),
}


# --- state --------------------------------------------------------------------

class Store(fixture.Store):
    """Codes, tokens, pending logins, counters.  One lock for all of it."""

    def __init__(self):
        super().__init__({
            "authorize_form": 0, "authorize_allow": 0, "authorize_deny": 0,
            "authorize_errors": 0, "login_failed": 0,
            "token_requests": 0, "token_issued": 0, "token_errors": 0,
            "api_user": 0, "api_emails": 0, "api_rejected": 0,
            "last_authorize_params": {}, "last_token_request": {},
            "last_token_error": None, "last_api_request": {},
            "token_refreshed": 0, "relay_calls": 0, "relay_unauthorized": 0,
            "last_relay_unauthorized": None,
        })
        self.codes = {}      # code -> dict (see save_authorization_code)
        self.tokens = {}     # access token -> {"user", "client_id", "scopes", "refreshed"}
        self.refresh_tokens = {}  # refresh token -> {"user", "client_id", "scopes", "used"}
        self.pending = {}    # request_id -> validated authorization request


STORE = Store()


class ClientInfo:
    """What oauthlib expects in request.client: at least client_id."""

    def __init__(self, client_id):
        self.client_id = client_id


def basic_credentials(headers):
    """(client_id, secret) from an Authorization: Basic header, or None.
    RFC 6749 2.3.1 form-encodes both before base64, so undo that too."""
    auth = headers.get("Authorization", "")
    if auth[:6].lower() != "basic ":
        return None
    try:
        user, _, password = b64decode(auth[6:].strip(), validate=True).decode().partition(":")
    except ValueError:
        return ("", "")
    return unquote_plus(user), unquote_plus(password)


def client_auth_method(headers, form):
    """Which client authentication the request used (for checks and /stats)."""
    basic = basic_credentials(headers) is not None
    post = "client_secret" in form
    if basic and post:
        return "both"
    return "client_secret_basic" if basic else "client_secret_post" if post else "none"


# --- oauthlib glue -----------------------------------------------------------

class GitHubValidator(RequestValidator):

    # -- authorization request

    def validate_client_id(self, client_id, request):
        return client_id in CLIENTS

    def validate_redirect_uri(self, client_id, redirect_uri, request):
        return bool(REDIRECT_RE.match(redirect_uri or ""))

    def get_default_redirect_uri(self, client_id, request):
        # Authorization: there is no registered default, redirect_uri is
        # required.  Token: GitHub lets the client leave it out; then the
        # one the code was issued for is implied.
        record = STORE.codes.get(request.code) if request.code else None
        return record["redirect_uri"] if record else None

    def validate_response_type(self, client_id, response_type, client, request):
        return response_type == "code"

    def is_pkce_required(self, client_id, request):
        return CLIENTS.get(client_id, {}).get("pkce", False)

    def validate_scopes(self, client_id, scopes, client, request):
        return True  # GitHub accepts unknown scopes and just ignores them

    def get_default_scopes(self, client_id, request):
        return []

    def save_authorization_code(self, client_id, code, request):
        STORE.codes[code["code"]] = {
            "client_id": client_id, "user": request.user, "scopes": request.scopes,
            "redirect_uri": request.redirect_uri, "challenge": request.code_challenge,
            "challenge_method": request.code_challenge_method,
            "expires": time.time() + CODE_TTL, "used": False,
        }

    # -- token request

    def authenticate_client(self, request):
        form = dict(request.decoded_body or [])
        method = client_auth_method(request.headers, form)
        if method == "client_secret_basic":
            client_id, secret = basic_credentials(request.headers)
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = CLIENTS.get(client_id)
        if client is None or client["auth"] != method:
            return reason("bad_client")
        if not hmac.compare_digest(client["secret"], secret):
            return reason("bad_client")
        if form.get("client_id", client_id) != client_id:
            return reason("bad_client")  # Basic for one client, body names another
        request.client = ClientInfo(client_id)
        # oauthlib's refresh grant reads request.client_id before it sets it
        request.client_id = client_id
        return True

    def validate_grant_type(self, client_id, grant_type, client, request):
        if grant_type == "refresh_token":
            return CLIENTS.get(client_id, {}).get("expiring", False)
        return grant_type == "authorization_code"

    def validate_refresh_token(self, refresh_token, client, request):
        record = STORE.refresh_tokens.get(refresh_token)
        if record is None or record["used"] or record["client_id"] != client.client_id:
            return reason("bad_refresh_token")
        request.user = record["user"]
        return True

    def get_original_scopes(self, refresh_token, request):
        return STORE.refresh_tokens[refresh_token]["scopes"]

    def validate_code(self, client_id, code, client, request):
        record = STORE.codes.get(code)
        if (record is None or record["used"] or record["client_id"] != client_id
                or record["expires"] < time.time()):
            return reason("bad_code")
        request.user = record["user"]
        request.scopes = record["scopes"]
        return True

    def get_code_challenge(self, code, request):
        return STORE.codes[code]["challenge"]

    def get_code_challenge_method(self, code, request):
        return STORE.codes[code]["challenge_method"]

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request):
        if STORE.codes[code]["redirect_uri"] != redirect_uri:
            return reason("redirect_mismatch")
        return True

    def save_bearer_token(self, token, request):
        refreshed = request.grant_type == "refresh_token"
        STORE.tokens[token["access_token"]] = {
            "user": request.user, "client_id": request.client_id,
            "scopes": list(request.scopes or []), "refreshed": refreshed,
        }
        if "refresh_token" in token:
            STORE.refresh_tokens[token["refresh_token"]] = {
                "user": request.user, "client_id": request.client_id,
                "scopes": list(request.scopes or []), "used": False,
            }
        if refreshed:  # rotation: the old refresh token is spent
            STORE.refresh_tokens[request.refresh_token]["used"] = True

    def invalidate_authorization_code(self, client_id, code, request):
        STORE.codes[code]["used"] = True

    # -- API

    def validate_bearer_token(self, token, scopes, request):
        record = STORE.tokens.get(token)
        if record is None:
            return False
        request.user = record["user"]
        request.scopes = record["scopes"]
        return True


def github_token(request):
    # gho_ + 36 characters, the shape of a GitHub OAuth app token.
    alphabet = string.ascii_letters + string.digits
    return "gho_" + "".join(secrets.choice(alphabet) for _ in range(36))


def github_refresh_token(request):
    alphabet = string.ascii_letters + string.digits
    return "ghr_" + "".join(secrets.choice(alphabet) for _ in range(76))


def make_server(expiring=False):
    server = WebApplicationServer(GitHubValidator(), token_generator=github_token,
                                  token_expires_in=EXPIRING_TOKEN_TTL if expiring else None,
                                  refresh_token_generator=github_refresh_token)
    # S256 only: oauthlib also knows "plain", and takes a code_challenge
    # without code_challenge_method to mean plain; both now get an error.
    server.auth_grant._code_challenge_methods = {"S256": code_challenge_method_s256}
    # GitHub OAuth apps get no refresh token; GitHub Apps do.
    server.auth_grant.refresh_token = expiring
    return server


SERVER = make_server()
EXPIRING = make_server(expiring=True)


def server_for(client):
    return EXPIRING if client.get("expiring") else SERVER


# --- GitHub-shaped answers ---------------------------------------------------

def public_user(user):
    data = USERS[user]
    return {"login": data["login"], "id": data["id"], "node_id": f"U_test{data['id']}",
            "avatar_url": f"https://avatars.example/u/{data['id']}",
            "html_url": f"https://github.example/{data['login']}",
            "type": "User", "site_admin": False, "name": data["name"],
            "email": data["email"], "created_at": "2011-01-25T18:44:36Z"}


def token_answer(oauthlib_json, client):
    token = json.loads(oauthlib_json)
    # GitHub's order: access_token, scope, token_type.
    answer = {"access_token": token["access_token"],
              "scope": ",".join(token.get("scope", "").split()), "token_type": "bearer"}
    if client.get("omit_token_type"):
        del answer["token_type"]
    if client.get("expiring"):
        answer.update(expires_in=token["expires_in"], refresh_token=token["refresh_token"],
                      refresh_token_expires_in=REFRESH_TOKEN_TTL)
    return answer


def github_error(oauthlib_json):
    """GitHub's error for what oauthlib rejected, picked by the reasons our
    validator gave (oauthlib says invalid_grant for a bad code and for a
    bad PKCE verifier alike)."""
    for key in ("bad_client", "bad_code", "redirect_mismatch"):
        if key in fixture.reasons():
            return GITHUB_ERRORS[key]
    error = json.loads(oauthlib_json)
    code, description = error.get("error", "invalid_request"), error.get("error_description")
    if code == "invalid_grant" and not description:
        # The code itself was fine (else bad_code): PKCE is what failed.
        description = "The code_verifier does not match the code_challenge."
    return code, description or ""


# --- HTTP plumbing ------------------------------------------------------------

LOGIN_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Authorize {app}</title></head>
<body>
<h1>Authorize {app}</h1>
{error}<form method="post" action="/login/oauth/authorize">
<input type="hidden" name="request_id" value="{request_id}">
<input type="text" name="login" value="" autofocus>
<input type="password" name="password">
<button type="submit" name="action" value="allow">Authorize</button>
<button type="submit" name="action" value="deny">Cancel</button>
</form>
</body></html>
"""


class Handler(fixture.Handler):
    server_version = "github-like/1"
    NOT_FOUND = "Not Found"

    ROUTES = {
        ("GET", "/login/oauth/authorize"): "authorize_form",
        ("POST", "/login/oauth/authorize"): "authorize_submit",
        ("POST", "/login/oauth/access_token"): "access_token",
        ("GET", "/api/user"): "api_user",
        ("GET", "/api/user/emails"): "api_emails",
        ("GET", "/api/relay/unauthorized"): "relay_unauthorized",
        ("GET", "/stats"): "stats",
    }
    ROUTES.update({(method, "/api/relay/echo"): "relay_echo"
                   for method in ("GET", "POST", "PUT", "PATCH", "DELETE")})

    def do_PUT(self):
        self.route("PUT")

    def do_PATCH(self):
        self.route("PATCH")

    def do_DELETE(self):
        self.route("DELETE")

    # -- request/response helpers

    def send_problem(self, status, message):
        self.send_json(status, {"message": message})

    def bad_request(self, err):
        self.send_problem(400, str(err))

    def wants_json(self):
        return "application/json" in self.headers.get("Accept", "")

    def send_token_endpoint(self, obj):
        """JSON or form-encoded by the Accept header, always 200, like GitHub."""
        if self.wants_json():
            return self.send_json(200, obj)
        body = urlencode(obj).encode("utf-8")
        self.send_bytes(200, body, "application/x-www-form-urlencoded; charset=utf-8")

    def error_page(self, error, description):
        self.log_line(f"authorize error page: {error}: {description}")
        self.send_html(400, f'<p class="error">{html.escape(error)}</p>\n'
                            f'<p class="error_description">{html.escape(description)}</p>\n')

    # -- authorization

    def ep_authorize_form(self):
        params = self.query()
        STORE.note("last_authorize_params", params)
        # GitHub needs no response_type; oauthlib does, so imply "code".
        # Appended to the raw query so that oauthlib still sees duplicates.
        uri = self.full_uri()
        if "response_type" not in params:
            uri += ("&" if "?" in uri else "?") + "response_type=code"
        headers = dict(self.headers.items())
        try:
            scopes, info = SERVER.validate_authorization_request(uri, "GET", None, headers)
        except oauth2_errors.FatalClientError as err:
            return self.error_page(err.error, err.description)
        except oauth2_errors.OAuth2Error as err:
            STORE.count("authorize_errors")
            self.log_line(f"authorize error redirect: {err.error}: {err.description}")
            return self.redirect(add_params_to_uri(err.redirect_uri, err.twotuples))
        request_id = secrets.token_urlsafe(24)
        with STORE.lock:
            STORE.pending[request_id] = {"uri": uri, "headers": headers, "scopes": scopes,
                                         "client_id": info["client_id"],
                                         "redirect_uri": info["redirect_uri"],
                                         "state": info["state"]}
            STORE.stats["authorize_form"] += 1
        self.send_login_page(request_id, info["client_id"], error=False)

    def send_login_page(self, request_id, app, error):
        message = '<p class="error">Incorrect username or password.</p>\n' if error else ""
        self.send_html(200, LOGIN_PAGE.format(app=html.escape(app),
                                              request_id=html.escape(request_id),
                                              error=message))

    def ep_authorize_submit(self):
        form = self.form()
        action = form.get("action")
        with STORE.lock:
            pending = STORE.pending.get(form.get("request_id", ""))
            if pending is None or action not in ("allow", "deny"):
                return self.error_page("invalid_request", "unknown or used request_id")
            if action == "deny":
                del STORE.pending[form["request_id"]]
                return self.deny(pending)
            user = USERS.get(form.get("login", ""))
            if user is None or not hmac.compare_digest(user["password"],
                                                       form.get("password", "")):
                STORE.stats["login_failed"] += 1
                return self.send_login_page(form["request_id"], pending["client_id"],
                                            error=True)
            del STORE.pending[form["request_id"]]
            headers, _, _ = SERVER.create_authorization_response(
                pending["uri"], "GET", None, pending["headers"], scopes=pending["scopes"],
                credentials={"user": form["login"]})
            STORE.stats["authorize_allow"] += 1
        self.redirect(headers["Location"])

    def deny(self, pending):
        STORE.stats["authorize_deny"] += 1
        params = [("error", "access_denied"),
                  ("error_description", "The user has denied your application access."),
                  ("error_uri", DOCS)]
        if pending["state"] is not None:
            params.append(("state", pending["state"]))
        self.redirect(add_params_to_uri(pending["redirect_uri"], params))

    # -- token

    def ep_access_token(self):
        form = self.form()
        # self.headers (not a dict copy) for our own look-ups: it ignores case.
        client_id = (basic_credentials(self.headers) or (form.get("client_id"), None))[0]
        client = CLIENTS.get(client_id, {})
        self.note_token_request(form, self.headers, client_id)
        if client.get("always_error"):
            return self.token_error(*GITHUB_ERRORS["bad_code"])
        grant_type = form.get("grant_type", "authorization_code")
        if grant_type == "refresh_token" and client.get("expiring"):
            return self.refresh(client)
        if grant_type != "authorization_code":
            # oauthlib would hand refresh_token to a grant we never wired up.
            return self.token_error("unsupported_grant_type",
                                    "Only authorization_code is supported.")
        # GitHub does not need grant_type; oauthlib does.
        body = self.body if "grant_type" in form else urlencode(
            dict(form, grant_type="authorization_code"))
        try:
            with STORE.lock:
                _, answer, status = server_for(client).create_token_response(
                    self.full_uri(), "POST", body, dict(self.headers.items()))
        except oauth2_errors.OAuth2Error as err:
            # The endpoint-level checks (query parameters on a POST, wrong
            # method) raise instead of answering like the grant's checks.
            return self.token_error(err.error, err.description)
        if status != 200:
            return self.token_error(*github_error(answer))
        STORE.count("token_issued")
        self.send_token_endpoint(token_answer(answer, client))

    def refresh(self, client):
        """A GitHub App's refresh: a new access token and a new refresh
        token; the old refresh token is spent."""
        with STORE.lock:
            _, answer, status = EXPIRING.create_token_response(
                self.full_uri(), "POST", self.body, dict(self.headers.items()))
        if status != 200:
            return self.token_error("bad_refresh_token",
                                    "The refresh token passed is incorrect or expired.")
        STORE.count("token_refreshed")
        self.send_token_endpoint(token_answer(answer, client))

    def note_token_request(self, form, headers, client_id):
        with STORE.lock:
            STORE.stats["token_requests"] += 1
            STORE.stats["last_token_request"] = {
                "client_id": client_id, "client_auth": client_auth_method(headers, form),
                "accept": headers.get("Accept"), "params": sorted(form),
                "grant_type": form.get("grant_type"),
            }

    def token_error(self, error, description):
        STORE.count("token_errors")
        STORE.note("last_token_error", error)
        self.log_line(f"token error (sent with 200): {error}: {description}")
        self.send_token_endpoint({"error": error, "error_description": description,
                                  "error_uri": DOCS})

    # -- API

    def api_token_owner(self):
        """The user behind the request's token, or None after answering 401.
        GitHub takes "Bearer X" and its older "token X"."""
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        STORE.note("last_api_request", {"path": urlsplit(self.path).path,
                                        "auth_scheme": scheme or None,
                                        "user_agent": self.headers.get("User-Agent"),
                                        "accept": self.headers.get("Accept")})
        if scheme.lower() not in ("bearer", "token") or not token.strip():
            return self.api_unauthorized("Requires authentication")
        headers = {k: v for k, v in self.headers.items() if k.lower() != "authorization"}
        headers["Authorization"] = "Bearer " + token.strip()
        with STORE.lock:
            valid, request = SERVER.verify_request(self.full_uri(), "GET", None, headers, [])
        if not valid:
            return self.api_unauthorized("Bad credentials")
        self.token_scopes = request.scopes
        return request.user

    def api_unauthorized(self, message):
        STORE.count("api_rejected")
        self.send_json(401, {"message": message,
                             "documentation_url": "https://docs.github.com/rest"})
        return None

    def api_headers(self):
        return [("X-OAuth-Scopes", ", ".join(self.token_scopes))]

    def ep_api_user(self):
        user = self.api_token_owner()
        if user is not None:
            STORE.count("api_user")
            self.send_json(200, public_user(user), self.api_headers())

    def ep_api_emails(self):
        user = self.api_token_owner()
        if user is not None:
            STORE.count("api_emails")
            self.send_json(200, USERS[user]["emails"], self.api_headers())

    # -- the API relay's tests

    def ep_relay_echo(self):
        """What a call relayed by mod_auth_client brought, once its Bearer
        token checked out: method, query, body, the names of the headers,
        the Cookie and the Authorization scheme - never the token itself.
        The answer sets a cookie of this site, which the relay must not
        pass to the browser."""
        user = self.api_token_owner()
        if user is None:
            return
        auth = self.headers.get("Authorization", "")
        token = STORE.tokens[auth.partition(" ")[2].strip()]
        content_type = self.headers.get("Content-Type", "")
        STORE.count("relay_calls")
        self.send_json(200, {
            "user": USERS[user]["login"], "client_id": token["client_id"],
            "token_refreshed": token["refreshed"], "method": self.command,
            "path": urlsplit(self.path).path,
            "query": [list(p) for p in parse_qsl(urlsplit(self.path).query,
                                                 keep_blank_values=True)],
            "body": self.body, "content_type": content_type or None,
            "cookie": self.headers.get("Cookie"),
            "authorization_scheme": auth.partition(" ")[0] or None,
            "headers": sorted({name.lower() for name in self.headers.keys()}),
        }, [("Set-Cookie", "gh_guest=provider-cookie; Path=/")])

    def ep_relay_unauthorized(self):
        """401 for any token, as an API does for a token it has revoked;
        notes whether the token was a valid one, and a refreshed one."""
        auth = self.headers.get("Authorization", "")
        record = STORE.tokens.get(auth.partition(" ")[2].strip())
        with STORE.lock:
            STORE.stats["relay_unauthorized"] += 1
            STORE.stats["last_relay_unauthorized"] = {
                "token_valid": record is not None,
                "token_refreshed": bool(record and record["refreshed"]),
            }
        self.send_json(401, {"message": "Bad credentials",
                             "documentation_url": "https://docs.github.com/rest"},
                       [("WWW-Authenticate", 'Bearer error="invalid_token"')])

    def ep_stats(self):
        self.send_json(200, STORE.snapshot())


def main():
    fixture.serve(Handler, "OAUTH2_PORT", 4502,
                  "github-like OAuth 2.0 provider listening on {url}")


if __name__ == "__main__":
    main()
