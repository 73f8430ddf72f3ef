"""The helpers' own logic, against stand-ins: no Switchboard needed."""

import base64
import hashlib
import hmac
import json

import pytest
import requests

from switchboard_sandbox import (
    Answer, ClockNotAvailable, NotInSandboxMode, Sandbox, Switchboard, WebhookReceiver, load_seed,
    make_client,
)
from switchboard_sandbox._seed import mentions, substitute


@pytest.fixture
def stand_in():
    """A receiver posing as a server: /healthz answers 200 (the default answer)."""
    with WebhookReceiver() as fake:
        yield fake


def sign(token, url, params):
    data = url + "".join(k + v for k, v in sorted(params.items()))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def test_receiver_records_and_answers(webhook_receiver):
    webhook_receiver.twiml("/sms", "<Response><Message>hi</Message></Response>")
    webhook_receiver.answer("/status", lambda req: Answer(f"saw {req.form['X']}", "text/plain", 202))
    r = requests.post(webhook_receiver.url("/sms?a=1"), data={"Body": "yo", "Empty": ""})
    assert (r.status_code, r.text) == (200, "<Response><Message>hi</Message></Response>")
    assert r.headers["Content-Type"] == "application/xml"
    r = requests.post(webhook_receiver.url("status"), data={"X": "7"})
    assert (r.status_code, r.text) == (202, "saw 7")
    r = requests.get(webhook_receiver.url("/other?x=1"))
    assert r.status_code == 200 and "<Response>" in r.text
    sms, status, other = webhook_receiver.wait_for(3)
    assert (sms.method, sms.path, sms.query, sms.form) == ("POST", "/sms", {"a": "1"}, {"Body": "yo", "Empty": ""})
    assert sms.url == webhook_receiver.url("/sms?a=1")
    assert other.params == {} and other.query == {"x": "1"}
    assert webhook_receiver.received("/status") == [status]
    with pytest.raises(AssertionError, match="1 of 2 request"):
        webhook_receiver.wait_for(2, path="/sms", timeout=0.05)


def test_receiver_checks_signatures_as_the_sdk_does(webhook_receiver):
    token = "12345678901234567890123456789012"
    url = webhook_receiver.url("/hook")
    params = {"AccountSid": "AC" + "1" * 32, "Body": "a b"}
    requests.post(url, data=params, headers={"X-Twilio-Signature": sign(token, url, params)})
    requests.post(url, data=params, headers={"X-Twilio-Signature": sign("x" * 32, url, params)})
    requests.post(url, data=params)
    good, wrong_key, unsigned = webhook_receiver.wait_for(3)
    assert WebhookReceiver.is_signed(good, token)
    assert not WebhookReceiver.is_signed(wrong_key, token)
    assert not WebhookReceiver.is_signed(unsigned, token)


def test_seed_helpers(tmp_path):
    seed = {"accounts": {"a": {"phone_numbers": [{"sms_url": "{receiver}/sms"}]}}}
    assert mentions(seed, "{receiver}") and not mentions({"x": ["y"]}, "{receiver}")
    out = substitute(seed, {"receiver": "http://127.0.0.1:9"})
    assert out["accounts"]["a"]["phone_numbers"][0]["sms_url"] == "http://127.0.0.1:9/sms"
    assert seed["accounts"]["a"]["phone_numbers"][0]["sms_url"] == "{receiver}/sms"  # untouched
    (tmp_path / "s.json").write_text(json.dumps(seed))
    assert load_seed(tmp_path / "s.json") == seed
    assert load_seed(str(tmp_path / "s.json")) == seed
    (tmp_path / "s.toml").write_text('[accounts.a]\ntype = "Full"\n')
    assert load_seed(tmp_path / "s.toml") == {"accounts": {"a": {"type": "Full"}}}
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(ValueError, match="is an object"):
        load_seed(tmp_path / "list.json")
    with pytest.raises(TypeError):
        load_seed(42)


def test_a_server_not_in_sandbox_mode_is_named(stand_in):
    stand_in.answer("/switchboard/v1/Sandboxes.json",
                    json.dumps({"code": 20404, "message": "not found", "status": 404}),
                    content_type="application/json", status=404)
    server = Switchboard.connect(stand_in.base_url)
    with pytest.raises(NotInSandboxMode, match="not in sandbox mode") as e:
        server.create_sandbox({"accounts": {"a": {}}})
    assert (e.value.status, e.value.code) == (404, 20404)
    assert server.stop() is None  # not started here: left running


def test_advance_without_a_clock_is_not_implemented(stand_in):
    sid = "SB" + "0" * 32
    base = f"/switchboard/v1/Sandboxes/{sid}"
    stand_in.answer(base + "/Clock.json", '{"code": 20404, "message": "not found", "status": 404}',
                    content_type="application/json", status=404)
    stand_in.answer(base + ".json", json.dumps({"sid": sid}), content_type="application/json")
    sandbox = Sandbox(Switchboard.connect(stand_in.base_url), {},
                      {"sid": sid, "accounts": {"a": {"sid": "AC" + "1" * 32, "auth_token": "t"}}})
    with pytest.raises(NotImplementedError, match="no sandbox clock"):
        sandbox.advance("30d")
    with pytest.raises(ClockNotAvailable):
        sandbox.now()
    clock = [r for r in stand_in.received(base + "/Clock.json") if r.method == "POST"]
    assert clock[0].form == {"Advance": "30d"}
    assert clock[0].headers["authorization"].startswith("Basic ")


def test_sdk_requests_to_any_twilio_host_go_to_switchboard(stand_in, monkeypatch):
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    stand_in.answer("/v2/PhoneNumbers/+14155550100", json.dumps({"phone_number": "+14155550100", "valid": True}),
                    content_type="application/json")
    client = make_client(stand_in.base_url, "AC" + "1" * 32, "token")
    client.lookups.v2.phone_numbers("+14155550100").fetch()
    (hit,) = stand_in.wait_for(1)
    assert hit.path == "/v2/PhoneNumbers/+14155550100"
    assert hit.headers["authorization"].startswith("Basic ")
