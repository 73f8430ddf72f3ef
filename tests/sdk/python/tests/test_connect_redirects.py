"""Issue 25, with real clients: python-social-auth's Twilio backend
(`social-auth-core`, unmodified) completes a Connect authorization against
Switchboard, and a signed redirect passes the Twilio SDK's own
RequestValidator (and fails it with one character changed)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import urllib.parse

import pytest
import requests
from social_core.actions import do_auth, do_complete
from social_core.exceptions import AuthInputError
from twilio.request_validator import RequestValidator

from sdkharness.connect import Customer, create_app
from sdkharness.social import ASSOCIATIONS, PIPELINE, SwitchboardTwilioAuth, User, WebStrategy

APP = "https://app.example.com/"
# Where social-auth-core completes (`/complete/<backend>/` in its Django and
# Flask integrations): the app registers it as its Authorize URL.
COMPLETE = "https://app.example.com/complete/twilio/"


@pytest.fixture
def owner(server):
    return server.create_main_account("App owner", full=True)


@pytest.fixture
def customer(server):
    return server.create_main_account("Customer", full=True)


def strategy_for(server, owner, app) -> WebStrategy:
    return WebStrategy(app_url=APP, settings={
        "SOCIAL_AUTH_TWILIO_KEY": app["sid"],
        "SOCIAL_AUTH_TWILIO_SECRET": owner["auth_token"],
        "SOCIAL_AUTH_TWILIO_CONNECT_ORIGIN": server.base_url,
        "SOCIAL_AUTH_PIPELINE": PIPELINE,
        "SOCIAL_AUTH_LOGIN_REDIRECT_URL": "/done",
    })


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_python_social_auth_completes_a_connect_authorization(server, owner, customer, make_client):
    app = create_app(server.base_url, owner, permissions=["get-all"], authorize_url=COMPLETE)
    strategy = strategy_for(server, owner, app)
    user = User(id=7)

    # The app's "connect Twilio" view: the backend makes the Connect link,
    # with `cb` = its completion URL and a `redirect_state` it keeps in the
    # session.
    kind, link = do_auth(SwitchboardTwilioAuth(strategy, "/complete/twilio/"), user=user)
    assert kind == "redirect"
    assert link.startswith(f"{server.base_url}/authorize/{app['sid']}?cb="), link
    cb = query(link)["cb"]
    assert cb.startswith(COMPLETE + "?redirect_state="), cb

    # The customer approves; Switchboard sends them to the cb, query kept.
    location = Customer(server.base_url, customer).follow(link, "authorize")
    assert location.startswith(cb + "&AccountSid=AC"), location

    # The app's completion view: the backend checks redirect_state and
    # associates the Account SID with the signed-in user.
    strategy.request = query(location)
    before = len(ASSOCIATIONS)
    done = do_complete(SwitchboardTwilioAuth(strategy, "/complete/twilio/"), None, user=user)
    assert done == ("redirect", "/done")
    sub = strategy.request["AccountSid"]
    assert ASSOCIATIONS[before:] == [(7, "twilio", sub, strategy.request)]

    # That SID is the app's Connect principal for this customer.
    fetched = make_client(sub, owner["auth_token"]).api.v2010.accounts(sub).fetch()
    assert fetched.owner_account_sid == customer["sid"]


def test_a_cb_elsewhere_is_ignored_and_social_auth_refuses_the_result(server, owner, customer):
    # The app registered another URL than the one social-auth completes at:
    # the cb is not honoured, the registered URL gets the result (without
    # redirect_state), and the backend refuses it rather than trusting it.
    registered = "https://app.example.com/twilio/authorize"
    app = create_app(server.base_url, owner, permissions=["get-all"], authorize_url=registered)
    strategy = strategy_for(server, owner, app)
    user = User(id=8)
    _, link = do_auth(SwitchboardTwilioAuth(strategy, "/complete/twilio/"), user=user)
    location = Customer(server.base_url, customer).follow(link, "authorize")
    assert location.startswith(registered + "?AccountSid=AC"), location
    assert "redirect_state" not in query(location)
    strategy.request = query(location)
    with pytest.raises(AuthInputError):
        do_complete(SwitchboardTwilioAuth(strategy, "/complete/twilio/"), None, user=user)


def sign_redirects(server, owner, app) -> None:
    r = requests.post(
        f"{server.base_url}/switchboard/v1/Accounts/{owner['sid']}/ConnectApps/{app['sid']}.json",
        data={"SignRedirects": "true"}, auth=(owner["sid"], owner["auth_token"]), timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["sign_redirects"] is True


def verify(url: str, auth_token: str, now: float) -> bool:
    """What docs/connect.md tells an app to do with a signed redirect."""
    unsigned, _, _ = url.rpartition("&Signature=")
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    signature = params.get("Signature", [""])[-1]
    timestamp = params.get("Timestamp", ["0"])[-1]
    fresh = timestamp.isdigit() and abs(now - int(timestamp)) <= 300
    return fresh and RequestValidator(auth_token).validate(unsigned, {}, signature)


@pytest.mark.parametrize("decision", ["authorize", "deny"])
def test_signed_redirects_pass_twilios_request_validator(server, owner, customer, decision):
    app = create_app(server.base_url, owner, permissions=["get-all"], authorize_url=COMPLETE)
    sign_redirects(server, owner, app)
    cb = COMPLETE + "?redirect_state=r1"
    link = f"{server.base_url}/authorize/{app['sid']}?" + urllib.parse.urlencode({"state": "s 1", "cb": cb})
    location = Customer(server.base_url, customer).follow(link, decision)
    params = query(location)
    assert params["state"] == "s 1" and params["redirect_state"] == "r1"
    assert ("AccountSid" in params) == (decision == "authorize")
    assert list(params)[-2:] == ["Timestamp", "Signature"], location
    now = time.time()
    assert verify(location, owner["auth_token"], now)

    unsigned, _, encoded = location.rpartition("&Signature=")
    signature = urllib.parse.unquote(encoded)
    validator = RequestValidator(owner["auth_token"])
    assert validator.validate(unsigned, {}, signature)
    # One character changed, anywhere in what is signed, is refused.
    for i, c in enumerate(unsigned):
        forged = unsigned[:i] + ("x" if c != "x" else "y") + unsigned[i + 1:]
        assert not validator.validate(forged, {}, signature), forged
    # And in the signature itself.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert not validator.validate(unsigned, {}, flipped)
    # Only the app owner's token signs it.
    assert not RequestValidator(customer["auth_token"]).validate(unsigned, {}, signature)
    # Too old is refused by the window the docs give.
    assert not verify(location, owner["auth_token"], now + 301)


def tokens(server, app) -> str:
    return f"{server.base_url}/switchboard/v1/ConnectApps/{app['sid']}/Tokens.json"


def test_a_code_from_the_consent_page_is_exchanged_once_with_its_pkce_verifier(
        server, owner, customer, make_client):
    app = create_app(server.base_url, owner, permissions=["get-all"])
    browser = Customer(server.base_url, customer)
    auth = (owner["sid"], owner["auth_token"])
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    link = f"{server.base_url}/authorize/{app['sid']}?" + urllib.parse.urlencode({
        "state": "s1", "response_type": "code",
        "code_challenge": challenge, "code_challenge_method": "S256"})

    def code() -> str:
        params = query(browser.follow(link, "authorize"))
        assert params["state"] == "s1" and "AccountSid" not in params, params
        return params["code"]

    # A wrong verifier is refused and spends the code.
    spent = code()
    wrong = requests.post(tokens(server, app), data={"Code": spent, "CodeVerifier": verifier + "x"},
                          auth=auth, timeout=30)
    assert (wrong.status_code, wrong.json()["code"]) == (400, 97006), wrong.text
    again = requests.post(tokens(server, app), data={"Code": spent, "CodeVerifier": verifier},
                          auth=auth, timeout=30)
    assert (again.status_code, again.json()["code"]) == (400, 97002), again.text

    # The right one gives the grant, once.
    good = code()
    r = requests.post(tokens(server, app), data={"Code": good, "CodeVerifier": verifier},
                      auth=auth, timeout=30)
    assert r.status_code == 200, r.text
    grant = r.json()
    assert grant["customer_account_sid"] == customer["sid"]
    assert grant["permissions"] == ["get-all"]
    sub = grant["account_sid"]
    fetched = make_client(sub, owner["auth_token"]).api.v2010.accounts(sub).fetch()
    assert fetched.owner_account_sid == customer["sid"]
    replay = requests.post(tokens(server, app), data={"Code": good, "CodeVerifier": verifier},
                           auth=auth, timeout=30)
    assert (replay.status_code, replay.json()["code"]) == (400, 97002), replay.text
    # Only the app's owner exchanges.
    other = requests.post(tokens(server, app), data={"Code": code(), "CodeVerifier": verifier},
                          auth=(customer["sid"], customer["auth_token"]), timeout=30)
    assert other.status_code == 404, other.text
