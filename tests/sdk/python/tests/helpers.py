from __future__ import annotations

import datetime
import json
import re
import time

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException

ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
AUTH_TOKEN = re.compile(r"[0-9a-f]{32}")


def assert_account(acc, *, sid=None, owner=None, friendly_name=None, status=None, type_=None):
    """The fields every account read must carry, as the SDK deserialised them."""
    assert ACCOUNT_SID.fullmatch(acc.sid or ""), acc.sid
    if sid is not None:
        assert acc.sid == sid
    if owner is not None:
        assert acc.owner_account_sid == owner
    if friendly_name is not None:
        assert acc.friendly_name == friendly_name
    if status is not None:
        assert acc.status == status
    if type_ is not None:
        assert acc.type == type_
    # The SDK parsed Twilio's RFC 2822 dates into aware datetimes.
    for d in (acc.date_created, acc.date_updated):
        assert isinstance(d, datetime.datetime), d
        assert d.tzinfo is not None
    assert acc.date_updated >= acc.date_created
    assert acc.uri == f"/2010-04-01/Accounts/{acc.sid}.json"
    assert isinstance(acc.subresource_uris, dict) and acc.subresource_uris
    for name, uri in acc.subresource_uris.items():
        assert uri.startswith(f"/2010-04-01/Accounts/{acc.sid}/"), (name, uri)
        assert uri.endswith(".json"), (name, uri)


def rest_error(fn, *args, **kwargs) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as info:
        fn(*args, **kwargs)
    return info.value


def assert_rest_error(exc: TwilioRestException, status: int, code: int | None = None):
    assert exc.status == status, f"HTTP {exc.status} ({exc.code}: {exc.msg}), expected {status}"
    assert isinstance(exc.code, int), exc.code
    if code is not None:
        assert exc.code == code, f"code {exc.code} ({exc.msg}), expected {code}"


def list_error(fn, *args, **kwargs) -> tuple[int, int | None]:
    """(HTTP status, Twilio code) of a failed list/page call: the SDK's Page
    raises a plain TwilioException carrying the response, not a
    TwilioRestException."""
    with pytest.raises(TwilioException) as info:
        fn(*args, **kwargs)
    assert not isinstance(info.value, TwilioRestException)
    response = info.value.args[1]
    try:
        code = json.loads(response.text).get("code")
    except ValueError:
        code = None
    return response.status_code, code


def settle(fetch, done, timeout=15.0):
    """Calls `fetch` until `done` holds for what it returns (simulated calls
    and messages move on by themselves): returns that."""
    deadline = time.monotonic() + timeout
    while True:
        item = fetch()
        if done(item):
            return item
        assert time.monotonic() < deadline, f"never settled: {item}"
        time.sleep(0.05)
