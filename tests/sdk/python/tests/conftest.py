"""Fixtures: one real Switchboard per pytest session on a fresh database
(SQLite, or PostgreSQL when SDK_BACKEND=postgres), main accounts made with
the CLI, and SDK clients whose every response is checked against Twilio's
OpenAPI document.

A response that breaks the document fails the test that provoked it (in
setup, call or teardown), even when the test's own assertions pass."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from twilio.rest import Client

from sdkharness.connect import Receiver
from sdkharness.recording import Recorder, RecordingHttpClient
from sdkharness.server import Database, Server
from sdkharness.spec import SpecValidator

BACKEND = os.environ.get("SDK_BACKEND", "sqlite")
_RECORDER: Recorder | None = None


def recorder() -> Recorder:
    global _RECORDER
    if _RECORDER is None:
        out = os.environ.get("SDK_RECORD_DIR")
        path = None
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            path = Path(out) / f"python-{BACKEND}.jsonl"
            path.unlink(missing_ok=True)
        _RECORDER = Recorder(SpecValidator(), path)
    return _RECORDER


class SpecViolations(AssertionError):
    pass


def _check_phase(item, phase: str):
    rec = recorder()
    rec.context = item.nodeid
    try:
        return (yield)
    finally:
        found = rec.take_violations(item.nodeid)
        if found:
            report = "\n".join(v.render() for v in found)
            raise SpecViolations(
                f"{len(found)} response(s) during {phase} do not match Twilio's OpenAPI document:\n{report}"
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _check_phase(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _check_phase(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    return (yield from _check_phase(item, "teardown"))


def pytest_terminal_summary(terminalreporter):
    rec = _RECORDER
    if rec is None or not rec.exchanges:
        return
    tr = terminalreporter
    tr.section(f"Responses checked against Twilio's OpenAPI document ({BACKEND})")
    for op, n in sorted(rec.operations.items()):
        tr.write_line(f"{n:6d}  {op}")
    tr.write_line(f"{sum(rec.operations.values()):6d}  responses in all")
    rec.close()


# --------------------------------------------------------------------------
# The server


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("switchboard")
    db = Database.fresh(BACKEND, workdir, "sdk_py")
    srv = Server(db, workdir)
    try:
        srv.start()
        yield srv
        srv.stop(check=True)
    finally:
        srv.stop(check=False)
        db.drop()


@pytest.fixture(scope="session")
def make_client(server):
    """An official SDK client for these credentials, pointed at Switchboard
    only by its base URLs."""

    def make(sid: str, token: str, account_sid: str | None = None) -> Client:
        # With an API key, `sid` and `token` are the key's SID and secret and
        # `account_sid` the account it acts on, as Client(key, secret, account).
        client = Client(sid, token, account_sid, http_client=RecordingHttpClient(recorder()))
        client.api.base_url = server.base_url
        client.accounts.base_url = server.base_url
        client.messaging.base_url = server.base_url
        return client

    return make


@pytest.fixture
def main_account(server):
    """A fresh Full main account (made with the CLI), as its JSON."""
    return server.create_main_account(f"SDK main {secrets.token_hex(3)}", full=True)


@pytest.fixture
def main_client(main_account, make_client):
    return make_client(main_account["sid"], main_account["auth_token"])


@pytest.fixture
def exchanges():
    """What the SDK sent and received from here on: call it to get the list."""
    rec = recorder()
    start = len(rec.exchanges)
    return lambda: rec.exchanges_since(start)


@pytest.fixture
def receiver():
    """A webhook receiver on loopback, closed after the test."""
    r = Receiver()
    yield r
    r.close()
