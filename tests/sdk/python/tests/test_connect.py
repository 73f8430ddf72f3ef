"""Connect with the official Python SDK: the app, authenticated as the
customer's dedicated subaccount with its owner's auth token, gets exactly the
reach the customer granted; revocation calls back with a signature Twilio's own
RequestValidator accepts."""

from __future__ import annotations

import pytest
import requests
from twilio.request_validator import RequestValidator

from helpers import assert_account, assert_rest_error, rest_error
from sdkharness.connect import Customer, create_app


@pytest.fixture
def owner(server):
    return server.create_main_account("App owner", full=True)


@pytest.fixture
def customer(server):
    return server.create_main_account("Customer", full=True)


def test_authorized_app_reads_the_customer_with_get_all(server, owner, customer, make_client):
    app = create_app(server.base_url, owner, permissions=["get-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    as_app = make_client(sub, owner["auth_token"])

    fetched = as_app.api.v2010.accounts(sub).fetch()
    assert_account(fetched, sid=sub, owner=customer["sid"], status="active")
    assert fetched.auth_token is None, "a Connect App never sees the customer's tokens"
    # get-all reads the customer's main account and every subaccount.
    listed = {a.sid for a in as_app.api.v2010.accounts.list()}
    assert {customer["sid"], sub} <= listed
    assert as_app.api.v2010.accounts(customer["sid"]).fetch().auth_token is None

    # The customer sees the grant in Twilio's authorized-apps list.
    as_customer = make_client(customer["sid"], customer["auth_token"])
    granted = as_customer.api.v2010.accounts(customer["sid"]).authorized_connect_apps.list()
    assert [(g.connect_app_sid, g.permissions) for g in granted] == [(app["sid"], ["get-all"])]
    one = as_customer.api.v2010.accounts(customer["sid"]).authorized_connect_apps(app["sid"]).fetch()
    assert one.connect_app_friendly_name == "Call Analytics"
    assert one.connect_app_company_name == "Rossum Telecom"


def test_post_all_alone_reads_only_the_dedicated_subaccount(server, owner, customer, make_client):
    app = create_app(server.base_url, owner, permissions=["post-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    as_app = make_client(sub, owner["auth_token"])
    assert as_app.api.v2010.accounts(sub).fetch().sid == sub
    assert [a.sid for a in as_app.api.v2010.accounts.list()] == [sub]
    err = rest_error(as_app.api.v2010.accounts(customer["sid"]).fetch)
    assert_rest_error(err, 403, 20403)
    assert "get-all" in err.msg


def test_another_owners_token_is_not_the_app(server, owner, customer, make_client):
    app = create_app(server.base_url, owner, permissions=["get-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    stranger = server.create_main_account("Stranger", full=True)
    as_stranger = make_client(sub, stranger["auth_token"])
    assert_rest_error(rest_error(as_stranger.api.v2010.accounts(sub).fetch), 401, 20003)


def test_the_app_has_what_it_asks_for_and_the_customer_granted(server, owner, customer, make_client):
    as_owner = make_client(owner["sid"], owner["auth_token"])
    person = Customer(server.base_url, customer)

    # Dropping a permission takes it away at once; asking for it again gives
    # back only what the customer had granted.
    reader = create_app(server.base_url, owner, permissions=["get-all"])
    sub = person.authorize(reader["sid"])
    main = make_client(sub, owner["auth_token"]).api.v2010.accounts(customer["sid"])
    reader_ctx = as_owner.api.v2010.accounts(owner["sid"]).connect_apps(reader["sid"])
    assert main.fetch().sid == customer["sid"]
    assert reader_ctx.update(permissions=["post-all"]).permissions == ["post-all"]
    assert_rest_error(rest_error(main.fetch), 403, 20403)
    reader_ctx.update(permissions=["get-all", "post-all"])
    assert main.fetch().sid == customer["sid"]

    # A permission the customer never granted is unusable until they approve again.
    writer = create_app(server.base_url, owner, permissions=["post-all"], name="Dialler")
    sub = person.authorize(writer["sid"])
    main = make_client(sub, owner["auth_token"]).api.v2010.accounts(customer["sid"])
    writer_ctx = as_owner.api.v2010.accounts(owner["sid"]).connect_apps(writer["sid"])
    assert writer_ctx.update(permissions=["get-all", "post-all"]).permissions == ["get-all", "post-all"]
    assert_rest_error(rest_error(main.fetch), 403, 20403)
    assert person.authorize(writer["sid"]) == sub, "approving again reuses the dedicated subaccount"
    assert main.fetch().sid == customer["sid"]


def test_a_connect_app_cannot_act_as_the_owner(server, owner, customer, make_client):
    app = create_app(server.base_url, owner, permissions=["get-all", "post-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    as_app = make_client(sub, owner["auth_token"])
    assert_rest_error(rest_error(as_app.api.v2010.accounts.create, friendly_name="Mine now"), 403, 20403)
    assert_rest_error(rest_error(as_app.api.v2010.accounts(sub).update, status="suspended"), 403, 20403)
    assert_rest_error(rest_error(as_app.accounts.v1.secondary_auth_token().create), 403, 20403)


def test_deny_sends_the_customer_back_without_an_account(server, owner, customer):
    app = create_app(server.base_url, owner, permissions=["get-all"])
    query = Customer(server.base_url, customer).decide(app["sid"], "deny", state="s&t=<1>")
    assert query == {"error": "unauthorized_client", "state": "s&t=<1>"}


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_deauthorize_callbacks_pass_twilios_request_validator(
    server, owner, customer, make_client, receiver, method
):
    # A URL with a port and its own query string, as Twilio's validator must handle.
    url = receiver.url("/twilio/deauthorize?tenant=acme&x=1")
    app = create_app(server.base_url, owner, permissions=["get-all"], deauthorize_url=url, method=method)
    sub = Customer(server.base_url, customer).authorize(app["sid"])

    revoked = requests.delete(
        f"{server.base_url}/2010-04-01/Accounts/{customer['sid']}/AuthorizedConnectApps/{app['sid']}.json",
        auth=(customer["sid"], customer["auth_token"]), timeout=30)
    assert revoked.status_code == 204, revoked.text
    (hit,) = receiver.wait_for(1)

    assert hit.method == method
    signature = hit.headers["x-twilio-signature"]
    validator = RequestValidator(owner["auth_token"])
    if method == "POST":
        assert hit.url == url
        assert hit.form == {"AccountSid": sub, "ConnectAppSid": app["sid"]}
        assert validator.validate(hit.url, hit.form, signature)
        assert not validator.validate(hit.url, {**hit.form, "AccountSid": customer["sid"]}, signature)
    else:
        assert hit.url.startswith(url + "&"), hit.url
        assert f"AccountSid={sub}" in hit.url and f"ConnectAppSid={app['sid']}" in hit.url
        assert validator.validate(hit.url, {}, signature)
        assert not validator.validate(hit.url.replace("acme", "evil"), {}, signature)
    assert hit.headers.get("i-twilio-idempotency-token")
    assert not RequestValidator(customer["auth_token"]).validate(hit.url, hit.form, signature)

    # The grant is gone at once.
    as_app = make_client(sub, owner["auth_token"])
    assert_rest_error(rest_error(as_app.api.v2010.accounts(sub).fetch), 401, 20003)
