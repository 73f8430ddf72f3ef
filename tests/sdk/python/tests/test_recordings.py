"""Recordings with the official Python SDK: a call placed with
`record=True` leaves a recording, which is listed under the call, fetched,
and deleted through the account's and the call's paths (then 404). Every
answer is checked against Twilio's 2010 document."""

from __future__ import annotations

import time

from helpers import assert_rest_error, rest_error


def recorded_call(account):
    call = account.calls.create(
        to="+14155550100", from_="+15005550006", url="https://demo.twilio.com/docs/voice.xml", record=True)
    deadline = time.monotonic() + 10
    while True:
        recordings = account.calls(call.sid).recordings.list()
        if recordings and recordings[0].status == "completed":
            return call, recordings[0]
        assert time.monotonic() < deadline, "no recording"
        time.sleep(0.05)


def test_recordings_are_fetched_and_deleted(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    call, recording = recorded_call(account)
    assert recording.sid.startswith("RE") and recording.call_sid == call.sid
    assert account.recordings(recording.sid).fetch().call_sid == call.sid
    assert recording.sid in [r.sid for r in account.recordings.list()]

    assert account.recordings(recording.sid).delete() is True
    assert_rest_error(rest_error(account.recordings(recording.sid).fetch), 404, 20404)
    assert account.calls(call.sid).recordings.list() == []

    # Through the call's path too.
    call, recording = recorded_call(account)
    assert account.calls(call.sid).recordings(recording.sid).delete() is True
    assert_rest_error(rest_error(account.recordings(recording.sid).fetch), 404, 20404)
