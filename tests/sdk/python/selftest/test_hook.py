"""The recording HTTP client really sees what the SDK sees: pointed at a
stub server that answers badly, every bad answer becomes a violation, and
paging requests (next_page_uri) go through it too."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from twilio.rest import Client

from sdkharness.recording import Recorder, RecordingHttpClient
from sdkharness.spec import SpecValidator

ACC = "AC" + "b" * 32


def account(sid, date="Thu, 30 Jul 2015 20:00:00 +0000"):
    return {"auth_token": "c" * 32, "date_created": date, "date_updated": date,
            "friendly_name": "f", "owner_account_sid": ACC, "sid": sid, "status": "active",
            "subresource_uris": {}, "type": "Full", "uri": f"/2010-04-01/Accounts/{sid}.json"}


class Stub(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        path = urlsplit(self.path)
        if path.path == f"/2010-04-01/Accounts/{ACC}.json":
            body = account(ACC, date="2015-07-30T20:00:00Z")  # not RFC 2822
        elif path.path == "/2010-04-01/Accounts.json" and "PageToken" not in path.query:
            body = {"accounts": [account(ACC)], "end": 0, "first_page_uri": "/2010-04-01/Accounts.json?Page=0",
                    "next_page_uri": "/2010-04-01/Accounts.json?Page=1&PageToken=PAx", "page": 0,
                    "page_size": 1, "previous_page_uri": None, "start": 0,
                    "uri": "/2010-04-01/Accounts.json?Page=0"}
        elif path.path == "/2010-04-01/Accounts.json":
            body = {"accounts": [account("AC" + "d" * 32)], "end": 1,
                    "first_page_uri": "/2010-04-01/Accounts.json?Page=0", "next_page_uri": None,
                    "page": 1, "page_size": 1, "previous_page_uri": None, "start": 1,
                    "uri": "/2010-04-01/Accounts.json?Page=1", "total": 2}  # extra key
        else:
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"not found")
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def stub():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_every_response_the_sdk_sees_is_checked(stub):
    rec = Recorder(SpecValidator())
    client = Client(ACC, "c" * 32, http_client=RecordingHttpClient(rec))
    client.api.base_url = stub
    client.accounts.base_url = stub

    client.api.v2010.accounts(ACC).fetch()
    sids = [a.sid for a in client.api.v2010.accounts.list(page_size=1)]
    assert sids == [ACC, "AC" + "d" * 32]
    with pytest.raises(Exception):
        client.accounts.v1.secondary_auth_token().create()

    assert [e["url"].split("?")[0].replace(stub, "") for e in rec.exchanges] == [
        f"/2010-04-01/Accounts/{ACC}.json",
        "/2010-04-01/Accounts.json",
        "/2010-04-01/Accounts.json",  # the next page, followed by the SDK
        "/v1/AuthTokens/Secondary",
    ]
    problems = {v.url.replace(stub, "").split("?")[0] + ("#2" if "PageToken" in v.url else ""): v.problems
                for v in rec.violations}
    assert any("date-time-rfc-2822" in p for p in problems[f"/2010-04-01/Accounts/{ACC}.json"])
    assert any("total" in p for p in problems["/2010-04-01/Accounts.json#2"])
    assert "/2010-04-01/Accounts.json" not in problems  # the first page was fine
    assert any("Content-Type" in p for p in problems["/v1/AuthTokens/Secondary"])
