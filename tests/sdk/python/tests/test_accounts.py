"""Accounts with the official Python SDK: create, fetch, list with filters,
update, the status lifecycle, and who may see what."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from helpers import ACCOUNT_SID, AUTH_TOKEN, assert_account, assert_rest_error, list_error, rest_error


def test_fetch_main_account(main_account, main_client):
    sid = main_account["sid"]
    acc = main_client.api.v2010.accounts(sid).fetch()
    assert_account(acc, sid=sid, owner=sid, friendly_name=main_account["friendly_name"],
                   status="active", type_="Full")
    assert acc.auth_token == main_account["auth_token"]


def test_create_subaccount_then_fetch(main_account, main_client):
    main = main_account["sid"]
    sub = main_client.api.v2010.accounts.create(friendly_name="SDK sub: créé ✓")
    assert_account(sub, owner=main, friendly_name="SDK sub: créé ✓", status="active", type_="Full")
    assert sub.sid != main
    assert AUTH_TOKEN.fullmatch(sub.auth_token or ""), sub.auth_token
    assert sub.auth_token != main_account["auth_token"]

    again = main_client.api.v2010.accounts(sub.sid).fetch()
    assert_account(again, sid=sub.sid, owner=main, friendly_name="SDK sub: créé ✓",
                   status="active", type_="Full")
    assert again.auth_token == sub.auth_token
    assert again.date_created == sub.date_created


def test_subaccount_default_friendly_name(main_client):
    sub = main_client.api.v2010.accounts.create()
    assert sub.friendly_name.startswith("SubAccount Created at "), sub.friendly_name


def test_subaccounts_share_the_main_accounts_type(server, make_client):
    trial = server.create_main_account("SDK trial", full=False)
    assert trial["type"] == "Trial"
    client = make_client(trial["sid"], trial["auth_token"])
    sub = client.api.v2010.accounts.create(friendly_name="trial child")
    assert sub.type == "Trial"
    assert client.api.v2010.accounts(trial["sid"]).fetch().type == "Trial"


def test_list_with_filters(main_account, main_client, exchanges):
    accounts = main_client.api.v2010.accounts
    main = main_account["sid"]
    a1 = accounts.create(friendly_name="alpha")
    b = accounts.create(friendly_name="beta")
    a2 = accounts.create(friendly_name="alpha")
    c = accounts.create(friendly_name="gamma & co/+=?")

    everything = accounts.list()
    assert [x.sid for x in everything] == [main, a1.sid, b.sid, a2.sid, c.sid]

    assert [x.sid for x in accounts.list(friendly_name="alpha")] == [a1.sid, a2.sid]
    assert [x.sid for x in accounts.list(friendly_name="gamma & co/+=?")] == [c.sid]
    assert accounts.list(friendly_name="Alpha") == []  # exact match
    assert accounts.list(friendly_name="alph") == []

    accounts(b.sid).update(status="suspended")
    assert [x.sid for x in accounts.list(status="suspended")] == [b.sid]
    assert [x.sid for x in accounts.list(status="active")] == [main, a1.sid, a2.sid, c.sid]
    assert accounts.list(status="closed") == []
    assert accounts.list(friendly_name="beta", status="active") == []
    assert [x.sid for x in accounts.list(friendly_name="beta", status="suspended")] == [b.sid]

    # The filters went out as Twilio's query parameters and came back in the
    # envelope's URIs.
    filtered = [e for e in exchanges() if e["method"] == "GET" and "Status=suspended" in e["url"]]
    assert filtered
    import json
    body = json.loads(filtered[-1]["body"])
    for key in ("uri", "first_page_uri"):
        q = parse_qs(urlsplit(body[key]).query)
        assert q.get("Status") == ["suspended"], (key, body[key])


def test_update_friendly_name(main_client):
    accounts = main_client.api.v2010.accounts
    sub = accounts.create(friendly_name="before")
    updated = accounts(sub.sid).update(friendly_name="after")
    assert_account(updated, sid=sub.sid, friendly_name="after", status="active")
    assert updated.date_updated >= sub.date_updated
    assert accounts(sub.sid).fetch().friendly_name == "after"
    # Through the instance, as SDK users do.
    fetched = accounts(sub.sid).fetch()
    assert fetched.update(friendly_name="after again").friendly_name == "after again"


def test_status_lifecycle(main_client, make_client, main_account):
    accounts = main_client.api.v2010.accounts
    sub = accounts.create(friendly_name="lifecycle")
    sub_client = make_client(sub.sid, sub.auth_token)
    assert sub_client.api.v2010.accounts(sub.sid).fetch().status == "active"

    suspended = accounts(sub.sid).update(status="suspended")
    assert suspended.status == "suspended"
    assert accounts(sub.sid).fetch().status == "suspended"
    # A suspended account's own credentials fail on the very next request.
    assert_rest_error(rest_error(sub_client.api.v2010.accounts(sub.sid).fetch), 401, 20003)

    reactivated = accounts(sub.sid).update(status="active")
    assert reactivated.status == "active"
    assert sub_client.api.v2010.accounts(sub.sid).fetch().status == "active"

    closed = accounts(sub.sid).update(status="closed")
    assert closed.status == "closed"
    assert accounts(sub.sid).fetch().status == "closed"
    assert_rest_error(rest_error(sub_client.api.v2010.accounts(sub.sid).fetch), 401, 20003)

    # Closed is final.
    assert_rest_error(rest_error(accounts(sub.sid).update, status="active"), 400)
    assert_rest_error(rest_error(accounts(sub.sid).update, status="suspended"), 400)
    assert accounts(sub.sid).fetch().status == "closed"
    assert [x.sid for x in accounts.list(status="closed")] == [sub.sid]


def test_invalid_status_value_is_refused(main_client):
    sub = main_client.api.v2010.accounts.create(friendly_name="bad status")
    assert_rest_error(rest_error(main_client.api.v2010.accounts(sub.sid).update, status="frozen"), 400)


def test_main_account_status_cannot_change(main_account, main_client):
    sid = main_account["sid"]
    exc = rest_error(main_client.api.v2010.accounts(sid).update, status="suspended")
    assert_rest_error(exc, 403, 20403)
    assert main_client.api.v2010.accounts(sid).fetch().status == "active"


def test_subaccount_credentials_see_only_itself(main_account, main_client, make_client):
    main = main_account["sid"]
    sub = main_client.api.v2010.accounts.create(friendly_name="me")
    other = main_client.api.v2010.accounts.create(friendly_name="sibling")
    sub_client = make_client(sub.sid, sub.auth_token)

    listed = sub_client.api.v2010.accounts.list()
    assert [x.sid for x in listed] == [sub.sid]
    assert_account(listed[0], sid=sub.sid, owner=main, friendly_name="me")

    fetched = sub_client.api.v2010.accounts(sub.sid).fetch()
    assert fetched.sid == sub.sid and fetched.auth_token == sub.auth_token

    # Neither the parent nor a sibling is visible: 404, nothing leaks.
    assert_rest_error(rest_error(sub_client.api.v2010.accounts(main).fetch), 404, 20404)
    assert_rest_error(rest_error(sub_client.api.v2010.accounts(other.sid).fetch), 404, 20404)
    # A subaccount cannot make subaccounts.
    assert_rest_error(rest_error(sub_client.api.v2010.accounts.create, friendly_name="grandchild"), 403)


def test_subaccount_with_parent_token(main_account, main_client, make_client):
    sub = main_client.api.v2010.accounts.create(friendly_name="via parent")
    client = make_client(sub.sid, main_account["auth_token"])
    fetched = client.api.v2010.accounts(sub.sid).fetch()
    assert fetched.sid == sub.sid and fetched.owner_account_sid == main_account["sid"]
    assert [x.sid for x in client.api.v2010.accounts.list()] == [sub.sid]


def test_main_accounts_are_isolated(server, main_account, make_client):
    other = server.create_main_account("SDK other main")
    other_client = make_client(other["sid"], other["auth_token"])
    their_sub = other_client.api.v2010.accounts.create(friendly_name="theirs")
    client = make_client(main_account["sid"], main_account["auth_token"])
    assert_rest_error(rest_error(client.api.v2010.accounts(other["sid"]).fetch), 404, 20404)
    assert_rest_error(rest_error(client.api.v2010.accounts(their_sub.sid).fetch), 404, 20404)
    assert_rest_error(rest_error(client.api.v2010.accounts(their_sub.sid).update, friendly_name="x"), 404, 20404)
    assert their_sub.sid not in [x.sid for x in client.api.v2010.accounts.list()]


def test_wrong_password_is_401(main_account, make_client, exchanges):
    client = make_client(main_account["sid"], "0" * 32)
    exc = rest_error(client.api.v2010.accounts(main_account["sid"]).fetch)
    assert_rest_error(exc, 401, 20003)
    assert list_error(client.api.v2010.accounts.list) == (401, 20003)
    # Like Twilio, a 401 asks for Basic credentials.
    for e in exchanges():
        assert e["status"] == 401
        assert e["headers"].get("www-authenticate", "").startswith("Basic"), e["headers"]


def test_unknown_account_sid_is_404(main_client):
    exc = rest_error(main_client.api.v2010.accounts("AC" + "0" * 32).fetch)
    assert_rest_error(exc, 404, 20404)
    exc = rest_error(main_client.api.v2010.accounts("AC" + "0" * 32).update, friendly_name="nobody")
    assert_rest_error(exc, 404, 20404)


def test_malformed_account_sid_is_404(main_client):
    for sid in ("ACnot-a-sid", "CN" + "0" * 32, "AC" + "0" * 31):
        assert_rest_error(rest_error(main_client.api.v2010.accounts(sid).fetch), 404, 20404)


def test_sids_are_unique(main_client):
    sids = {main_client.api.v2010.accounts.create(friendly_name=f"u{i}").sid for i in range(10)}
    assert len(sids) == 10
    assert all(ACCOUNT_SID.fullmatch(s) for s in sids)


def test_friendly_name_length(main_client):
    accounts = main_client.api.v2010.accounts
    ok = accounts.create(friendly_name="n" * 64)
    assert ok.friendly_name == "n" * 64
    assert_rest_error(rest_error(accounts.create, friendly_name="n" * 65), 400)
    assert_rest_error(rest_error(accounts(ok.sid).update, friendly_name="m" * 65), 400)
    assert accounts(ok.sid).fetch().friendly_name == "n" * 64


def test_subaccount_cannot_change_its_own_status(main_client, make_client):
    sub = main_client.api.v2010.accounts.create(friendly_name="self-suspender")
    sub_client = make_client(sub.sid, sub.auth_token)
    assert_rest_error(rest_error(sub_client.api.v2010.accounts(sub.sid).update, status="suspended"), 403, 20403)
    assert main_client.api.v2010.accounts(sub.sid).fetch().status == "active"


def test_upgrade_makes_trial_accounts_full(server, make_client):
    trial = server.create_main_account("SDK to upgrade", full=False)
    client = make_client(trial["sid"], trial["auth_token"])
    sub = client.api.v2010.accounts.create(friendly_name="child before upgrade")
    assert sub.type == "Trial"
    server.cli("accounts", "upgrade", "--database-url", server.db.url, trial["sid"])
    assert client.api.v2010.accounts(trial["sid"]).fetch().type == "Full"
    assert client.api.v2010.accounts(sub.sid).fetch().type == "Full"
    assert client.api.v2010.accounts.create(friendly_name="child after").type == "Full"
