"""Auth-token rotation on Twilio's Accounts v1 paths, with the official
Python SDK: client.accounts.v1.secondary_auth_token / auth_token_promotion."""

from __future__ import annotations

import datetime

from helpers import AUTH_TOKEN, assert_rest_error, list_error, rest_error


def fetch_self(client, sid):
    return client.api.v2010.accounts(sid).fetch()


def assert_v1_dates(instance):
    for d in (instance.date_created, instance.date_updated):
        # The SDK turns Twilio's ISO 8601 (2015-01-25T12:34:56Z) into a
        # datetime; anything else would be left as the raw string.
        assert isinstance(d, datetime.datetime), d


def test_secondary_token_create_use_and_delete(main_account, main_client, make_client, exchanges):
    sid, primary = main_account["sid"], main_account["auth_token"]
    secondary = main_client.accounts.v1.secondary_auth_token().create()
    assert secondary.account_sid == sid
    assert AUTH_TOKEN.fullmatch(secondary.secondary_auth_token or ""), secondary.secondary_auth_token
    assert secondary.secondary_auth_token != primary
    assert secondary.url.endswith("/v1/AuthTokens/Secondary"), secondary.url
    assert_v1_dates(secondary)
    post = [e for e in exchanges() if e["url"].endswith("/v1/AuthTokens/Secondary")][-1]
    assert post["status"] == 201

    # Both tokens authenticate the account.
    assert fetch_self(make_client(sid, secondary.secondary_auth_token), sid).sid == sid
    assert fetch_self(make_client(sid, primary), sid).sid == sid
    # The account's own auth_token stays the primary.
    assert fetch_self(main_client, sid).auth_token == primary

    # Creating again replaces the secondary.
    replacement = main_client.accounts.v1.secondary_auth_token().create()
    assert replacement.secondary_auth_token != secondary.secondary_auth_token
    assert_rest_error(rest_error(fetch_self, make_client(sid, secondary.secondary_auth_token), sid), 401, 20003)

    assert main_client.accounts.v1.secondary_auth_token().delete() is True
    assert_rest_error(rest_error(fetch_self, make_client(sid, replacement.secondary_auth_token), sid), 401, 20003)
    assert fetch_self(main_client, sid).sid == sid
    # Nothing left to delete.
    assert_rest_error(rest_error(main_client.accounts.v1.secondary_auth_token().delete), 404)


def test_promote_secondary(main_account, main_client, make_client):
    sid, old_primary = main_account["sid"], main_account["auth_token"]
    secondary = main_client.accounts.v1.secondary_auth_token().create().secondary_auth_token

    promoted = main_client.accounts.v1.auth_token_promotion().update()
    assert promoted.account_sid == sid
    assert promoted.auth_token == secondary
    assert promoted.url.endswith("/v1/AuthTokens/Promote"), promoted.url
    assert_v1_dates(promoted)

    # The old primary is refused at once, on every operation.
    old_client = make_client(sid, old_primary)
    assert_rest_error(rest_error(fetch_self, old_client, sid), 401, 20003)
    assert list_error(old_client.api.v2010.accounts.list) == (401, 20003)
    assert_rest_error(rest_error(old_client.accounts.v1.secondary_auth_token().create), 401, 20003)

    new_client = make_client(sid, secondary)
    me = fetch_self(new_client, sid)
    assert me.auth_token == secondary

    # The secondary became the primary: there is none left to promote or use.
    assert_rest_error(rest_error(new_client.accounts.v1.auth_token_promotion().update), 400)
    assert_rest_error(rest_error(new_client.accounts.v1.secondary_auth_token().delete), 404)


def test_promote_without_secondary_is_400(main_account, main_client):
    assert_rest_error(rest_error(main_client.accounts.v1.auth_token_promotion().update), 400)
    # And nothing changed.
    assert fetch_self(main_client, main_account["sid"]).auth_token == main_account["auth_token"]


def test_subaccount_rotation_keeps_parent_working(main_account, main_client, make_client):
    sub = main_client.api.v2010.accounts.create(friendly_name="rotating child")
    sub_client = make_client(sub.sid, sub.auth_token)
    secondary = sub_client.accounts.v1.secondary_auth_token().create()
    assert secondary.account_sid == sub.sid
    promoted = sub_client.accounts.v1.auth_token_promotion().update()
    assert promoted.auth_token == secondary.secondary_auth_token
    assert_rest_error(rest_error(fetch_self, sub_client, sub.sid), 401, 20003)
    assert fetch_self(make_client(sub.sid, promoted.auth_token), sub.sid).auth_token == promoted.auth_token
    # The parent's credentials are untouched and see the new token.
    assert fetch_self(main_client, sub.sid).auth_token == promoted.auth_token
    assert fetch_self(main_client, main_account["sid"]).auth_token == main_account["auth_token"]


def test_wrong_credentials_on_token_api(main_account, make_client):
    client = make_client(main_account["sid"], "f" * 32)
    assert_rest_error(rest_error(client.accounts.v1.secondary_auth_token().create), 401, 20003)
    assert_rest_error(rest_error(client.accounts.v1.auth_token_promotion().update), 401, 20003)
