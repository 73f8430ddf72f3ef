"""A tiny Connect App's test, start to end (the README's example)."""

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

SEED = {
    "accounts": {
        "owner": {
            "type": "Full",
            "connect_apps": {
                "analytics": {
                    "friendly_name": "Call Analytics",
                    "company_name": "Rossum",
                    "authorize_redirect_url": "https://app.example.test/twilio/authorize",
                    # {receiver} is this test's webhook_receiver.
                    "deauthorize_callback_url": "{receiver}/twilio/deauthorize",
                    "deauthorize_callback_method": "POST",
                    "permissions": ["get-all", "post-all"],
                }
            },
        },
        "bob": {"type": "Full"},
    }
}


@pytest.mark.switchboard_seed(SEED)
def test_connect_app(sandbox, webhook_receiver):
    owner_token = sandbox.accounts["owner"]["auth_token"]
    app_sid = sandbox.connect_apps["analytics"]["sid"]

    # Bob authorizes the app, as if he had pressed Authorize on its consent page.
    consent = sandbox.authorize("analytics", "bob", state="csrf-123")
    assert consent.redirect_url.startswith("https://app.example.test/twilio/authorize?")
    assert consent.params == {"AccountSid": consent.account_sid, "state": "csrf-123"}

    # The app buys a number in Bob's dedicated subaccount with its Connect credentials.
    app = sandbox.connect_client("analytics", "bob")
    number = app.incoming_phone_numbers.create(area_code="415", sms_url=webhook_receiver.url("/sms"))
    assert number.account_sid == consent.account_sid

    # Someone texts the number: the app's webhook gets it, signed with the owner's token.
    webhook_receiver.twiml("/sms", "<Response><Message>Got it</Message></Response>")
    sandbox.inbound_sms(number.phone_number, "+14155550123", "Is 3pm free?")
    (sms,) = webhook_receiver.wait_for(1, path="/sms")
    assert sms.form["Body"] == "Is 3pm free?"
    assert sms.form["AccountSid"] == consent.account_sid
    assert RequestValidator(owner_token).validate(sms.url, sms.form, sms.headers["x-twilio-signature"])

    # Bob revokes the app: the deauthorize callback arrives, signed, and the
    # app's credentials no longer reach his account.
    sandbox.revoke("analytics", "bob")
    (bye,) = webhook_receiver.wait_for(1, path="/twilio/deauthorize")
    assert bye.form == {"AccountSid": consent.account_sid, "ConnectAppSid": app_sid}
    assert RequestValidator(owner_token).validate(bye.url, bye.form, bye.headers["x-twilio-signature"])
    with pytest.raises(TwilioRestException) as refused:
        app.incoming_phone_numbers(number.sid).fetch()
    assert refused.value.status in (401, 403)

    # Switchboard records every request it makes for the sandbox (once the
    # answer is in, so wait for it).
    (recorded,) = sandbox.wait_for_webhooks(1, kind="deauthorize")
    assert (recorded["method"], recorded["url"], recorded["status"]) == ("POST", bye.url, 200)
    assert recorded["parameters"] == bye.form
    assert recorded["request_headers"]["X-Twilio-Signature"] == bye.headers["x-twilio-signature"]
