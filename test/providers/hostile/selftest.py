#!/usr/bin/python3
"""Checks that a running hostile.py misbehaves exactly as documented.

Plays the relying party for every scenario (authorize, token, userinfo),
then validates the answer with its own small validator, written separately
from hostile.py, and asserts that the one intended defect -- and only that
one -- is present.  Prints "N passed, N failed"; exits non-zero on failure.

    HOSTILE_PORT=3999 /usr/bin/python3 selftest.py

Takes a few seconds (the "slow" check waits for a 2 s client timeout).
"""

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import time
import urllib.error
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from fixture import FORM_HEADERS, get_json, http, query_of, run_checks, s256  # noqa: E402

BASE = f"http://127.0.0.1:{os.environ.get('HOSTILE_PORT', '3999')}"
REDIRECT_URI = "http://127.0.0.1:8529/auth/callback"
CLIENT_ID = "selftest"
SECRET = "hostile-secret"
VERIFIER = "selftest-verifier-0123456789-0123456789-0123456789"
# the tenants the entra_* scenarios use (README, section 3)
TENANT_A = "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
TENANT_B = "6b3f7a1e-2c4d-4e8f-9a0b-1c2d3e4f5a6b"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def authorize(scenario, nonce="n-123", state="s-456"):
    query = urlencode({"client_id": CLIENT_ID, "response_type": "code", "scope": "openid",
                       "redirect_uri": REDIRECT_URI, "state": state, "nonce": nonce,
                       "code_challenge": s256(VERIFIER), "code_challenge_method": "S256"})
    status, headers, _ = http("GET", f"{BASE}/{scenario}/authorize?{query}")
    assert status == 302, status
    location = headers["Location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    return query_of(location)


def token_request(scenario, code, timeout=10):
    form = urlencode({"grant_type": "authorization_code", "code": code,
                      "redirect_uri": REDIRECT_URI, "code_verifier": VERIFIER})
    auth = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    return http("POST", f"{BASE}/{scenario}/token", form,
                dict(FORM_HEADERS, Authorization=f"Basic {auth}"), timeout)


def tokens(scenario):
    params = authorize(scenario)
    status, headers, body = token_request(scenario, params["code"])
    assert status == 200, (status, body[:200])
    assert headers["Content-Type"].startswith("application/json")
    return json.loads(body)


def jwks_key(scenario, kid):
    _, _, body = http("GET", f"{BASE}/{scenario}/jwks")
    for jwk in json.loads(body)["keys"]:
        if jwk["kid"] == kid:
            numbers = rsa.RSAPublicNumbers(int.from_bytes(unb64(jwk["e"]), "big"),
                                           int.from_bytes(unb64(jwk["n"]), "big"))
            return numbers.public_key()
    return None


def tenant_issuer(template):
    """How a strict RP of a multi-tenant issuer finds the iss to expect: the
    token's tid must be a GUID, and completes the template.  None: no
    usable tid."""
    def issuer_of(claims):
        tid = claims.get("tid")
        if not isinstance(tid, str) or not GUID.fullmatch(tid):
            return None
        return template.replace("{tenantid}", tid)
    return issuer_of


def problems(scenario, response, issuer_of=None):
    """Everything a strict RP would object to in this token response.
    scenario is the path the endpoints hang off; issuer_of, if given,
    tells the iss to expect from the claims (else the scenario's issuer)."""
    found = []
    header_b64, payload_b64, sig_b64 = response["id_token"].split(".")
    header, claims = json.loads(unb64(header_b64)), json.loads(unb64(payload_b64))
    if header.get("alg") != "RS256":
        found.append("alg")
    key = jwks_key(scenario, header.get("kid"))
    if key is None:
        found.append("kid")
    elif header.get("alg") == "RS256":
        try:
            key.verify(unb64(sig_b64), f"{header_b64}.{payload_b64}".encode(),
                       padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            found.append("signature")
    now = time.time()
    issuer = issuer_of(claims) if issuer_of else f"{BASE}/{scenario}"
    if issuer is None:
        found.append("tid")
    elif claims.get("iss") != issuer:
        found.append("iss")
    expected = {"nonce": "n-123", "sub": "mallory"}
    found += [name for name, value in expected.items() if claims.get(name) != value]
    aud = claims.get("aud")
    if aud != CLIENT_ID and not (isinstance(aud, list) and CLIENT_ID in aud):
        found.append("aud")
    if claims.get("azp") != CLIENT_ID:
        found.append("azp")
    if claims.get("exp", 0) <= now:
        found.append("exp")
    if claims.get("iat", 0) > now + 60:
        found.append("iat")
    digest = hashlib.sha256(response["access_token"].encode()).digest()
    if claims.get("at_hash") != base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode():
        found.append("at_hash")
    return found, header


def check_token_defect(scenario, expected_problems):
    found, _ = problems(scenario, tokens(scenario))
    assert sorted(found) == sorted(expected_problems), found


# --- one check per scenario -------------------------------------------------

def check_good():
    response = tokens("good")
    assert problems("good", response)[0] == []
    status, _, body = http("GET", f"{BASE}/good/userinfo",
                           headers={"Authorization": f"Bearer {response['access_token']}"})
    assert status == 200 and json.loads(body)["sub"] == "mallory"
    meta = get_json(f"{BASE}/good/.well-known/openid-configuration")
    assert meta["issuer"] == f"{BASE}/good"
    assert meta["authorization_response_iss_parameter_supported"] is True


def check_alg_none():
    response = tokens("alg_none")
    assert response["id_token"].endswith(".")
    assert json.loads(unb64(response["id_token"].split(".")[0]))["alg"] == "none"


def check_hs256_pubkey():
    response = tokens("hs256_pubkey")
    found, header = problems("hs256_pubkey", response)
    assert header["alg"] == "HS256" and found == ["alg"], found
    # It really is an HMAC keyed with the PEM of the published key.
    pem = jwks_key("hs256_pubkey", header["kid"]).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    head, payload, sig = response["id_token"].split(".")
    mac = hmac.new(pem, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    assert mac == unb64(sig)


def check_jwk_header():
    found, header = problems("jwk_header", tokens("jwk_header"))
    assert found == ["kid"] and header["jwk"]["kty"] == "RSA", (found, header)


def check_unknown_kid():
    before = get_json(f"{BASE}/unknown_kid/stats")
    found, _ = problems("unknown_kid", tokens("unknown_kid"))
    after = get_json(f"{BASE}/unknown_kid/stats")
    assert found == ["kid"], found
    assert after["jwks_fetches"] == before["jwks_fetches"] + 1
    assert after["token_requests"] == before["token_requests"] + 1


def check_malformed_json():
    status, headers, body = token_request("malformed_json", authorize("malformed_json")["code"])
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert body == '{"access_token": "x", '


def check_oversized():
    status, _, body = token_request("oversized", authorize("oversized")["code"])
    assert status == 200 and len(body) >= 3 * 1024 * 1024
    json.loads(body)


def check_slow():
    code = authorize("slow")["code"]
    try:
        token_request("slow", code, timeout=2)
    except (socket.timeout, TimeoutError, urllib.error.URLError):
        return
    raise AssertionError("slow answered within 2 s")


def check_missing_iss_param():
    assert "iss" not in authorize("missing_iss_param")


def check_wrong_iss_param():
    assert authorize("wrong_iss_param")["iss"] == "http://evil.example"


def check_userinfo_sub_mismatch():
    response = tokens("userinfo_sub_mismatch")
    assert problems("userinfo_sub_mismatch", response)[0] == []
    _, _, body = http("GET", f"{BASE}/userinfo_sub_mismatch/userinfo",
                      headers={"Authorization": f"Bearer {response['access_token']}"})
    assert json.loads(body)["sub"] == "someone-else"


def check_error_response():
    params = authorize("error_response")
    assert params["error"] == "access_denied" and "code" not in params
    assert params["state"] == "s-456" and params["iss"] == f"{BASE}/error_response"


def check_discovery_broken():
    assert http("GET", f"{BASE}/discovery_broken/.well-known/openid-configuration")[0] == 500


def check_discovery_incomplete():
    status, _, body = http("GET", f"{BASE}/discovery_incomplete/.well-known/openid-configuration")
    doc = json.loads(body)
    assert status == 200 and "authorization_endpoint" in doc and "token_endpoint" not in doc


def check_iss_param_everywhere_else():
    """Every scenario not about the iss parameter sends the right one
    (Entra-like ones send none, see check_entra_endpoints)."""
    skip = {"missing_iss_param", "wrong_iss_param"}
    names = get_json(f"{BASE}/")["scenarios"]
    for name in set(names) - skip:
        if not name.startswith("entra_"):
            assert authorize(name)["iss"] == f"{BASE}/{name}", name


def discovery(path):
    status, _, body = http("GET", f"{BASE}/{path}/.well-known/openid-configuration")
    assert status == 200, (path, status)
    return json.loads(body)


def check_entra_endpoints():
    """One template issuer behind each multi-tenant segment, endpoints under
    the segment asked for, no RFC 9207 iss parameter (as Entra)."""
    template = f"{BASE}/entra_good/{{tenantid}}/v2.0"
    for segment in ("common", "organizations", "consumers"):
        path = f"entra_good/{segment}/v2.0"
        meta = discovery(path)
        assert meta["issuer"] == template, meta["issuer"]
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri",
                     "userinfo_endpoint"):
            assert meta[name].startswith(f"{BASE}/{path}/"), meta[name]
        assert "authorization_response_iss_parameter_supported" not in meta
        params = authorize(path)
        assert "iss" not in params and params["state"] == "s-456", params
    for path in ("entra_good", "entra_good/evil/v2.0", "entra_good/common/v1.0"):
        status = http("GET", f"{BASE}/{path}/.well-known/openid-configuration")[0]
        assert status == 404, (path, status)
    response = tokens("entra_good/organizations/v2.0")
    _, _, body = http("GET", f"{BASE}/entra_good/organizations/v2.0/userinfo",
                      headers={"Authorization": f"Bearer {response['access_token']}"})
    assert json.loads(body)["sub"] == "mallory"


def check_entra(name, defects, tid, iss_tenant):
    """The token's tid and iss are as documented, and a strict RP finds
    exactly the intended defects."""
    path = f"{name}/common/v2.0"
    template = discovery(path)["issuer"]
    assert template == f"{BASE}/{name}/{{tenantid}}/v2.0", template
    response = tokens(path)
    found, _ = problems(path, response, tenant_issuer(template))
    assert sorted(found) == sorted(defects), found
    claims = json.loads(unb64(response["id_token"].split(".")[1]))
    assert claims.get("tid") == tid, claims.get("tid")
    assert claims["iss"] == template.replace("{tenantid}", iss_tenant), claims["iss"]
    assert claims["preferred_username"] == "mallory@hostile.example"


# Forged access tokens (hostile.py ACCESS_CASES): each has its one defect,
# as a strict resource server (RFC 9068 4) for https://api.test/ sees it.

ACCESS_AUDIENCE = "https://api.test/"


def access_problems(token):
    found = []
    parts = token.split(".")
    header, claims = json.loads(unb64(parts[0])), json.loads(unb64(parts[1]))
    if header.get("alg") != "RS256":
        found.append("alg")
    if header.get("typ") != "at+jwt":
        found.append("typ")
    if "jwk" in header:
        found.append("jwk")
    key = jwks_key("bearer", header.get("kid"))
    if key is None:
        found.append("kid")
    elif header.get("alg") == "RS256":
        try:
            key.verify(unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode(),
                       padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            found.append("signature")
    now = time.time()
    if claims.get("iss") != f"{BASE}/bearer":
        found.append("iss")
    aud = claims.get("aud")
    if aud != ACCESS_AUDIENCE and not (isinstance(aud, list) and ACCESS_AUDIENCE in aud):
        found.append("aud")
    if "exp" not in claims:
        found.append("no_exp")
    elif claims["exp"] <= now:
        found.append("exp")
    if claims.get("nbf", 0) > now + 60:
        found.append("nbf")
    if claims.get("iat", 0) > now + 60:
        found.append("iat")
    if claims.get("sub") != "mallory":
        found.append("sub")
    return found


ACCESS_DEFECTS = {
    "good": [], "aud_list": [], "other_aud": ["aud"], "expired": ["exp"],
    "no_exp": ["no_exp"], "nbf_future": ["nbf"], "iat_future": ["iat"],
    "wrong_iss": ["iss"], "no_sub": ["sub"], "alg_none": ["alg"],
    "typ_jwt": ["typ"], "no_typ": ["typ"], "id_token": ["typ"],
    "hs256_pubkey": ["alg"], "bad_signature": ["signature"],
    "jwk_header": ["jwk", "kid"], "unknown_kid": ["kid"],
}


def check_access_tokens():
    cases = json.loads(http("GET", f"{BASE}/bearer/access_token?case=nope")[2])["cases"]
    assert sorted(cases) == sorted(ACCESS_DEFECTS), cases
    for case, defects in ACCESS_DEFECTS.items():
        status, _, token = http("GET", f"{BASE}/bearer/access_token?case={case}")
        assert status == 200, (case, status)
        found = access_problems(token)
        assert sorted(found) == sorted(defects), (case, found)


CHECKS = [
    ("good", check_good),
    ("alg_none", check_alg_none),
    ("bad_signature", lambda: check_token_defect("bad_signature", ["signature"])),
    ("hs256_pubkey", check_hs256_pubkey),
    ("wrong_iss", lambda: check_token_defect("wrong_iss", ["iss"])),
    ("wrong_aud", lambda: check_token_defect("wrong_aud", ["aud", "azp"])),
    ("expired", lambda: check_token_defect("expired", ["exp"])),
    ("iat_future", lambda: check_token_defect("iat_future", ["iat"])),
    ("wrong_nonce", lambda: check_token_defect("wrong_nonce", ["nonce"])),
    ("bad_at_hash", lambda: check_token_defect("bad_at_hash", ["at_hash"])),
    ("wrong_azp", lambda: check_token_defect("wrong_azp", ["azp"])),
    ("jwk_header", check_jwk_header),
    ("unknown_kid", check_unknown_kid),
    ("malformed_json", check_malformed_json),
    ("oversized", check_oversized),
    ("slow", check_slow),
    ("missing_iss_param", check_missing_iss_param),
    ("wrong_iss_param", check_wrong_iss_param),
    ("userinfo_sub_mismatch", check_userinfo_sub_mismatch),
    ("error_response", check_error_response),
    ("discovery_broken", check_discovery_broken),
    ("discovery_incomplete", check_discovery_incomplete),
    ("iss parameter in all other scenarios", check_iss_param_everywhere_else),
    ("entra endpoints", check_entra_endpoints),
    ("entra_good", lambda: check_entra("entra_good", [], TENANT_A, TENANT_A)),
    ("entra_tid_mismatch",
     lambda: check_entra("entra_tid_mismatch", ["iss"], TENANT_A, TENANT_B)),
    ("entra_no_tid", lambda: check_entra("entra_no_tid", ["tid"], None, TENANT_A)),
    ("entra_bad_tid", lambda: check_entra("entra_bad_tid", ["tid"], "../evil", "../evil")),
    ("entra_tid_dots", lambda: check_entra("entra_tid_dots", ["tid"], "../" * 12, "../" * 12)),
    ("forged access tokens", check_access_tokens),
]


if __name__ == "__main__":
    sys.exit(run_checks(CHECKS))
