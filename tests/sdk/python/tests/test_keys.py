"""API keys with the official Python SDK: made with api.v2010.accounts(..)
.new_keys and .new_signing_keys (the SDK's create calls), read and changed
with .keys and .signing_keys, then Client(key_sid, secret, account_sid) authenticating with
one, as twilio-python's own cluster tests do."""

from __future__ import annotations

import re

from helpers import assert_rest_error, rest_error
from sdkharness.connect import Customer, create_app

SECRET = re.compile(r"[A-Za-z0-9]{32}")


def test_create_a_key_and_authenticate_with_it(server, main_account, main_client, make_client):
    sid = main_account["sid"]
    account = main_client.api.v2010.accounts(sid)
    key = account.new_keys.create(friendly_name="SDK key")
    assert key.sid.startswith("SK")
    assert key.friendly_name == "SDK key"
    assert SECRET.fullmatch(key.secret or ""), key.secret

    # Client(api_key, api_secret, account_sid): lists the account's calls.
    with_key = make_client(key.sid, key.secret, sid)
    assert with_key.calls.list(limit=5) == []
    assert with_key.api.v2010.accounts(sid).fetch().sid == sid
    # And a subaccount of the account.
    sub = main_client.api.v2010.accounts.create(friendly_name="Keyed sub").sid
    assert make_client(key.sid, key.secret, sub).messages.list(limit=5) == []

    # Fetch, list, rename: never the secret again.
    fetched = account.keys(key.sid).fetch()
    assert fetched.friendly_name == "SDK key"
    assert [k.sid for k in account.keys.list()] == [key.sid]
    assert account.keys(key.sid).update(friendly_name="Renamed").friendly_name == "Renamed"

    # A wrong secret is nobody; a key manages no keys.
    # (A fetch: the SDK raises a list's errors without their code.)
    wrong = make_client(key.sid, "x" * 32, sid)
    assert_rest_error(rest_error(wrong.api.v2010.accounts(sid).fetch), 401, 20003)
    err = rest_error(with_key.api.v2010.accounts(sid).new_keys.create)
    assert_rest_error(err, 403, 20403)
    assert "API key" in err.msg

    # Deleting revokes it at once.
    assert account.keys(key.sid).delete() is True
    assert_rest_error(rest_error(with_key.api.v2010.accounts(sid).fetch), 401, 20003)
    assert_rest_error(rest_error(account.keys(key.sid).fetch), 404, 20404)


def test_signing_keys(main_account, main_client, make_client):
    sid = main_account["sid"]
    account = main_client.api.v2010.accounts(sid)
    signing = account.new_signing_keys.create(friendly_name="Tokens")
    assert signing.sid.startswith("SK") and SECRET.fullmatch(signing.secret or "")
    assert [k.sid for k in account.signing_keys.list()] == [signing.sid]
    assert account.signing_keys(signing.sid).fetch().friendly_name == "Tokens"
    assert account.signing_keys(signing.sid).update(friendly_name="Video").friendly_name == "Video"
    # Each resource holds its own kind.
    assert account.keys.list() == []
    assert_rest_error(rest_error(account.keys(signing.sid).fetch), 404, 20404)
    assert make_client(signing.sid, signing.secret, sid).calls.list(limit=1) == []
    assert account.signing_keys(signing.sid).delete() is True
    assert_rest_error(rest_error(account.signing_keys(signing.sid).fetch), 404, 20404)


def test_connect_apps_cannot_make_keys_on_customers(server, make_client):
    owner = server.create_main_account("Key app owner", full=True)
    customer = server.create_main_account("Key customer", full=True)
    app = create_app(server.base_url, owner, permissions=["get-all", "post-all"])
    sub = Customer(server.base_url, customer).authorize(app["sid"])
    as_app = make_client(sub, owner["auth_token"])
    err = rest_error(as_app.api.v2010.accounts(sub).new_keys.create)
    assert_rest_error(err, 403, 20403)
    assert "Twilio Connect cannot create or use API keys" in err.msg

    # The owner's own key on the customer's subaccount: refused, saying why.
    as_owner = make_client(owner["sid"], owner["auth_token"])
    key = as_owner.api.v2010.accounts(owner["sid"]).new_keys.create()
    err = rest_error(make_client(key.sid, key.secret, sub).api.v2010.accounts(sub).fetch)
    assert_rest_error(err, 403, 20403)
    assert "Connect" in err.msg


def test_network_traversal_token(main_account, main_client):
    token = main_client.api.v2010.accounts(main_account["sid"]).tokens.create(ttl=600)
    assert token.account_sid == main_account["sid"]
    assert token.ttl == "600"
    assert token.username and token.password
    assert all(".invalid" in server["urls"] for server in token.ice_servers)
