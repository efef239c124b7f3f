#!/usr/bin/python3
"""A deliberately broken OpenID Provider for mod_auth_client's negative tests.

Every misbehaviour is its own issuer, named by the first path segment:

    http://127.0.0.1:PORT/<scenario>          issuer
    /<scenario>/.well-known/openid-configuration
    /<scenario>/authorize  /token  /userinfo  /jwks  /end_session  /stats
    /<scenario>/logout_token?sid=..&sub=..   a back-channel logout token

The entra_* scenarios play Microsoft Entra's multi-tenant endpoints
instead: everything lives under /<scenario>/<common|organizations|
consumers>/v2.0/, and the issuer is the template
http://127.0.0.1:PORT/<scenario>/{tenantid}/v2.0.

The authorization endpoint asks nobody: it redirects straight back with a
code.  The token endpoint accepts any client id with the secret
"hostile-secret" (client_secret_basic or client_secret_post) and returns an
ID token that is correct except for what the scenario breaks.  The SCENARIOS
table at the bottom maps each name to the hooks it overrides.

Plain http on HOSTILE_PORT (default 3999).  Only the standard library and
python3-cryptography are used.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import fixture  # noqa: E402

CLIENT_SECRET = "hostile-secret"
SUBJECT = "mallory"
EMAIL = "mallory@hostile.example"
TOKEN_TTL = 300


# --- JOSE helpers ----------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(obj):
    return b64url(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


def int_to_b64url(number):
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


class RsaKey:
    """A private RSA key from a PEM file, with the kid we announce for it."""

    def __init__(self, filename, kid):
        with open(os.path.join(HERE, "keys", filename), "rb") as f:
            self.private = serialization.load_pem_private_key(f.read(), password=None)
        self.kid = kid

    def public_jwk(self):
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                "n": int_to_b64url(numbers.n), "e": int_to_b64url(numbers.e)}

    def public_pem(self):
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign_rs256(self, data):
        return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())


# The provider's key is the only one in the jwks.  The attacker key signs
# the tokens that must be rejected because their key is not published.
PROVIDER_KEY = RsaKey("provider.pem", "hostile-1")
ATTACKER_KEY = RsaKey("attacker.pem", "attacker-1")


def rs256_jwt(header, claims, key):
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}".encode("ascii")
    return f"{signing_input.decode('ascii')}.{b64url(key.sign_rs256(signing_input))}"


def at_hash(access_token):
    """OIDC Core 3.1.3.6: left half of the SHA-256 of the token, base64url."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url(digest[:len(digest) // 2])


# --- default behaviour (what "good" does) -----------------------------------
# Each hook receives what the endpoint would send and returns what it
# actually sends.  Scenarios replace single hooks.

def discovery_ok(metadata):
    return 200, metadata


def redirect_ok(params):
    return params


def claims_ok(claims):
    return claims


def sign_ok(claims):
    header = {"alg": "RS256", "typ": "JWT", "kid": PROVIDER_KEY.kid}
    return rs256_jwt(header, claims, PROVIDER_KEY)


def userinfo_ok(info):
    return info


# --- the scenarios, one small function each ---------------------------------

def sign_alg_none(claims):
    """Unsigned token: alg none and an empty signature part."""
    return f"{b64url_json({'alg': 'none', 'typ': 'JWT'})}.{b64url_json(claims)}."


def sign_bad_signature(claims):
    """A correct token with one byte of the signature flipped."""
    header = {"alg": "RS256", "typ": "JWT", "kid": PROVIDER_KEY.kid}
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}".encode("ascii")
    signature = bytearray(PROVIDER_KEY.sign_rs256(signing_input))
    signature[len(signature) // 2] ^= 0x01
    return f"{signing_input.decode('ascii')}.{b64url(bytes(signature))}"


def sign_hs256_pubkey(claims):
    """Key confusion: HMAC keyed with the provider's public key PEM (the
    SubjectPublicKeyInfo text, trailing newline included)."""
    header = {"alg": "HS256", "typ": "JWT", "kid": PROVIDER_KEY.kid}
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}".encode("ascii")
    mac = hmac.new(PROVIDER_KEY.public_pem(), signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode('ascii')}.{b64url(mac)}"


def sign_jwk_header(claims):
    """Signed by a key not in the jwks, offering that key in the header."""
    header = {"alg": "RS256", "typ": "JWT", "kid": ATTACKER_KEY.kid,
              "jwk": ATTACKER_KEY.public_jwk()}
    return rs256_jwt(header, claims, ATTACKER_KEY)


def sign_unknown_kid(claims):
    """Signed by a key whose kid the jwks does not list; a client may
    refetch the jwks once (see /stats) but must then give up."""
    header = {"alg": "RS256", "typ": "JWT", "kid": "rotated-away"}
    return rs256_jwt(header, claims, ATTACKER_KEY)


def claims_wrong_iss(claims):
    claims["iss"] = "http://evil.example"
    return claims


def claims_wrong_aud(claims):
    claims["aud"] = "someone-else"
    claims["azp"] = "someone-else"
    return claims


def claims_expired(claims):
    now = int(time.time())
    claims["iat"], claims["exp"] = now - 900, now - 600
    return claims


def claims_iat_future(claims):
    now = int(time.time())
    claims["iat"], claims["exp"] = now + 3600, now + 7200
    return claims


def claims_wrong_nonce(claims):
    claims["nonce"] = "not-the-nonce-you-sent"
    return claims


def claims_bad_at_hash(claims):
    claims["at_hash"] = at_hash("some-other-access-token")
    return claims


def claims_wrong_azp(claims):
    claims["aud"] = [claims["aud"], "other"]
    claims["azp"] = "other"
    return claims


def token_malformed_json(_response):
    return b'{"access_token": "x", '


def token_oversized(response):
    """A syntactically valid 3 MiB JSON answer."""
    body = dict(response, padding="")
    filler = 3 * 1024 * 1024 - len(json.dumps(body))
    body["padding"] = "A" * filler
    return json.dumps(body).encode("ascii")


def redirect_missing_iss(params):
    params.pop("iss", None)
    return params


def redirect_wrong_iss(params):
    params["iss"] = "http://evil.example"
    return params


def redirect_error(params):
    """Error response instead of a code (RFC 6749 4.1.2.1).  iss stays, as
    RFC 9207 requires it on error responses too."""
    return {"error": "access_denied",
            "error_description": "The hostile provider denies everything.",
            "state": params.get("state"), "iss": params.get("iss")}


def userinfo_sub_mismatch(info):
    info["sub"] = "someone-else"
    return info


def discovery_broken(_metadata):
    return 500, None


# a discovery document without a token endpoint: the relying party's
# configuration has to supply it, so this is the site's problem to fix
def discovery_incomplete(metadata):
    return 200, {k: v for k, v in metadata.items() if k != "token_endpoint"}


# Entra's common/organizations/consumers endpoints serve one discovery
# document for every tenant.  Its issuer is a template; each id_token names
# its tenant in tid and carries the template completed with some tenant.
# Each hook gets the claims and the template and fills in tid and iss.

MULTI_TENANT_SEGMENTS = ("common", "organizations", "consumers")
TENANT_A = "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
TENANT_B = "6b3f7a1e-2c4d-4e8f-9a0b-1c2d3e4f5a6b"


def entra_claims(claims, template, tid, iss_tenant):
    claims = dict(claims, iss=template.replace("{tenantid}", iss_tenant),
                  ver="2.0", preferred_username=EMAIL)
    if tid is not None:
        claims["tid"] = tid
    return claims


def tenant_good(claims, template):
    return entra_claims(claims, template, TENANT_A, TENANT_A)


def tenant_mismatch(claims, template):
    """A token of tenant A that claims tenant B's issuer."""
    return entra_claims(claims, template, TENANT_A, TENANT_B)


def tenant_missing(claims, template):
    """Tenant A's issuer, but no tid to tell which tenant is meant."""
    return entra_claims(claims, template, None, TENANT_A)


def tenant_traversal(claims, template):
    """tid is a path, and iss agrees with it: only a check of the tid
    itself can refuse this token."""
    return entra_claims(claims, template, "../evil", "../evil")


def tenant_guid_sized(claims, template):
    """Like tenant_traversal, but exactly as long as a GUID."""
    tid = ("../" * 12)[:len(TENANT_A)]
    return entra_claims(claims, template, tid, tid)


# Back-channel logout tokens (GET /<scenario>/logout_token?sid=..&sub=..):
# correct except for what an lt_* scenario breaks.  Logins through those
# scenarios are the "good" ones, so there is a session to (not) end.

def logout_claims_ok(claims):
    return claims


def logout_sign_ok(claims):
    header = {"alg": "RS256", "typ": "logout+jwt", "kid": PROVIDER_KEY.kid}
    return rs256_jwt(header, claims, PROVIDER_KEY)


def logout_without(name):
    def hook(claims):
        claims.pop(name, None)
        return claims
    hook.__doc__ = f"A logout token without {name}."
    return hook


def logout_with_nonce(claims):
    """A logout token that could pass for an ID token."""
    claims["nonce"] = "n-0S6_WzA2Mj"
    return claims


def logout_other_event(claims):
    claims["events"] = {"http://schemas.openid.net/event/other": {}}
    return claims


def logout_wrong_aud(claims):
    claims["aud"] = "another-client"
    return claims


def logout_expired(claims):
    now = int(time.time())
    claims["iat"], claims["exp"] = now - 900, now - 600
    return claims


def logout_sign_wrong_key(claims):
    """The attacker's key under the provider's kid."""
    header = {"alg": "RS256", "typ": "logout+jwt", "kid": PROVIDER_KEY.kid}
    return rs256_jwt(header, claims, ATTACKER_KEY)


DEFAULT_HOOKS = {
    "discovery": discovery_ok,
    "redirect": redirect_ok,
    "claims": claims_ok,
    "sign": sign_ok,
    "token_body": None,   # bytes-producing override of the token answer
    "token_delay": 0,     # seconds to sleep before the token answer
    "userinfo": userinfo_ok,
    "tenant": None,       # set: an Entra-like multi-tenant issuer
    # set: a refresh token comes with a short-lived access token, and a
    # refresh answers an id_token for the sub this returns (no real
    # provider turns a session into another user's: a forged answer)
    "refresh_sub": None,
    "logout_claims": logout_claims_ok,
    "logout_sign": logout_sign_ok,
}


def refresh_other_sub():
    return "someone-else"

SCENARIOS = {
    "good": {},
    "alg_none": {"sign": sign_alg_none},
    "bad_signature": {"sign": sign_bad_signature},
    "hs256_pubkey": {"sign": sign_hs256_pubkey},
    "wrong_iss": {"claims": claims_wrong_iss},
    "wrong_aud": {"claims": claims_wrong_aud},
    "expired": {"claims": claims_expired},
    "iat_future": {"claims": claims_iat_future},
    "wrong_nonce": {"claims": claims_wrong_nonce},
    "bad_at_hash": {"claims": claims_bad_at_hash},
    "wrong_azp": {"claims": claims_wrong_azp},
    "jwk_header": {"sign": sign_jwk_header},
    "unknown_kid": {"sign": sign_unknown_kid},
    "malformed_json": {"token_body": token_malformed_json},
    "oversized": {"token_body": token_oversized},
    "slow": {"token_delay": 20},
    "missing_iss_param": {"redirect": redirect_missing_iss},
    "wrong_iss_param": {"redirect": redirect_wrong_iss},
    "userinfo_sub_mismatch": {"userinfo": userinfo_sub_mismatch},
    "error_response": {"redirect": redirect_error},
    "discovery_broken": {"discovery": discovery_broken},
    "discovery_incomplete": {"discovery": discovery_incomplete},
    "entra_good": {"tenant": tenant_good},
    "entra_tid_mismatch": {"tenant": tenant_mismatch},
    "entra_no_tid": {"tenant": tenant_missing},
    "entra_bad_tid": {"tenant": tenant_traversal},
    "entra_tid_dots": {"tenant": tenant_guid_sized},
    "refresh_other_sub": {"refresh_sub": refresh_other_sub},
    "lt_good": {},
    "lt_alg_none": {"logout_sign": sign_alg_none},
    "lt_wrong_key": {"logout_sign": logout_sign_wrong_key},
    "lt_no_events": {"logout_claims": logout_without("events")},
    "lt_other_event": {"logout_claims": logout_other_event},
    "lt_nonce": {"logout_claims": logout_with_nonce},
    "lt_no_iat": {"logout_claims": logout_without("iat")},
    "lt_no_jti": {"logout_claims": logout_without("jti")},
    "lt_wrong_aud": {"logout_claims": logout_wrong_aud},
    "lt_expired": {"logout_claims": logout_expired},
    # the issuer of the forged access tokens (ep_access_token)
    "bearer": {},
}

# Access token lifetime of the refresh scenarios: short, so that the
# module's refresh (margin configured above it) is due at once.
REFRESH_TOKEN_TTL = 5


def hook(scenario, name):
    return SCENARIOS[scenario].get(name, DEFAULT_HOOKS[name])


# --- in-memory state ---------------------------------------------------------

class State:
    """Issued codes and tokens plus per-scenario counters, shared by the
    request threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.codes = {}
        self.access_tokens = {}
        self.refresh_tokens = {}
        self.stats = {name: {"jwks_fetches": 0, "token_requests": 0} for name in SCENARIOS}

    def count(self, scenario, counter):
        with self.lock:
            self.stats[scenario][counter] += 1

    def snapshot(self, scenario):
        with self.lock:
            return dict(self.stats[scenario])

    def remember_code(self, details):
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = details
        return code

    def take_code(self, code):
        """Codes are single use: the second redemption finds nothing."""
        with self.lock:
            return self.codes.pop(code, None)

    def remember_access_token(self, scenario):
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[token] = scenario
        return token

    def remember_refresh_token(self, details):
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[token] = details
        return token

    def refresh_details(self, token):
        with self.lock:
            return self.refresh_tokens.get(token)

    def knows_access_token(self, token):
        with self.lock:
            return token in self.access_tokens


STATE = State()


# --- forged access tokens (RFC 9068), for the bearer token tests -------------
# A mock for the negative cases: no real provider issues most of these.
# GET /<scenario>/access_token?case=NAME[&aud=...] answers one JWT access
# token of the scenario's issuer for the audience (default ACCESS_AUDIENCE),
# correct - typ at+jwt, signed by the published key - except for what NAME
# breaks.  "good" is the control that shows the others fail for their flaw.

ACCESS_AUDIENCE = "https://api.test/"
AT_HEADER = {"alg": "RS256", "typ": "at+jwt", "kid": PROVIDER_KEY.kid}


def access_claims(issuer, audience):
    now = int(time.time())
    return {"iss": issuer, "sub": SUBJECT, "aud": audience, "client_id": "api-client",
            "iat": now, "exp": now + TOKEN_TTL, "jti": secrets.token_urlsafe(8),
            "scope": "api:read"}


def at_good(header, claims):
    return rs256_jwt(header, claims, PROVIDER_KEY)


def at_unsigned(header, claims):
    return f"{b64url_json(dict(header, alg='none'))}.{b64url_json(claims)}."


def at_hs256_pubkey(header, claims):
    """Key confusion, as sign_hs256_pubkey: HMAC keyed with the public PEM."""
    header = dict(header, alg="HS256")
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}".encode("ascii")
    mac = hmac.new(PROVIDER_KEY.public_pem(), signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode('ascii')}.{b64url(mac)}"


def at_attacker(header, claims):
    """The published kid, signed by a key that is not published."""
    return rs256_jwt(header, claims, ATTACKER_KEY)


def at_with_jwk(header, claims):
    header = dict(header, kid=ATTACKER_KEY.kid, jwk=ATTACKER_KEY.public_jwk())
    return rs256_jwt(header, claims, ATTACKER_KEY)


def at_unknown_kid(header, claims):
    return rs256_jwt(dict(header, kid="rotated-away"), claims, ATTACKER_KEY)


def _now():
    return int(time.time())


# name -> (header change, claims change, signer)
ACCESS_CASES = {
    "good": (None, None, at_good),
    "other_aud": (None, lambda c: dict(c, aud="https://other-api.test/"), at_good),
    "aud_list": (None, lambda c: dict(c, aud=["https://other-api.test/", c["aud"]]), at_good),
    "expired": (None, lambda c: dict(c, iat=_now() - 900, exp=_now() - 600), at_good),
    "no_exp": (None, lambda c: {k: v for k, v in c.items() if k != "exp"}, at_good),
    "nbf_future": (None, lambda c: dict(c, nbf=_now() + 3600), at_good),
    "iat_future": (None, lambda c: dict(c, iat=_now() + 3600), at_good),
    "wrong_iss": (None, lambda c: dict(c, iss="http://evil.example"), at_good),
    "no_sub": (None, lambda c: {k: v for k, v in c.items() if k != "sub"}, at_good),
    "alg_none": (None, None, at_unsigned),
    "typ_jwt": (lambda h: dict(h, typ="JWT"), None, at_good),
    "no_typ": (lambda h: {k: v for k, v in h.items() if k != "typ"}, None, at_good),
    # an ID token of this issuer for a client whose id is the API's identifier
    "id_token": (lambda h: dict(h, typ="JWT"), lambda c: dict(c, azp=c["aud"], nonce="n"), at_good),
    "hs256_pubkey": (None, None, at_hs256_pubkey),
    "bad_signature": (None, None, at_attacker),
    "jwk_header": (None, None, at_with_jwk),
    "unknown_kid": (None, None, at_unknown_kid),
}


def forged_access_token(issuer, case, audience):
    header_change, claims_change, signer = ACCESS_CASES[case]
    header = header_change(dict(AT_HEADER)) if header_change else dict(AT_HEADER)
    claims = access_claims(issuer, audience)
    if claims_change:
        claims = claims_change(claims)
    return signer(header, claims)


# --- endpoint logic ---------------------------------------------------------

def issuer_for(base_url, scenario):
    return f"{base_url}/{scenario}"


def metadata_for(issuer, endpoints):
    """endpoints: the URL the endpoint paths hang off; the issuer itself
    except for multi-tenant scenarios, whose issuer is a template."""
    multi_tenant = "{tenantid}" in issuer
    metadata = {
        "issuer": issuer,
        "authorization_endpoint": f"{endpoints}/authorize",
        "token_endpoint": f"{endpoints}/token",
        "userinfo_endpoint": f"{endpoints}/userinfo",
        "jwks_uri": f"{endpoints}/jwks",
        "end_session_endpoint": f"{endpoints}/end_session",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "scopes_supported": ["openid", "email"],
        "claims_supported": ["sub", "email", "iss", "aud", "exp", "iat", "nonce"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }
    if multi_tenant:
        # Entra neither advertises nor sends the RFC 9207 iss parameter
        metadata["claims_supported"] += ["tid", "ver", "preferred_username"]
    else:
        metadata["authorization_response_iss_parameter_supported"] = True
    return metadata


def pkce_ok(details, verifier):
    """S256 only.  Without a challenge at authorize time there is nothing
    to check."""
    if not details.get("code_challenge"):
        return True
    if not verifier:
        return False
    computed = b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return hmac.compare_digest(computed, details["code_challenge"])


def client_credentials(headers, form):
    """(client_id, secret, method) from Basic auth or the form, else None."""
    auth = headers.get("Authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
        except ValueError:
            return None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " ")), "basic"
    if "client_secret" in form:
        return form.get("client_id", ""), form["client_secret"], "post"
    return None


def id_token_claims(issuer, details, access_token):
    now = int(time.time())
    claims = {"iss": issuer, "sub": SUBJECT, "aud": details["client_id"],
              "azp": details["client_id"], "exp": now + TOKEN_TTL, "iat": now,
              "at_hash": at_hash(access_token), "email": EMAIL}
    if details.get("sid") is not None:
        claims["sid"] = details["sid"]
    if details.get("nonce") is not None:
        claims["nonce"] = details["nonce"]
    return claims


def add_query(uri, params):
    """Appends params to a redirect URI that may already have a query."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    separator = "&" if urlsplit(uri).query else "?"
    return f"{uri}{separator}{query}"


# --- HTTP plumbing ------------------------------------------------------------

class Handler(fixture.Handler):
    server_version = "hostile-op/1"
    # \u escapes and a bare application/json, unlike the OAuth providers.
    JSON_UTF8 = False

    # Routing: /<scenario>/<endpoint>.  One method per endpoint below.
    ENDPOINTS = {
        ("GET", ".well-known/openid-configuration"): "discovery",
        ("GET", "authorize"): "authorize",
        ("POST", "token"): "token",
        ("GET", "userinfo"): "userinfo",
        ("POST", "userinfo"): "userinfo",
        ("GET", "jwks"): "jwks",
        ("GET", "end_session"): "end_session",
        ("GET", "logout_token"): "logout_token",
        ("GET", "stats"): "stats",
        ("GET", "access_token"): "access_token",
    }

    def route(self, method):
        # The first path segment names the scenario, so fixture.Handler's
        # table of fixed paths does not fit.
        url = urlsplit(self.path)
        scenario, _, endpoint = url.path.lstrip("/").partition("/")
        self.query_values = parse_qs(url.query)
        if url.path == "/":
            return self.send_json(200, {"scenarios": sorted(SCENARIOS)})
        if scenario not in SCENARIOS:
            return self.send_json(404, {"error": "no such scenario"})
        self.scenario = scenario
        self.issuer = self.endpoints = issuer_for(self.server.base_url, scenario)
        if hook(scenario, "tenant") is not None:
            segment, _, rest = endpoint.partition("/")
            version, _, endpoint = rest.partition("/")
            if segment not in MULTI_TENANT_SEGMENTS or version != "v2.0":
                return self.send_json(404, {"error": "no such tenant endpoint"})
            self.endpoints = f"{self.issuer}/{segment}/v2.0"
            self.issuer = f"{self.issuer}/{{tenantid}}/v2.0"
        action = self.ENDPOINTS.get((method, endpoint))
        if action is None:
            # a body left unread would be taken for the next request on a
            # kept-alive connection (the module's revocation test posts here)
            self.close_connection = True
            return self.send_json(404, {"error": "no such endpoint"},
                                  [("Connection", "close")])
        try:
            getattr(self, "ep_" + action)()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (as intended for "slow"); nothing to answer.
            self.close_connection = True

    # -- request

    def param(self, name):
        """The first value of a query parameter; a blank one counts as absent."""
        values = self.query_values.get(name)
        return values[0] if values else None

    def read_form(self):
        """The first value of each form field, blanks kept."""
        raw = self.read_body()
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    # -- endpoints

    def ep_discovery(self):
        metadata = metadata_for(self.issuer, self.endpoints)
        status, body = hook(self.scenario, "discovery")(metadata)
        if body is None:
            return self.send_bytes(status, b"discovery is broken\n", "text/plain")
        return self.send_json(status, body)

    def ep_authorize(self):
        redirect_uri = self.param("redirect_uri")
        client_id = self.param("client_id")
        if not redirect_uri or not client_id:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "client_id and redirect_uri required"})
        code = STATE.remember_code({
            "scenario": self.scenario, "client_id": client_id,
            "redirect_uri": redirect_uri, "nonce": self.param("nonce"),
            "code_challenge": self.param("code_challenge"),
            # the provider session, for back-channel logout
            "sid": secrets.token_urlsafe(12),
        })
        params = {"code": code, "state": self.param("state")}
        if hook(self.scenario, "tenant") is None:
            params["iss"] = self.issuer
        params = hook(self.scenario, "redirect")(params)
        self.redirect(add_query(redirect_uri, params))

    def token_error(self, status, error, description):
        headers = [("WWW-Authenticate", 'Basic realm="hostile"')] if status == 401 else []
        self.send_json(status, {"error": error, "error_description": description}, headers)

    def ep_token(self):
        STATE.count(self.scenario, "token_requests")
        try:
            form = self.read_form()
        except ValueError:
            self.close_connection = True  # the unread body would poison keep-alive
            return self.token_error(400, "invalid_request", "bad form body")

        creds = client_credentials(self.headers, form)
        if creds is None or creds[1] != CLIENT_SECRET:
            return self.token_error(401, "invalid_client", "client authentication failed")
        if form.get("grant_type") == "refresh_token" and hook(self.scenario, "refresh_sub"):
            return self.refresh(form)
        if form.get("grant_type") != "authorization_code":
            return self.token_error(400, "unsupported_grant_type", "only authorization_code")

        details = STATE.take_code(form.get("code", ""))
        if details is None or details["scenario"] != self.scenario:
            return self.token_error(400, "invalid_grant", "unknown or used code")
        if details["client_id"] != creds[0]:
            return self.token_error(400, "invalid_grant", "code was issued to another client")
        if form.get("redirect_uri", details["redirect_uri"]) != details["redirect_uri"]:
            return self.token_error(400, "invalid_grant", "redirect_uri mismatch")
        if not pkce_ok(details, form.get("code_verifier")):
            return self.token_error(400, "invalid_grant", "PKCE verification failed")

        time.sleep(hook(self.scenario, "token_delay"))
        self.send_token_response(details)

    def refresh(self, form):
        details = STATE.refresh_details(form.get("refresh_token", ""))
        if details is None:
            return self.token_error(400, "invalid_grant", "unknown refresh token")
        access_token = STATE.remember_access_token(self.scenario)
        claims = id_token_claims(self.issuer, dict(details, nonce=None), access_token)
        claims["sub"] = hook(self.scenario, "refresh_sub")()
        self.send_json(200, {"access_token": access_token, "token_type": "Bearer",
                             "expires_in": REFRESH_TOKEN_TTL,
                             "id_token": sign_ok(claims)})

    def send_token_response(self, details):
        access_token = STATE.remember_access_token(self.scenario)
        claims = id_token_claims(self.issuer, details, access_token)
        tenant = hook(self.scenario, "tenant")
        if tenant is not None:
            claims = tenant(claims, self.issuer)
        claims = hook(self.scenario, "claims")(claims)
        response = {"access_token": access_token, "token_type": "Bearer",
                    "expires_in": TOKEN_TTL, "id_token": hook(self.scenario, "sign")(claims)}
        if hook(self.scenario, "refresh_sub") is not None:
            response["refresh_token"] = STATE.remember_refresh_token(details)
            response["expires_in"] = REFRESH_TOKEN_TTL
        override = hook(self.scenario, "token_body")
        if override is not None:
            return self.send_bytes(200, override(response), "application/json")
        return self.send_json(200, response)

    def ep_userinfo(self):
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if not STATE.knows_access_token(token):
            return self.send_json(401, {"error": "invalid_token"},
                                  [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        info = hook(self.scenario, "userinfo")({"sub": SUBJECT, "email": EMAIL})
        self.send_json(200, info)

    def ep_jwks(self):
        STATE.count(self.scenario, "jwks_fetches")
        self.send_json(200, {"keys": [PROVIDER_KEY.public_jwk()]})

    def ep_end_session(self):
        target = self.param("post_logout_redirect_uri")
        if not target:
            return self.send_bytes(200, b"signed out\n", "text/plain")
        self.redirect(add_query(target, {"state": self.param("state")}))

    def ep_logout_token(self):
        """A logout token for hostile-client about sid and/or sub, as the
        scenario makes it; the test delivers it to the back-channel path."""
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": "hostile-client", "iat": now,
                  "exp": now + 120, "jti": secrets.token_urlsafe(16),
                  "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}
        for name in ("sid", "sub"):
            if self.param(name):
                claims[name] = self.param(name)
        claims = hook(self.scenario, "logout_claims")(claims)
        token = hook(self.scenario, "logout_sign")(claims)
        self.send_bytes(200, token.encode("ascii"), "text/plain")

    def ep_access_token(self):
        """A forged JWT access token (ACCESS_CASES): a mock for negative tests."""
        case = self.param("case") or "good"
        if case not in ACCESS_CASES:
            return self.send_json(404, {"error": "no such case", "cases": sorted(ACCESS_CASES)})
        token = forged_access_token(self.issuer, case, self.param("aud") or ACCESS_AUDIENCE)
        self.send_bytes(200, token.encode("ascii"), "text/plain")

    def ep_stats(self):
        self.send_json(200, STATE.snapshot(self.scenario))


def main():
    fixture.serve(Handler, "HOSTILE_PORT", 3999,
                  "hostile OP listening on {url}, scenarios: " + " ".join(SCENARIOS))


if __name__ == "__main__":
    main()
