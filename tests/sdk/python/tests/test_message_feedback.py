"""Message feedback with the official Python SDK: a message sent with
`provide_feedback=True` takes its outcome (`messages(sid).feedback.create`),
one sent without it has no Feedback resource (404). Every answer is checked
against Twilio's 2010 document."""

from __future__ import annotations

from helpers import assert_rest_error, rest_error


def test_feedback_of_a_message_sent_with_provide_feedback(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    message = account.messages.create(
        to="+14155550100", from_="+15005550006", body="Your code is 123456", provide_feedback=True)
    feedback = account.messages(message.sid).feedback.create(outcome="confirmed")
    assert (feedback.account_sid, feedback.message_sid, feedback.outcome) == (
        main_account["sid"], message.sid, "confirmed")
    assert feedback.date_created == message.date_created
    assert feedback.uri == f"/2010-04-01/Accounts/{main_account['sid']}/Messages/{message.sid}/Feedback.json"
    # Twilio's default outcome is confirmed.
    assert account.messages(message.sid).feedback.create(outcome="unconfirmed").outcome == "unconfirmed"
    assert account.messages(message.sid).feedback.create().outcome == "confirmed"


def test_no_feedback_without_provide_feedback(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    message = account.messages.create(to="+14155550100", from_="+15005550006", body="hello")
    assert_rest_error(rest_error(account.messages(message.sid).feedback.create), 404, 20404)
