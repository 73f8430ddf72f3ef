"""The fixtures and helpers against a real Switchboard in sandbox mode."""

import time
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from twilio.base.exceptions import TwilioRestException

from switchboard_sandbox import Sandbox, SwitchboardError, WebhookReceiver

HERE = Path(__file__).parent

NUMBERS = {
    "accounts": {
        "alice": {
            "type": "Full",
            "phone_numbers": [{"phone_number": "+14155550100", "sms_url": "{receiver}/sms"}],
        },
    }
}


def test_default_seed_is_one_full_account(sandbox):
    assert list(sandbox.accounts) == ["main"]
    account = sandbox.client("main").api.v2010.accounts(sandbox.accounts["main"]["sid"]).fetch()
    assert account.type == "Full"


def test_client_is_pointed_at_switchboard_for_every_host(sandbox, switchboard):
    client = sandbox.client("main")
    assert client.api.base_url == switchboard.base_url
    http = client.http_client
    assert http.rewrite("https://api.twilio.com/2010-04-01/Accounts.json") == \
        f"{switchboard.base_url}/2010-04-01/Accounts.json"
    assert http.rewrite("https://lookups.dublin.ie1.twilio.com/v2/PhoneNumbers/x?Fields=a") == \
        f"{switchboard.base_url}/v2/PhoneNumbers/x?Fields=a"
    assert http.rewrite("https://example.com/twilio.com") == "https://example.com/twilio.com"
    # The main account's SDK sees its own account, and only that one.
    assert [a.sid for a in client.api.v2010.accounts.list()] == [sandbox.accounts["main"]["sid"]]


@pytest.mark.switchboard_seed(NUMBERS)
def test_inbound_sms_reaches_the_seeded_numbers_webhook(sandbox, webhook_receiver):
    message = sandbox.inbound_sms("+14155550100", "+14155550123", "hello", media_urls=[])
    assert message["direction"] == "inbound" and message["body"] == "hello"
    (hit,) = webhook_receiver.wait_for(1, path="/sms")
    assert hit.form["MessageSid"] == message["sid"]
    assert WebhookReceiver.is_signed(hit, sandbox.accounts["alice"]["auth_token"])
    assert not WebhookReceiver.is_signed(hit, "0" * 32)
    recorded = sandbox.wait_for_webhooks(1, related_sid=message["sid"])
    assert recorded[0]["url"] == webhook_receiver.url("/sms")


@pytest.mark.switchboard_seed("seeds/two_accounts.json")
def test_seed_from_a_json_file_relative_to_the_test(sandbox):
    assert sorted(sandbox.accounts) == ["carol", "dave"]
    assert sandbox.account("carol")["sid"] == "AC" + "c" * 32
    assert sandbox.accounts["dave"]["subaccounts"]
    assert sandbox.account("dave/staging")["sid"] == sandbox.account("staging")["sid"]


@pytest.mark.switchboard_seed(HERE / "seeds" / "owner_and_app.toml")
def test_seed_from_a_toml_file(sandbox):
    assert sandbox.app("reports")["owner"] == "owner"
    assert sandbox.app(sandbox.connect_apps["reports"]["sid"])["name"] == "reports"


class TestAnOverriddenSeed:
    @pytest.fixture
    def sandbox_seed(self):
        return {"accounts": {"erin": {"type": "Trial"}}}

    def test_the_sandbox_seed_fixture_can_be_overridden(self, sandbox):
        assert list(sandbox.accounts) == ["erin"]


@pytest.mark.parametrize("sandbox_seed", [
    {"accounts": {"frank": {"type": "Full"}}},
    {"accounts": {"grace": {"type": "Trial"}}},
])
def test_the_sandbox_seed_can_be_parametrized(sandbox, sandbox_seed):
    assert list(sandbox.accounts) == list(sandbox_seed["accounts"])


def test_every_test_gets_its_own_sandbox_which_is_deleted_after(switchboard):
    seed = {"accounts": {"main": {"type": "Full"}}}
    one, two = switchboard.create_sandbox(seed), switchboard.create_sandbox(seed)
    assert one.sid != two.sid
    assert one.accounts["main"]["sid"] != two.accounts["main"]["sid"]
    client = one.client("main")
    one.delete()
    with pytest.raises(TwilioRestException) as gone:
        client.api.v2010.accounts(one.accounts["main"]["sid"]).fetch()
    assert gone.value.status == 401
    two.delete()
    two.delete()  # twice is harmless


def test_reset_keeps_sids_and_tokens_and_forgets_the_rest(sandbox):
    client = sandbox.client("main")
    before = dict(sandbox.accounts["main"])
    client.api.v2010.accounts.create(friendly_name="made in the test")
    assert len(client.api.v2010.accounts.list()) == 2
    sandbox.reset()
    assert sandbox.accounts["main"]["sid"] == before["sid"]
    assert sandbox.accounts["main"]["auth_token"] == before["auth_token"]
    assert [a.sid for a in client.api.v2010.accounts.list()] == [before["sid"]]


CONNECT = {
    "accounts": {
        "owner": {"type": "Full", "connect_apps": {"analytics": {
            "friendly_name": "Call Analytics",
            "authorize_redirect_url": "https://app.example.test/authorize",
            "permissions": ["get-all"],
        }}},
        "bob": {"type": "Full"},
        "tess": {"type": "Trial"},
    },
    "authorizations": [{"customer": "bob", "connect_app": "analytics", "permissions": ["get-all"]}],
}


@pytest.mark.switchboard_seed(CONNECT)
def test_seeded_authorization_gives_a_connect_client(sandbox):
    (granted,) = sandbox.data["authorizations"]
    app = sandbox.connect_client("analytics", "bob")
    assert app.account_sid == granted["account_sid"]
    assert (app.username, app.password) == (granted["account_sid"], sandbox.accounts["owner"]["auth_token"])
    assert app.api.v2010.accounts(granted["account_sid"]).fetch().sid == granted["account_sid"]
    # get-all only: writing is refused.
    with pytest.raises(TwilioRestException) as refused:
        app.incoming_phone_numbers.create(area_code="415")
    assert refused.value.status == 403


@pytest.mark.switchboard_seed(CONNECT)
def test_deny_redirects_with_an_error_and_grants_nothing(sandbox):
    denied = sandbox.authorize("analytics", "owner", decision="deny", state="x")
    assert denied.params == {"error": "unauthorized_client", "state": "x"}
    assert not denied.account_sid
    with pytest.raises(LookupError, match="has not authorized"):
        sandbox.connect_client("analytics", "owner")


@pytest.mark.switchboard_seed(CONNECT)
def test_authorize_refuses_a_trial_customer_and_names_unknown_things(sandbox):
    with pytest.raises(SwitchboardError) as refused:
        sandbox.authorize("analytics", "tess")
    assert refused.value.status == 403 and refused.value.code  # as on the consent page
    with pytest.raises(LookupError, match="no Connect App 'nope'"):
        sandbox.authorize("nope", "bob")
    with pytest.raises(LookupError, match="no account 'nobody'"):
        sandbox.client("nobody")


def test_fault_fails_the_next_matching_request_then_clears(sandbox):
    client = sandbox.client("main")
    rule = sandbox.fault("POST", "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json",
                         status=503, code=20503, message="Service unavailable (injected)")
    assert rule
    assert len(sandbox.faults()) == 1
    with pytest.raises(TwilioRestException) as failed:
        client.incoming_phone_numbers.create(area_code="415")
    assert (failed.value.status, failed.value.code) == (503, 20503)
    assert client.incoming_phone_numbers.list() == []  # nothing was written
    client.incoming_phone_numbers.create(area_code="415")  # Count defaults to 1
    sandbox.fault("GET", "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json", status=500, code=20500, count=5)
    sandbox.clear_faults()
    assert sandbox.faults() == []
    assert len(client.incoming_phone_numbers.list()) == 1


def test_a_bad_seed_is_a_400_naming_the_field(switchboard):
    with pytest.raises(SwitchboardError) as bad:
        switchboard.create_sandbox({"accounts": {"x": {"type": "Nope"}}})
    assert bad.value.status == 400
    assert "accounts.x.type" in str(bad.value)


def test_sandbox_object_is_reachable_by_sid(switchboard, sandbox):
    again = Sandbox(switchboard, sandbox.seed, {"sid": sandbox.sid, "accounts": sandbox.accounts})
    assert again.refresh()["sid"] == sandbox.sid


SENDER = {"accounts": {"main": {"type": "Full", "phone_numbers": [{"phone_number": "+14155550100"}]}}}


@pytest.mark.switchboard_seed(SENDER)
def test_outcome_of_a_finished_message_is_a_409(sandbox):
    client = sandbox.client("main")
    message = client.messages.create(from_="+14155550100", to="+14155550199", body="hi")
    deadline = time.monotonic() + 5
    while client.messages(message.sid).fetch().status not in ("delivered", "undelivered", "failed"):
        assert time.monotonic() < deadline, "the message never finished on the instant clock"
        time.sleep(0.02)
    with pytest.raises(SwitchboardError) as finished:
        sandbox.message_outcome(client, message.sid, "undelivered", error_code=30005)
    assert finished.value.status == 409


@pytest.mark.switchboard_seed(SENDER)
def test_advance_moves_the_sandbox_clock_and_dates_follow_it(sandbox):
    before = parsedate_to_datetime(sandbox.now())
    clock = sandbox.advance("30d")
    assert abs(clock["offset"] - 30 * 86400) <= 1
    assert parsedate_to_datetime(clock["now"]) - before >= timedelta(days=30)
    clock = sandbox.advance(timedelta(hours=2))
    assert abs(clock["offset"] - (30 * 86400 + 7200)) <= 1
    now = parsedate_to_datetime(sandbox.now())
    assert now - before >= timedelta(days=30, hours=2)
    # What the sandbox's accounts make is dated on its clock.
    client = sandbox.client("main")
    message = client.messages.create(from_="+14155550100", to="+14155550199", body="hi")
    assert abs(message.date_created - now) < timedelta(seconds=5)
    with pytest.raises(SwitchboardError) as bad:
        sandbox.advance("soon")
    assert (bad.value.status, bad.value.code) == (400, 20001)
    with pytest.raises(ValueError, match="whole seconds"):
        sandbox.advance(1.5)
