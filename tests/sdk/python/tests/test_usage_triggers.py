"""Usage triggers with the official Python SDK: create, list (with the
Recurring, TriggerBy and UsageCategory filters and the SDK's paging), fetch,
update and delete, as an account and as a Connect App in its dedicated
subaccount, and Twilio's codes for bad input. Every answer is checked
against Twilio's 2010 document."""

from __future__ import annotations

from helpers import assert_rest_error, rest_error
from sdkharness.connect import Customer, create_app


def test_usage_triggers_are_created_listed_updated_and_deleted(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    triggers = account.usage.triggers

    daily = triggers.create(
        callback_url="https://app.example.com/usage",
        trigger_value="100",
        usage_category="sms",
        recurring="daily",
        trigger_by="count",
        friendly_name="Daily SMS",
        callback_method="GET",
    )
    assert daily.sid.startswith("UT")
    assert daily.account_sid == main_account["sid"]
    assert (daily.recurring, daily.trigger_by) == ("daily", "count")
    assert (daily.usage_category, daily.trigger_value) == ("sms", "100")
    assert (daily.callback_url, daily.callback_method) == ("https://app.example.com/usage", "GET")
    assert daily.date_fired is None and daily.current_value is None
    assert daily.uri == f"/2010-04-01/Accounts/{main_account['sid']}/Usage/Triggers/{daily.sid}.json"

    once = triggers.create(
        callback_url="https://app.example.com/usage", trigger_value="5.5", usage_category="totalprice"
    )
    assert (once.recurring, once.trigger_by) == ("alltime", "usage")
    assert [t.sid for t in triggers.list()] == [daily.sid, once.sid]
    assert [t.sid for t in triggers.list(recurring="daily")] == [daily.sid]
    assert [t.sid for t in triggers.list(trigger_by="usage")] == [once.sid]
    assert [t.sid for t in triggers.list(usage_category="totalprice")] == [once.sid]
    assert [t.sid for t in triggers.stream(page_size=1)] == [daily.sid, once.sid]

    assert triggers(daily.sid).fetch().friendly_name == "Daily SMS"
    updated = triggers(daily.sid).update(
        friendly_name="SMS budget", callback_url="https://app.example.com/other", callback_method="POST"
    )
    assert (updated.friendly_name, updated.callback_url, updated.callback_method) == (
        "SMS budget",
        "https://app.example.com/other",
        "POST",
    )
    assert updated.trigger_value == "100"

    assert triggers(daily.sid).delete() is True
    assert_rest_error(rest_error(triggers(daily.sid).fetch), 404, 20404)
    assert [t.sid for t in triggers.list()] == [once.sid]


def test_bad_input_gets_twilios_codes(main_account, main_client):
    triggers = main_client.api.v2010.accounts(main_account["sid"]).usage.triggers
    url = "https://app.example.com/usage"
    assert_rest_error(
        rest_error(triggers.create, callback_url="not a url", trigger_value="1", usage_category="sms"), 400, 21502
    )
    assert_rest_error(
        rest_error(triggers.create, callback_url=url, trigger_value="-1", usage_category="sms"), 400, 20001
    )
    assert_rest_error(
        rest_error(triggers.create, callback_url=url, trigger_value="1", usage_category="nope"), 400, 20001
    )
    missing = "UT" + "0" * 32
    assert_rest_error(rest_error(triggers(missing).fetch), 404, 20404)


def test_a_post_all_app_manages_triggers_in_its_subaccount(server, make_client):
    owner = server.create_main_account("Trigger app owner", full=True)
    customer = server.create_main_account("Trigger customer", full=True)
    connect_app = create_app(server.base_url, owner, permissions=["post-all"])
    sub = Customer(server.base_url, customer).authorize(connect_app["sid"])
    as_app = make_client(sub, owner["auth_token"])
    triggers = as_app.api.v2010.accounts(sub).usage.triggers
    made = triggers.create(callback_url="https://app.example.com/usage", trigger_value="1", usage_category="calls")
    assert made.account_sid == sub
    assert [t.sid for t in triggers.list()] == [made.sid]
    assert triggers(made.sid).update(friendly_name="App's").friendly_name == "App's"
    assert triggers(made.sid).delete() is True
    # Not in the customer's main account.
    err = rest_error(
        as_app.api.v2010.accounts(customer["sid"]).usage.triggers.create,
        callback_url="https://app.example.com/usage",
        trigger_value="1",
        usage_category="calls",
    )
    assert_rest_error(err, 403, 20403)
