"""TwiML Applications with the official Python SDK: create, list (with the
FriendlyName filter and the SDK's paging), fetch, update and delete, as an
account and as a Connect App in its dedicated subaccount; a number that
names an application, and Twilio's codes for bad input. Every answer is
checked against Twilio's 2010 document."""

from __future__ import annotations

from helpers import assert_rest_error, rest_error
from sdkharness.connect import Customer, create_app


def test_applications_are_created_listed_updated_and_deleted(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    apps = account.applications

    app = apps.create(
        friendly_name="Front desk",
        voice_url="https://app.example.com/voice",
        voice_method="GET",
        sms_url="https://app.example.com/sms",
        status_callback="https://app.example.com/status",
        voice_caller_id_lookup=True,
    )
    assert app.sid.startswith("AP")
    assert app.account_sid == main_account["sid"]
    assert app.friendly_name == "Front desk"
    assert app.api_version == "2010-04-01"
    assert (app.voice_url, app.voice_method) == ("https://app.example.com/voice", "GET")
    assert (app.sms_url, app.sms_method) == ("https://app.example.com/sms", "POST")
    assert app.voice_caller_id_lookup is True
    assert app.public_application_connect_enabled is True
    assert app.uri == f"/2010-04-01/Accounts/{main_account['sid']}/Applications/{app.sid}.json"

    other = apps.create(friendly_name="Sales")
    assert [a.sid for a in apps.list()] == [app.sid, other.sid]
    assert [a.sid for a in apps.list(friendly_name="Sales")] == [other.sid]
    assert [a.sid for a in apps.stream(page_size=1)] == [app.sid, other.sid]

    fetched = apps(app.sid).fetch()
    assert fetched.date_created == app.date_created
    updated = apps(app.sid).update(
        friendly_name="Front desk (EU)",
        sms_fallback_url="https://app.example.com/sms-fallback",
        sms_fallback_method="GET",
        message_status_callback="https://app.example.com/message-status",
        public_application_connect_enabled=False,
    )
    assert updated.friendly_name == "Front desk (EU)"
    assert updated.sms_fallback_url == "https://app.example.com/sms-fallback"
    assert updated.sms_fallback_method == "GET"
    assert updated.message_status_callback == "https://app.example.com/message-status"
    assert updated.public_application_connect_enabled is False
    assert updated.voice_url == "https://app.example.com/voice"

    # A number handled by the application.
    number = account.incoming_phone_numbers.create(
        area_code="415", voice_application_sid=app.sid, sms_application_sid=app.sid
    )
    assert (number.voice_application_sid, number.sms_application_sid) == (app.sid, app.sid)

    assert apps(app.sid).delete() is True
    assert_rest_error(rest_error(apps(app.sid).fetch), 404, 20404)
    # The number stops using it.
    again = account.incoming_phone_numbers(number.sid).fetch()
    assert (again.voice_application_sid, again.sms_application_sid) == (None, None)
    assert [a.sid for a in apps.list()] == [other.sid]


def test_bad_input_gets_twilios_codes(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    apps = account.applications
    assert_rest_error(rest_error(apps.create, voice_url="not a url"), 400, 21502)
    assert_rest_error(rest_error(apps.create, sms_method="PUT"), 400, 21403)
    app = apps.create(friendly_name="Desk")
    assert_rest_error(rest_error(apps(app.sid).update, status_callback="ftp://x"), 400, 21502)
    missing = "AP" + "0" * 32
    assert_rest_error(rest_error(apps(missing).fetch), 404, 20404)
    assert_rest_error(
        rest_error(account.incoming_phone_numbers.create, area_code="415", sms_application_sid=missing),
        400,
        21420,
    )
    number = account.incoming_phone_numbers.create(area_code="212")
    assert_rest_error(
        rest_error(
            account.calls.create, to="+14155550100", from_=number.phone_number, application_sid=missing
        ),
        400,
        21218,
    )
    call = account.calls.create(to="+14155550100", from_=number.phone_number, application_sid=app.sid)
    assert call.sid.startswith("CA")


def test_a_post_all_app_manages_applications_in_its_subaccount(server, make_client):
    owner = server.create_main_account("App owner", full=True)
    customer = server.create_main_account("Customer", full=True)
    connect_app = create_app(server.base_url, owner, permissions=["post-all"])
    sub = Customer(server.base_url, customer).authorize(connect_app["sid"])
    as_app = make_client(sub, owner["auth_token"])
    apps = as_app.api.v2010.accounts(sub).applications

    app = apps.create(friendly_name="Made by the app", sms_url="https://app.example.com/sms")
    assert app.account_sid == sub
    assert [a.sid for a in apps.list()] == [app.sid]
    assert apps(app.sid).update(voice_url="https://app.example.com/voice").voice_url == (
        "https://app.example.com/voice"
    )
    assert apps(app.sid).delete() is True
    # Not in the customer's main account.
    err = rest_error(as_app.api.v2010.accounts(customer["sid"]).applications.create, friendly_name="x")
    assert_rest_error(err, 403, 20403)
