"""Outgoing caller IDs with the official Python SDK: a validation request
(`validation_requests.create`) places the simulated verification call, whose
end verifies the number and posts the status callback, which passes the
SDK's RequestValidator; the caller ID is listed, fetched, renamed, used as a
call's From and deleted; Twilio's codes for bad input; a Connect App in its
dedicated subaccount. Every answer is checked against Twilio's 2010
document."""

from __future__ import annotations

import time

from twilio.request_validator import RequestValidator

from helpers import assert_rest_error, rest_error
from sdkharness.connect import Customer, create_app


def verified(account, number, timeout=10.0):
    """The caller ID of `number`, once its verification call has ended."""
    deadline = time.monotonic() + timeout
    while True:
        found = account.outgoing_caller_ids.list(phone_number=number)
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"{number} never verified"
        time.sleep(0.05)


def test_a_number_is_verified_used_renamed_and_deleted(main_account, main_client, receiver):
    account = main_client.api.v2010.accounts(main_account["sid"])
    request = account.validation_requests.create(
        phone_number="+14155550123",
        friendly_name="Front desk",
        call_delay=2,
        extension="12w",
        status_callback=receiver.url("/verified"),
        status_callback_method="POST",
    )
    assert request.account_sid == main_account["sid"]
    assert request.phone_number == "+14155550123"
    assert request.friendly_name == "Front desk"
    assert len(request.validation_code) == 6 and request.validation_code.isdigit()
    assert request.call_sid.startswith("CA")

    caller_id = verified(account, "+14155550123")
    assert caller_id.sid.startswith("PN")
    assert caller_id.friendly_name == "Front desk"
    assert caller_id.uri == f"/2010-04-01/Accounts/{main_account['sid']}/OutgoingCallerIds/{caller_id.sid}.json"
    [hit] = receiver.wait_for(1)
    assert RequestValidator(main_account["auth_token"]).validate(
        hit.url, hit.form, hit.headers["x-twilio-signature"])
    assert hit.form["VerificationStatus"] == "success"
    assert hit.form["OutgoingCallerIdSid"] == caller_id.sid
    assert hit.form["CallSid"] == request.call_sid

    # The verification call is one of the account's calls, and free.
    verification = account.calls(request.call_sid).fetch()
    assert verification.status == "completed" and verification.to == "+14155550123"
    assert float(verification.price) == 0

    fetched = account.outgoing_caller_ids(caller_id.sid).fetch()
    assert (fetched.phone_number, fetched.friendly_name) == ("+14155550123", "Front desk")
    assert [c.sid for c in account.outgoing_caller_ids.list(friendly_name="Front desk")] == [caller_id.sid]
    assert account.outgoing_caller_ids(caller_id.sid).update(friendly_name="Reception").friendly_name == "Reception"

    call = account.calls.create(
        to="+14155550100", from_="+14155550123", url="https://demo.twilio.com/docs/voice.xml")
    assert call.phone_number_sid == caller_id.sid

    assert_rest_error(rest_error(account.validation_requests.create, phone_number="+14155550123"), 400, 21450)
    assert account.outgoing_caller_ids(caller_id.sid).delete() is True
    assert_rest_error(rest_error(account.outgoing_caller_ids(caller_id.sid).fetch), 404, 20404)
    assert_rest_error(rest_error(
        account.calls.create, to="+14155550100", from_="+14155550123",
        url="https://demo.twilio.com/docs/voice.xml"), 400, 21210)


def test_a_failed_verification_and_bad_requests(main_account, main_client, receiver):
    account = main_client.api.v2010.accounts(main_account["sid"])
    # Numbers ending 0489 answer, but the wrong code is entered.
    request = account.validation_requests.create(
        phone_number="+14155550489", status_callback=receiver.url("/failed"))
    assert request.friendly_name == "(415) 555-0489"
    [hit] = receiver.wait_for(1)
    assert hit.form["VerificationStatus"] == "failed"
    assert "OutgoingCallerIdSid" not in hit.form
    assert account.outgoing_caller_ids.list() == []

    create = account.validation_requests.create
    assert_rest_error(rest_error(create, phone_number="not a number"), 400, 21421)
    assert_rest_error(rest_error(create, phone_number="+14155550123", call_delay=61), 400, 20001)
    assert_rest_error(
        rest_error(create, phone_number="+14155550123", status_callback="nope"), 400, 21609)


def test_a_post_all_app_verifies_in_its_subaccount(server, make_client):
    owner = server.create_main_account("Caller ID app owner", full=True)
    customer = server.create_main_account("Caller ID customer", full=True)
    app = create_app(server.base_url, owner, permissions=["post-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    here = make_client(sub, owner["auth_token"]).api.v2010.accounts(sub)
    request = here.validation_requests.create(phone_number="+14155550124")
    assert request.account_sid == sub
    assert verified(here, "+14155550124").account_sid == sub
    err = rest_error(
        make_client(sub, owner["auth_token"]).api.v2010.accounts(customer["sid"]).validation_requests.create,
        phone_number="+14155550125")
    assert_rest_error(err, 403, 20403)
