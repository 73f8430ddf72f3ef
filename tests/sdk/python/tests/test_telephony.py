"""Telephony with the official Python SDK, as a Connect App: with post-all it
buys a number, sends messages and places calls in the customer's dedicated
subaccount (the customer pays); with get-all it reads and pages through the
customer's history with the SDK's own list()/stream(). Status callbacks pass
Twilio's RequestValidator with the app owner's token."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from helpers import assert_rest_error, rest_error, settle
from sdkharness.connect import Customer, create_app


@pytest.fixture
def owner(server):
    return server.create_main_account("App owner", full=True)


@pytest.fixture
def customer(server):
    return server.create_main_account("Customer", full=True)


def test_post_all_app_buys_sends_and_calls_on_the_customers_bill(
    server, owner, customer, make_client, receiver
):
    app = create_app(server.base_url, owner, permissions=["get-all", "post-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    as_app = make_client(sub, owner["auth_token"])
    here = as_app.api.v2010.accounts(sub)

    offered = here.available_phone_numbers("US").local.list(area_code=415, limit=3)
    assert len(offered) == 3 and all(n.phone_number.startswith("+1415") for n in offered)
    assert offered[0].capabilities["sms"] is True
    number = here.incoming_phone_numbers.create(phone_number=offered[0].phone_number)
    assert number.account_sid == sub
    assert offered[0].phone_number not in [
        n.phone_number for n in here.available_phone_numbers("US").local.list(area_code=415, limit=3)
    ]

    message = here.messages.create(
        to="+14155550100", from_=number.phone_number, body="Rendez-vous à midi 👋",
        status_callback=receiver.url("/sms"),
    )
    assert message.status == "queued" and message.num_segments == "1"
    call = here.calls.create(
        to="+14155550101", from_=number.phone_number, url="https://app.example.com/twiml",
        status_callback=receiver.url("/call"), status_callback_event=["initiated", "completed"],
    )
    done = settle(lambda: here.calls(call.sid).fetch(), lambda c: c.status == "completed")
    assert int(done.duration) >= 30 and float(done.price) < 0
    settle(lambda: here.messages(message.sid).fetch(), lambda m: m.status == "delivered")

    hits = receiver.wait_for(4)
    validator = RequestValidator(owner["auth_token"])
    for hit in hits:
        assert validator.validate(hit.url, hit.form, hit.headers["x-twilio-signature"]), hit
    assert sorted(h.form.get("CallStatus") or h.form["MessageStatus"] for h in hits) == [
        "completed", "delivered", "initiated", "sent"]

    # The customer paid for the number, the call and the message; the owner nothing.
    as_owner = make_client(owner["sid"], owner["auth_token"])
    assert as_owner.api.v2010.accounts(owner["sid"]).balance.fetch().balance == "15.50"
    spent = 15.50 - float(here.balance.fetch().balance)
    calls_usage = here.usage.records.today.list(category="calls")
    assert calls_usage[0].count == "1"
    total = here.usage.records.all_time.list(category="totalprice")[0]
    assert abs(float(total.price) - spent) < 1e-9

    # Not in the customer's main account, though.
    err = rest_error(lambda: as_app.api.v2010.accounts(customer["sid"]).messages.create(
        to="+14155550100", from_=number.phone_number, body="hi"))
    assert err.status in (403, 404)


def test_get_all_app_pages_through_the_customers_history(server, owner, customer, make_client):
    server.seed(customer["sid"], calls=57, messages=23)
    app = create_app(server.base_url, owner, permissions=["get-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    theirs = make_client(sub, owner["auth_token"]).api.v2010.accounts(customer["sid"])

    calls = list(theirs.calls.stream(page_size=10))
    assert len(calls) == 57 and len({c.sid for c in calls}) == 57
    assert [c.date_created for c in calls] == sorted((c.date_created for c in calls), reverse=True)
    assert len(theirs.messages.list(page_size=7)) == 23
    to = calls[0].to
    assert all(c.to == to for c in theirs.calls.list(to=to))
    assert theirs.calls.list(status="completed", limit=5)
    sms = theirs.usage.records.list(category="sms")[0]
    assert int(sms.count) >= 20
    assert theirs.incoming_phone_numbers.list() == []

    # Reading is all it may do.
    err = rest_error(lambda: theirs.calls.create(
        to="+14155550100", from_="+15005550006", url="https://app.example.com/twiml"))
    assert_rest_error(err, 403, 20403)


def test_bad_input_gets_twilios_codes(server, customer, make_client):
    client = make_client(customer["sid"], customer["auth_token"])
    mine = client.api.v2010.accounts(customer["sid"])
    assert_rest_error(rest_error(lambda: mine.calls.create(
        to="+14155550100", from_="+14155550199", url="https://app.example.com/twiml")), 400, 21210)
    assert_rest_error(rest_error(lambda: mine.messages.create(
        to="+15005550009", from_="+15005550006", body="hi")), 400, 21614)
    assert_rest_error(rest_error(lambda: mine.incoming_phone_numbers.create(
        phone_number="+15005550000")), 400, 21422)
    assert mine.calls.list() == []


def test_a_message_s_media_through_the_sdk(server, customer, make_client):
    """The SDK's Media subresource: every response is checked against
    Twilio's OpenAPI document like the others."""
    mine = make_client(customer["sid"], customer["auth_token"]).api.v2010.accounts(customer["sid"])
    urls = ["https://cdn.example.com/cat.png", "https://cdn.example.com/clip.mp4"]
    message = mine.messages.create(
        to="+14155550100", from_="+15005550006", body="look", media_url=urls)
    assert message.num_media == "2"
    media = mine.messages(message.sid).media.list()
    assert [m.content_type for m in media] == ["image/png", "video/mp4"]
    assert all(m.parent_sid == message.sid and m.account_sid == customer["sid"] for m in media)
    one = mine.messages(message.sid).media(media[0].sid).fetch()
    assert one.sid == media[0].sid and one.uri.endswith(f"/Media/{one.sid}.json")
    assert mine.messages(message.sid).media(media[0].sid).delete() is True
    assert [m.sid for m in mine.messages(message.sid).media.list()] == [media[1].sid]
    assert_rest_error(rest_error(lambda: mine.messages(message.sid).media(media[0].sid).fetch()),
                      404, 20404)
