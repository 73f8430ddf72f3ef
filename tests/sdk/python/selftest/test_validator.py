"""The validator against Twilio's own examples, and against answers it must
refuse. Needs no server."""

from __future__ import annotations

import json
import re

import pytest

from sdkharness.spec import (
    SpecValidator,
    is_rfc2822_datetime,
    is_uri_reference,
)

ACC = "AC" + "a" * 32


@pytest.fixture(scope="module")
def v():
    return SpecValidator()


# Examples in Twilio's document that contradict its own schemas. Each must
# fail, and only for the reason given: the checks that catch them are the
# ones that would catch Switchboard doing the same.
ERRATA = {
    ("/2010-04-01/Accounts/{AccountSid}/Addresses/{AddressSid}/DependentPhoneNumbers.json", "GET", 200, "readFull"):
        r"trunk_sid: 'AP.*' does not match '\^TK",
    ("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json", "POST", 200, "update"):
        r"(sms|voice)_application_sid: '' (is too short|does not match)",
    ("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json", "GET", 200, "fetch"):
        r"(sms|voice)_application_sid: '' (is too short|does not match)",
    ("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json", "GET", 200, "readFull"):
        r"(sms|voice)_application_sid: '' (is too short|does not match)",
    ("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/Local.json", "GET", 200, "readFull"):
        r"(sms|voice)_application_sid: '' (is too short|does not match)",
    ("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/Mobile.json", "GET", 200, "readFull"):
        r"(sms|voice)_application_sid: '' (is too short|does not match)",
    ("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/TollFree.json", "GET", 200, "readFull"):
        r"(sms|voice)_application_sid: '' (is too short|does not match)",
    # Twilio writes GMT as +0000; this example has +0100.
    ("/2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json", "GET", 200, "fetchIncludeSoftDeleted"):
        r"'Mon, 14 Feb 2022 22:23:00 \+0100' is not a 'date-time-rfc-2822'",
    ("/2010-04-01/Accounts/{AccountSid}/Recordings.json", "GET", 200, "readIncludeSoftDeleted"):
        r"'Mon, 14 Feb 2022 22:23:00 \+0100' is not a 'date-time-rfc-2822'",
}


def all_examples():
    return [pytest.param(t, m, s, n, value, id=f"{m} {t} {s} {n}")
            for t, m, s, n, value in SpecValidator(strict=False).examples()]


def test_the_document_has_many_examples(v):
    examples = list(v.examples())
    assert len(examples) > 250
    assert {e[0] for e in examples} >= {"/2010-04-01/Accounts.json", "/2010-04-01/Accounts/{Sid}.json"}


@pytest.mark.parametrize("template,method,status,name,value", all_examples())
def test_every_example_validates(v, template, method, status, name, value):
    errors = v.check_example(template, method, status, value)
    erratum = ERRATA.get((template, method, status, name))
    if erratum is None:
        assert errors == []
    else:
        assert errors, "listed as an erratum but validates: drop it from ERRATA"
        for e in errors:
            assert re.search(erratum, e), e


def test_errata_all_exist(v):
    keys = {(t, m, s, n) for t, m, s, n, _ in v.examples()}
    assert set(ERRATA) <= keys


def test_learned_relaxations_do_not_touch_accounts(v):
    # Strictness is only relaxed where Twilio's examples omit something; the
    # account resource and the Accounts list keep every field required.
    assert not [x for x in v.learned if "/Accounts.json " in x or "/Accounts/{Sid}.json " in x]
    acc = v.defs["api.v2010.account"]
    assert set(acc["required"]) == set(acc["properties"]) - {"auth_token"}
    assert acc["additionalProperties"] is False


# --------------------------------------------------------------------------
# Live-shaped answers: the checks that matter for Accounts


def account(sid=ACC, **over):
    a = {
        "auth_token": "0123456789abcdef0123456789abcdef",
        "date_created": "Thu, 30 Jul 2015 20:00:00 +0000",
        "date_updated": "Thu, 30 Jul 2015 20:00:00 +0000",
        "friendly_name": "friendly_name",
        "owner_account_sid": sid,
        "sid": sid,
        "status": "active",
        "subresource_uris": {"calls": f"/2010-04-01/Accounts/{sid}/Calls.json"},
        "type": "Full",
        "uri": f"/2010-04-01/Accounts/{sid}.json",
    }
    a.update(over)
    return a


def envelope(accounts, **over):
    e = {
        "accounts": accounts, "end": max(len(accounts) - 1, 0),
        "first_page_uri": "/2010-04-01/Accounts.json?PageSize=50&Page=0",
        "next_page_uri": None, "page": 0, "page_size": 50, "previous_page_uri": None,
        "start": 0, "uri": "/2010-04-01/Accounts.json?PageSize=50&Page=0",
    }
    e.update(over)
    return e


def check(v, method, path, status, body, ctype="application/json"):
    text = body if isinstance(body, str) else json.dumps(body)
    return v.check(method, "http://127.0.0.1:1" + path, status, ctype, text).problems


def test_good_answers_pass(v):
    assert check(v, "GET", f"/2010-04-01/Accounts/{ACC}.json", 200, account()) == []
    assert check(v, "POST", f"/2010-04-01/Accounts/{ACC}.json", 200, account()) == []
    assert check(v, "POST", "/2010-04-01/Accounts.json", 201, account()) == []
    assert check(v, "GET", "/2010-04-01/Accounts.json?PageSize=50", 200, envelope([account()])) == []
    assert check(v, "GET", "/2010-04-01/Accounts.json", 200, envelope([])) == []
    # Nullable fields may be null.
    assert check(v, "GET", f"/2010-04-01/Accounts/{ACC}.json", 200,
                 account(friendly_name=None, date_updated=None)) == []
    # auth_token may be omitted (Connect Apps never see it).
    no_token = account()
    del no_token["auth_token"]
    assert check(v, "GET", f"/2010-04-01/Accounts/{ACC}.json", 200, no_token) == []


@pytest.mark.parametrize("field,value,why", [
    ("date_created", "2015-07-30T20:00:00Z", "date-time-rfc-2822"),
    ("date_created", "Thu, 30 Jul 2015 20:00:00 GMT", "date-time-rfc-2822"),
    ("date_created", "Thu, 30 Jul 2015 20:00:00 -0000", "date-time-rfc-2822"),
    ("date_created", "Fri, 30 Jul 2015 20:00:00 +0000", "date-time-rfc-2822"),  # wrong weekday
    ("date_created", "Thu, 3 Jul 2015 20:00:00 +0000", "date-time-rfc-2822"),
    ("date_created", "Thu, 31 Jun 2015 20:00:00 +0000", "date-time-rfc-2822"),
    ("date_created", "Thu, 30 Jul 2015 24:00:00 +0000", "date-time-rfc-2822"),
    ("sid", "AC" + "g" * 32, "does not match"),
    ("sid", "CN" + "a" * 32, "does not match"),
    ("owner_account_sid", "AC" + "a" * 31, "too short"),
    ("status", "frozen", "is not one of"),
    ("status", None, "is not one of"),
    ("type", "trial", "is not one of"),
    ("friendly_name", 5, "is not of type"),
    ("subresource_uris", {"calls": "not a uri"}, "uri-map"),
    ("subresource_uris", {"calls": 5}, "uri-map"),
])
def test_bad_account_fields_fail(v, field, value, why):
    problems = check(v, "GET", f"/2010-04-01/Accounts/{ACC}.json", 200, account(**{field: value}))
    assert problems and any(why in p for p in problems), problems


def test_missing_and_extra_fields_fail(v):
    a = account()
    del a["status"]
    assert any("'status' is a required property" in p for p in check(v, "GET", f"/2010-04-01/Accounts/{ACC}.json", 200, a))
    problems = check(v, "GET", f"/2010-04-01/Accounts/{ACC}.json", 200, account(email="x@y.z"))
    assert any("Additional properties" in p and "email" in p for p in problems), problems
    env = envelope([account()])
    del env["previous_page_uri"]
    assert check(v, "GET", "/2010-04-01/Accounts.json", 200, env)
    assert check(v, "GET", "/2010-04-01/Accounts.json", 200, envelope([account()], total=1))
    assert check(v, "GET", "/2010-04-01/Accounts.json", 200, envelope([account()], page="0"))
    assert check(v, "GET", "/2010-04-01/Accounts.json", 200, envelope([account(sid="x")]))


def test_wire_level_failures(v):
    path = f"/2010-04-01/Accounts/{ACC}.json"
    assert any("Content-Type" in p for p in check(v, "GET", path, 200, account(), ctype="text/html"))
    assert any("not valid JSON" in p for p in check(v, "GET", path, 200, "{nope"))
    dup = json.dumps(account())[:-1] + ', "sid": "' + ACC + '"}'
    assert any("duplicate JSON key" in p for p in check(v, "GET", path, 200, dup))
    # Undocumented statuses and paths.
    assert any("does not document status 202" in p for p in check(v, "GET", path, 202, account()))
    assert any("does not document status 201" in p for p in check(v, "POST", path, 201, account()))
    assert any("not in Twilio's OpenAPI document" in p for p in check(v, "GET", "/2010-04-01/Nope.json", 200, {}))
    assert check(v, "DELETE", "/v1/AuthTokens/Secondary", 204, "", ctype=None) == []
    assert any("204 with a body" in p for p in check(v, "DELETE", "/v1/AuthTokens/Secondary", 204, "{}"))


def test_error_bodies(v):
    good = {"code": 20404, "message": "The requested resource was not found",
            "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}
    assert check(v, "GET", f"/2010-04-01/Accounts/{ACC}.json", 404, good) == []
    assert check(v, "GET", "/nowhere", 404, good) == []
    assert any("!= HTTP status" in p for p in check(v, "GET", "/x", 401, good))
    assert any("more_info" in p for p in check(v, "GET", "/x", 404, {**good, "more_info": "https://example.com"}))
    missing = dict(good)
    del missing["code"]
    assert any("'code' is a required" in p for p in check(v, "GET", "/x", 404, missing))
    assert any("Additional properties" in p for p in check(v, "GET", "/x", 404, {**good, "error": "x"}))
    assert any("Content-Type" in p for p in check(v, "GET", "/x", 404, good, ctype="text/plain"))


def test_v1_token_bodies(v):
    secondary = {"account_sid": ACC, "secondary_auth_token": "0123456789abcdef0123456789abcdef",
                 "date_created": "2015-07-30T20:00:00Z", "date_updated": "2015-07-30T20:00:00Z",
                 "url": "https://accounts.twilio.com/v1/AuthTokens/Secondary"}
    assert check(v, "POST", "/v1/AuthTokens/Secondary", 201, secondary) == []
    assert check(v, "POST", "/v1/AuthTokens/Secondary", 200, secondary)  # create is 201
    for bad in ({"date_created": "Thu, 30 Jul 2015 20:00:00 +0000"},
                {"date_created": "2015-07-30T20:00:00.123+00:00"},
                {"url": "/v1/AuthTokens/Secondary"},
                {"url": "https://accounts.twilio.com/v1/AuthTokens/Promote"},
                {"secondary_auth_token": "short"},
                {"account_sid": "CN" + "a" * 32},
                {"extra": 1}):
        assert check(v, "POST", "/v1/AuthTokens/Secondary", 201, {**secondary, **bad}), bad
    promoted = {k: v_ for k, v_ in secondary.items() if k != "secondary_auth_token"}
    promoted["auth_token"] = "0123456789abcdef0123456789abcdef"
    promoted["url"] = "https://accounts.twilio.com/v1/AuthTokens/Promote"
    assert check(v, "POST", "/v1/AuthTokens/Promote", 200, promoted) == []
    assert check(v, "POST", "/v1/AuthTokens/Promote", 200, secondary)
    assert check(v, "GET", "/v1/AuthTokens/Secondary", 200, secondary)  # no such operation


def test_format_helpers():
    assert is_rfc2822_datetime("Thu, 30 Jul 2015 20:00:00 +0000")
    assert is_rfc2822_datetime("Sun, 22 Nov 2026 21:36:02 +0000")
    assert is_rfc2822_datetime("Thu, 29 Feb 2024 00:00:00 +0000")
    assert not is_rfc2822_datetime("Thu, 29 Feb 2023 00:00:00 +0000")
    assert not is_rfc2822_datetime("Thu, 30 Jul 2015 20:00:00 +0000 ")
    assert not is_rfc2822_datetime("thu, 30 Jul 2015 20:00:00 +0000")
    assert is_uri_reference("/2010-04-01/Accounts.json?PageSize=50&PageToken=PA1")
    assert is_uri_reference("https://api.twilio.com/2010-04-01")
    assert not is_uri_reference("/with space")
    assert not is_uri_reference("ftp://x/y")


def test_strict_is_the_default_and_lenient_is_possible():
    lenient = SpecValidator(strict=False)
    extra = account(email="x@y.z")
    assert lenient.check("GET", f"http://h/2010-04-01/Accounts/{ACC}.json", 200,
                         "application/json", json.dumps(extra)).problems == []
