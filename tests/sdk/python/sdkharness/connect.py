"""Connect as a test drives it: an app owner registers a Connect App over the
API, a customer approves it on the consent page the way a browser does (plain
HTTP, no JavaScript needed), and a local receiver catches the callbacks."""

from __future__ import annotations

import html
import http.server
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import requests

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# The consent form sends back the permissions its page showed, as a browser
# sends every hidden field: the grant holds exactly those.
SHOWN = re.compile(r'name="permissions" value="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
REDIRECT = "https://app.example.com/twilio/authorize"


def create_app(base_url: str, owner: dict, *, permissions: list[str], deauthorize_url: str | None = None,
               method: str = "POST", name: str = "Call Analytics", authorize_url: str = REDIRECT) -> dict:
    """A Connect App of `owner` (extension: Twilio only does this in its console)."""
    form = [("FriendlyName", name), ("CompanyName", "Rossum Telecom"),
            ("AuthorizeRedirectUrl", authorize_url)]
    form += [("Permissions", p) for p in permissions]
    if deauthorize_url:
        form += [("DeauthorizeCallbackUrl", deauthorize_url), ("DeauthorizeCallbackMethod", method)]
    r = requests.post(f"{base_url}/2010-04-01/Accounts/{owner['sid']}/ConnectApps.json",
                      data=form, auth=(owner["sid"], owner["auth_token"]), timeout=30)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


class Customer:
    """A customer's browser: signs in once, then decides on consent pages."""

    def __init__(self, base_url: str, account: dict):
        self.base = base_url
        self.account = account
        self.http = requests.Session()
        page = self.http.get(f"{base_url}/signin", timeout=30)
        r = self.http.post(f"{base_url}/signin", allow_redirects=False, timeout=30, data={
            "csrf_token": CSRF.search(page.text).group(1), "next": "/console",
            "email": account["email"], "password": account["password"]})
        assert r.status_code in (302, 303), (r.status_code, r.text[:500])

    def decide(self, app_sid: str, decision: str, state: str = "xyz") -> dict[str, str]:
        """Opens the Connect link, presses Authorize or Deny, and returns the
        query of the redirect back to the app."""
        consent = f"{self.base}/authorize/{app_sid}?" + urllib.parse.urlencode({"state": state})
        page = self.http.get(consent, timeout=30)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        r = self.http.post(f"{self.base}/authorize/{app_sid}", allow_redirects=False, timeout=30, data={
            "csrf_token": CSRF.search(page.text).group(1), "permissions": SHOWN.search(page.text).group(1),
            "state": state, "decision": decision})
        assert r.status_code == 302, (r.status_code, r.text[:500])
        location = r.headers["Location"]
        assert location.startswith("https://app.example.com/twilio/authorize?"), location
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def follow(self, link: str, decision: str) -> str:
        """Opens a Connect link as the app made it (any query), presses
        Authorize or Deny sending back every hidden field of the form, as a
        browser does, and returns where the redirect sends the browser."""
        page = self.http.get(link, timeout=30)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        form = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
        form["decision"] = decision
        app_sid = urllib.parse.urlsplit(link).path.rsplit("/", 1)[1]
        r = self.http.post(f"{self.base}/authorize/{app_sid}", allow_redirects=False, timeout=30, data=form)
        assert r.status_code == 302, (r.status_code, r.text[:500])
        return r.headers["Location"]

    def authorize(self, app_sid: str) -> str:
        """Approves the app; returns the dedicated subaccount's SID."""
        return self.decide(app_sid, "authorize")["AccountSid"]


@dataclass
class Hit:
    method: str
    url: str  # as the sender addressed it: scheme, host, port, path and query
    form: dict[str, str]
    headers: dict[str, str]  # names in lower case


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records every request and answers 200:
    with an empty body, or with what `answer` scripted for the request's path."""

    hits: list[Hit] = field(default_factory=list)
    # path (without the query) -> (body, Content-Type)
    answers: dict[str, tuple[str, str]] = field(default_factory=dict)
    # path (without the query) -> seconds to wait before answering
    delays: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                # Blank values are kept: Twilio sends (and signs) empty
                # parameters such as FromCity.
                form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
                receiver.hits.append(Hit(
                    self.command, f"http://{self.headers['Host']}{self.path}",
                    form, {k.lower(): v for k, v in self.headers.items()}))
                path = urllib.parse.urlsplit(self.path).path
                scripted = receiver.answers.get(path)
                time.sleep(receiver.delays.get(path, 0))
                self.send_response(200)
                if scripted is None:
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = scripted[0].encode()
                self.send_header("Content-Type", scripted[1])
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _record

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def answer(self, path: str, body: str, content_type: str = "application/xml") -> None:
        """From now on, requests for `path` (any query) get 200 with this
        body and Content-Type, e.g. TwiML for a webhook."""
        self.answers[path] = (body, content_type)

    def delay(self, path: str, seconds: float) -> None:
        """From now on, requests for `path` are answered `seconds` late (to
        queue a call's input before its `<Gather>` runs, say)."""
        self.delays[path] = seconds

    def wait_for(self, n: int, timeout: float = 20.0) -> list[Hit]:
        deadline = time.monotonic() + timeout
        while len(self.hits) < n:
            assert time.monotonic() < deadline, f"{len(self.hits)} of {n} callbacks arrived"
            time.sleep(0.05)
        return self.hits

    def close(self):
        self.server.shutdown()
        self.server.server_close()
