"""Messages that arrive, with the official Python SDK, as a Connect App: with
post-all it buys a number whose messaging webhook (`sms_url`) points at the
app; a simulated handset texts the number (Switchboard's InboundMessages
extension, plain HTTP); the webhook passes Twilio's RequestValidator with the
app owner's token; the app answers TwiML built with the SDK's
MessagingResponse, and the SDK then lists the inbound message and the reply."""

from __future__ import annotations

import urllib.parse

import pytest
import requests
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from helpers import settle
from sdkharness.connect import Customer, create_app

HANDSET = "+14155550123"


@pytest.fixture
def owner(server):
    return server.create_main_account("App owner", full=True)


@pytest.fixture
def customer(server):
    return server.create_main_account("Customer", full=True)


def handset_texts(base_url: str, sid: str, token: str, to: str, body: str) -> dict:
    """A simulated handset's message arrives at `to` (a Switchboard extension:
    the SDKs have no call for it)."""
    r = requests.post(f"{base_url}/switchboard/v1/Accounts/{sid}/InboundMessages.json",
                      data={"From": HANDSET, "To": to, "Body": body}, auth=(sid, token), timeout=30)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_handset_texts_the_apps_number_and_its_twiml_reply_is_sent(
    server, owner, customer, make_client, receiver, method
):
    app = create_app(server.base_url, owner, permissions=["post-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    as_app = make_client(sub, owner["auth_token"])
    here = as_app.api.v2010.accounts(sub)

    # A URL with a port and its own query string, as Twilio's validator must handle.
    sms_url = receiver.url("/twilio/sms?shop=7&x=1")
    number = here.incoming_phone_numbers.create(area_code="415", sms_url=sms_url, sms_method=method)
    assert number.account_sid == sub
    assert (number.sms_url, number.sms_method) == (sms_url, method)

    answer = MessagingResponse()
    answer.message("Thanks & see you at 3 <3")
    receiver.answer("/twilio/sms", str(answer), "application/xml")

    arrived = handset_texts(server.base_url, sub, owner["auth_token"], number.phone_number, "Is 3pm free? café & ☕ +1%")
    assert (arrived["direction"], arrived["status"]) == ("inbound", "received")
    assert arrived["account_sid"] == sub

    (hit,) = receiver.wait_for(1)
    assert hit.method == method
    signature = hit.headers["x-twilio-signature"]
    validator = RequestValidator(owner["auth_token"])
    if method == "POST":
        assert hit.url == sms_url
        params = hit.form
        assert validator.validate(hit.url, params, signature)
        assert not validator.validate(hit.url, {**params, "Body": "Is 4pm free?"}, signature)
    else:
        assert hit.url.startswith(sms_url + "&"), hit.url
        assert hit.form == {}
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(hit.url).query, keep_blank_values=True))
        assert validator.validate(hit.url, {}, signature)
        assert not validator.validate(hit.url.replace("shop=7", "shop=8"), {}, signature)
    assert not RequestValidator(customer["auth_token"]).validate(hit.url, hit.form, signature)
    assert hit.headers.get("i-twilio-idempotency-token")
    for name, want in [("MessageSid", arrived["sid"]), ("SmsSid", arrived["sid"]), ("AccountSid", sub),
                       ("From", HANDSET), ("To", number.phone_number), ("Body", "Is 3pm free? café & ☕ +1%"),
                       ("NumMedia", "0"), ("SmsStatus", "received"), ("ApiVersion", "2010-04-01")]:
        assert params.get(name) == want, (name, params)
    # Sent even when empty (unknown), and signed as sent.
    for name in ["FromCity", "FromState", "FromZip", "FromCountry", "ToCity", "ToState", "ToZip", "ToCountry"]:
        assert name in params, (name, params)

    # The SDK lists both: the message that arrived and the app's reply, delivered.
    def replied(messages):
        return any(m.direction == "outbound-reply" and m.status == "delivered" for m in messages)

    messages = settle(lambda: here.messages.list(), replied)
    assert len(messages) == 2, [(m.direction, m.status) for m in messages]
    (inbound,) = [m for m in messages if m.direction == "inbound"]
    (reply,) = [m for m in messages if m.direction == "outbound-reply"]
    assert inbound.sid == arrived["sid"]
    assert (inbound.status, inbound.from_, inbound.to, inbound.body) == (
        "received", HANDSET, number.phone_number, "Is 3pm free? café & ☕ +1%")
    assert (reply.from_, reply.to, reply.body) == (number.phone_number, HANDSET, "Thanks & see you at 3 <3")
    assert reply.account_sid == sub
    fetched = here.messages(arrived["sid"]).fetch()
    assert (fetched.direction, fetched.status) == ("inbound", "received")
