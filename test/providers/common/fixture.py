"""What the python test providers (hostile/, oauth1/, oauth2/) and their
selftest.py files have in common: the HTTP plumbing of a provider, its
in-memory counters, and the client side of a self-test.

Standard library only, so that every provider can import it whatever else
it needs.  Each importer puts this directory on sys.path itself.
"""

import base64
import hashlib
import json
import os
import re
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit


# --- provider side ------------------------------------------------------------

# Why the current request was turned down.  oauthlib's validator hooks may
# only answer True or False; they note their reason here so that the
# answer and the log can say more.  Per thread: requests run concurrently.
_REASONS = threading.local()


def reason(text):
    """Notes why a validator hook refuses; returns False for it to return."""
    _REASONS.list.append(text)
    return False


def reasons():
    return _REASONS.list


class Store:
    """Counters and last-seen values for GET /stats.  Providers keep their
    tokens next to them under the same lock: the test load is tiny, and
    one lock makes "single use" atomic across request threads."""

    def __init__(self, stats):
        self.lock = threading.RLock()
        self.stats = stats

    def count(self, name):
        with self.lock:
            self.stats[name] += 1

    def note(self, name, value):
        with self.lock:
            self.stats[name] = value

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.stats))  # a deep copy


class Handler(BaseHTTPRequestHandler):
    """Request logging, routing by ROUTES and the answer helpers.

    A subclass sets ROUTES {(method, path): name}, answered by its method
    ep_<name>, and says how its error answers look (send_problem,
    bad_request, NOT_FOUND, CLIENT_ERRORS)."""

    protocol_version = "HTTP/1.1"
    ROUTES = {}
    NOT_FOUND = "no such endpoint"
    # Exceptions an endpoint raises for a malformed request: bad_request()
    # answers them; any other exception is a bug in the provider (500).
    CLIENT_ERRORS = ()
    MAX_BODY = 64 * 1024
    # Raw UTF-8 with a charset, as Twitter and GitHub send JSON.
    JSON_UTF8 = True

    def log_message(self, fmt, *args):
        # Request lines go to stdout, one per request, like the node OP.
        sys.stdout.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), fmt % args))
        sys.stdout.flush()

    def log_line(self, text):
        """A detail below the request line, e.g. why it was refused."""
        sys.stdout.write(f"  {text}\n")
        sys.stdout.flush()

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        action = self.ROUTES.get((method, urlsplit(self.path).path))
        if action is None:
            return self.send_problem(404, self.NOT_FOUND)
        _REASONS.list = []
        try:
            self.body = self.read_body()
        except ValueError as err:
            return self.bad_request(err)
        try:
            getattr(self, "ep_" + action)()
        except self.CLIENT_ERRORS as err:
            self.bad_request(err)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away
        except Exception:  # a bug here must not leave the client hanging
            self.log_line(traceback.format_exc().replace("\n", "\n  "))
            self.send_problem(500, "internal error, see the provider log")

    def send_problem(self, status, message):
        self.send_text(status, message + "\n")

    def bad_request(self, err):
        self.log_line(f"bad request: {err}")
        self.send_problem(400, f"bad request: {err}")

    # -- request

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length).decode("utf-8") if length else ""

    def full_uri(self, path=None):
        # oauthlib rebuilds URIs (for OAuth 1 the signature base string)
        # from this, so it must be what the client addressed: its Host
        # header, our path.
        host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_port
        return f"http://{host}{path or self.path}"

    def query(self):
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

    def form(self):
        return dict(parse_qsl(self.body, keep_blank_values=True))

    # -- answers

    def send_bytes(self, status, body, content_type, extra_headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, obj, extra_headers=()):
        if self.JSON_UTF8:
            body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        else:
            body, content_type = json.dumps(obj).encode("ascii"), "application/json"
        self.send_bytes(status, body, content_type, extra_headers)

    def send_text(self, status, text):
        self.send_bytes(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def send_html(self, status, text):
        self.send_bytes(status, text.encode("utf-8"), "text/html; charset=utf-8")

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(ThreadingHTTPServer):
    # A thread still busy with a request (hostile's 20 s "slow" answer)
    # must not hold up the exit.
    daemon_threads = True


def serve(handler, port_variable, default_port, banner):
    """Serves on 127.0.0.1, port from the environment, until interrupted.
    banner is printed once the socket listens, {url} filled in."""
    port = int(os.environ.get(port_variable, str(default_port)))
    server = Server(("127.0.0.1", port), handler)
    server.base_url = f"http://127.0.0.1:{port}"
    print(banner.format(url=server.base_url), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


# --- self-test side -----------------------------------------------------------

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # The redirects are what the self-tests look at.
    def redirect_request(self, *args):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http(method, url, body=None, headers=None, timeout=10):
    """(status, headers, body text); HTTP errors are answers, not raised."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode("utf-8")


def get_json(url):
    return json.loads(http("GET", url)[2])


def s256(verifier):
    """The PKCE code_challenge for a code_verifier (RFC 7636, S256)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(location):
    return dict(parse_qsl(urlsplit(location).query))


def hidden_inputs(page):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def check_login_page(page, action):
    """The one login form both OAuth providers show (README, section 5)."""
    assert f'<form method="post" action="{action}">' in page, page
    for needle in ('name="login"', 'name="password"', 'name="action" value="allow"',
                   'name="action" value="deny"'):
        assert needle in page, needle


def submit_login(url, page, user, password, action="allow"):
    """Posts the page's hidden inputs with the login, like a browser."""
    fields = hidden_inputs(page)
    fields.update(login=user, password=password, action=action)
    return http("POST", url, urlencode(fields), FORM_HEADERS)


def run_checks(checks):
    """Runs every (name, function) pair, reports each and "N passed, M
    failed"; returns the exit status."""
    passed = failed = 0
    for name, check in checks:
        try:
            check()
        except Exception as err:  # report every failure, keep going
            failed += 1
            print(f"not ok - {name}: {type(err).__name__}: {err}")
        else:
            passed += 1
            print(f"ok - {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
