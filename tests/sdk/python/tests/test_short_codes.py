"""Short codes with the official Python SDK: provisioned by the operator's
command line (`switchboard short-codes add`), then listed (with the
FriendlyName and ShortCode filters), fetched and configured through the
API, and sent from. Every answer is checked against Twilio's 2010
document."""

from __future__ import annotations

import json
import time

from helpers import assert_rest_error, rest_error


def provision(server, account_sid: str, code: str, name: str | None = None) -> dict:
    args = ["short-codes", "add", "--database-url", server.db.url, "--account", account_sid,
            "--short-code", code, "--json"]
    if name:
        args += ["--friendly-name", name]
    return json.loads(server.cli(*args))


def test_short_codes_are_read_configured_and_sent_from(server, main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    first = provision(server, main_account["sid"], "894546", "Alerts")
    second = provision(server, main_account["sid"], "12345")

    listed = account.short_codes.list()
    assert [c.sid for c in listed] == [first["sid"], second["sid"]]
    assert [c.sid for c in account.short_codes.list(short_code="12345")] == [second["sid"]]
    assert [c.sid for c in account.short_codes.list(friendly_name="Alerts")] == [first["sid"]]
    assert [c.sid for c in account.short_codes.stream(page_size=1)] == [first["sid"], second["sid"]]

    fetched = account.short_codes(second["sid"]).fetch()
    assert (fetched.short_code, fetched.friendly_name, fetched.api_version) == ("12345", "12345", "2010-04-01")
    assert (fetched.sms_url, fetched.sms_method) == (None, "POST")

    updated = account.short_codes(second["sid"]).update(
        friendly_name="Codes", sms_url="https://app.example.com/sc", sms_method="GET",
        sms_fallback_url="https://app.example.com/fallback", sms_fallback_method="POST",
        api_version="2010-04-01")
    assert (updated.friendly_name, updated.sms_url, updated.sms_method) == (
        "Codes", "https://app.example.com/sc", "GET")
    assert updated.sms_fallback_url == "https://app.example.com/fallback"
    assert_rest_error(rest_error(account.short_codes(second["sid"]).update, sms_url="not a url"), 400, 21502)

    message = account.messages.create(from_="12345", to="+14155550100", body="Your code is 4321")
    assert message.from_ == "12345"
    deadline = time.monotonic() + 10
    while account.messages(message.sid).fetch().status != "delivered":
        assert time.monotonic() < deadline, "never delivered"
        time.sleep(0.05)
    assert_rest_error(rest_error(account.messages.create, from_="77777", to="+14155550100", body="x"), 400, 21606)

    other = server.create_main_account("Someone else", full=True)
    assert_rest_error(
        rest_error(main_client.api.v2010.accounts(other["sid"]).short_codes(first["sid"]).fetch), 404)
