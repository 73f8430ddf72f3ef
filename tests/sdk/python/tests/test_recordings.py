"""Recordings with the official Python SDK: a call placed with
`record=True` leaves a recording, which is listed under the call, fetched,
and deleted through the account's and the call's paths (then 404); a live
call's recording is started, paused, resumed and stopped, and its WAV
downloaded as apps download it; a transcribed
`<Record>`'s transcription is read and deleted; a live call is transcribed
in real time (started, stopped by name, its events). Every answer is checked
against Twilio's 2010 document."""

from __future__ import annotations

import io
import json
import time
import wave
from urllib.parse import urlsplit

import requests

from helpers import assert_rest_error, rest_error, settle


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


def say(base_url: str, account: dict, call_sid: str, speech: str) -> None:
    """The simulated caller speaks (Switchboard's Input.json): what a
    <Record> takes as the message."""
    sid, token = account["sid"], account["auth_token"]
    r = requests.post(f"{base_url}/switchboard/v1/Accounts/{sid}/Calls/{call_sid}/Input.json",
                      data={"SpeechResult": speech}, auth=(sid, token), timeout=30)
    assert r.status_code == 200, (r.status_code, r.text)


def download_wav(url: str, account: dict) -> wave.Wave_read:
    """What an app does with a recording's `media_url`: a plain GET with the
    account's credentials, read as a WAV file."""
    r = requests.get(url, auth=(account["sid"], account["auth_token"]), timeout=30)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.headers["Content-Type"] == "audio/x-wav"
    assert r.content[:4] == b"RIFF" and r.content[8:12] == b"WAVE"
    return wave.open(io.BytesIO(r.content))


def test_a_live_calls_recording_is_paused_resumed_and_stopped(server, main_account, main_client, receiver):
    account = main_client.api.v2010.accounts(main_account["sid"])
    number = account.incoming_phone_numbers.create(area_code="415")
    # The call waits in progress while its document is requested.
    receiver.answer("/hold", "<Response><Hangup/></Response>")
    receiver.delay("/hold", 4)
    call = account.calls.create(to="+12025550144", from_=number.phone_number, url=receiver.url("/hold"))
    settle(lambda: account.calls(call.sid).fetch(), lambda c: c.status == "in-progress")

    recording = account.calls(call.sid).recordings.create(
        recording_channels="dual", recording_status_callback=receiver.url("/rec"),
        recording_status_callback_event=["in-progress", "completed"])
    assert recording.status == "in-progress" and recording.source == "StartCallRecordingAPI"
    assert recording.channels == 2
    paused = account.calls(call.sid).recordings("Twilio.CURRENT").update(status="paused", pause_behavior="silence")
    assert paused.sid == recording.sid and paused.status == "paused"
    resumed = account.calls(call.sid).recordings(recording.sid).update(status="in-progress")
    assert resumed.status == "in-progress"
    time.sleep(1.2)
    stopped = account.calls(call.sid).recordings(recording.sid).update(status="stopped")
    assert stopped.status == "completed" and int(stopped.duration) >= 1
    # Its media, downloaded as apps do, lasts the recorded time, in two channels.
    # Under the account and, as its `uri` says, under the call. (The harness's
    # server says its public URL is http://127.0.0.1, without the port it
    # listens on: media_url's path is what is taken.)
    media_path = urlsplit(account.recordings(recording.sid).fetch().media_url).path
    call_path = stopped.uri.removesuffix(".json")
    for path in (media_path, media_path + ".wav", call_path + ".wav"):
        audio = download_wav(server.base_url + path, main_account)
        assert audio.getnchannels() == 2
        assert audio.getnframes() == int(stopped.duration) * audio.getframerate()
    hooks = settle(lambda: [h for h in receiver.hits if h.url.endswith("/rec")], lambda h: len(h) == 2)
    assert [h.form["RecordingStatus"] for h in hooks] == ["in-progress", "completed"]

    settle(lambda: account.calls(call.sid).fetch(), lambda c: c.status == "completed")
    # A call that has ended cannot be recorded: Twilio's 21220.
    assert_rest_error(rest_error(lambda: account.calls(call.sid).recordings.create()), 400, 21220)


def test_a_transcribed_record_is_read_and_deleted(server, main_account, main_client, receiver):
    account = main_client.api.v2010.accounts(main_account["sid"])
    number = account.incoming_phone_numbers.create(area_code="415")
    receiver.answer("/leave", (
        f'<Response><Record transcribe="true" transcribeCallback="{receiver.url("/text")}" '
        f'action="{receiver.url("/done")}"/></Response>'))
    receiver.delay("/leave", 0.5)
    receiver.answer("/done", "<Response><Hangup/></Response>")
    call = account.calls.create(to="+12025550145", from_=number.phone_number, url=receiver.url("/leave"))
    say(server.base_url, main_account, call.sid, "Please call me back")
    recording = settle(lambda: account.calls(call.sid).recordings.list(), lambda r: len(r) == 1)[0]

    transcriptions = settle(lambda: account.transcriptions.list(), lambda t: len(t) == 1)
    t = transcriptions[0]
    assert t.transcription_text == "Please call me back" and t.status == "completed"
    assert t.recording_sid == recording.sid and str(t.price) == "-0.05000" and t.type == "fulltext"
    assert account.transcriptions(t.sid).fetch().sid == t.sid
    assert [x.sid for x in account.recordings(recording.sid).transcriptions.list()] == [t.sid]
    assert account.recordings(recording.sid).transcriptions(t.sid).fetch().duration == t.duration
    hooks = settle(lambda: [h for h in receiver.hits if h.url.endswith("/text")], lambda h: len(h) == 1)
    assert hooks[0].form["TranscriptionSid"] == t.sid

    assert account.transcriptions(t.sid).delete() is True
    assert_rest_error(rest_error(account.transcriptions(t.sid).fetch), 404, 20404)
    assert account.transcriptions.list() == []


def test_a_live_call_is_transcribed_in_real_time(main_account, main_client, receiver):
    account = main_client.api.v2010.accounts(main_account["sid"])
    number = account.incoming_phone_numbers.create(area_code="415")
    # The call waits in progress for its document, which then says something.
    receiver.answer("/hold", "<Response><Say>Hello from the app</Say><Hangup/></Response>")
    receiver.delay("/hold", 4)
    call = account.calls.create(to="+12025550146", from_=number.phone_number, url=receiver.url("/hold"))
    settle(lambda: account.calls(call.sid).fetch(), lambda c: c.status == "in-progress")

    named = account.calls(call.sid).transcriptions.create(name="support", track="inbound_track")
    assert named.sid.startswith("GT") and named.status == "in-progress" and named.name == "support"
    stopped = account.calls(call.sid).transcriptions("support").update(status="stopped")
    assert stopped.sid == named.sid and stopped.status == "stopped"

    live = account.calls(call.sid).transcriptions.create(
        track="both_tracks", status_callback_url=receiver.url("/rt"), language_code="en-US",
        partial_results=False)
    assert live.call_sid == call.sid and live.status == "in-progress"
    hooks = settle(lambda: [h for h in receiver.hits if h.url.endswith("/rt")], lambda h: len(h) == 3)
    hooks.sort(key=lambda h: int(h.form["SequenceId"]))
    assert [h.form["TranscriptionEvent"] for h in hooks] == [
        "transcription-started", "transcription-content", "transcription-stopped"]
    assert hooks[1].form["Track"] == "outbound_track"
    assert json.loads(hooks[1].form["TranscriptionData"])["transcript"] == "Hello from the app"
    assert all(h.form["TranscriptionSid"] == live.sid for h in hooks)

    settle(lambda: account.calls(call.sid).fetch(), lambda c: c.status == "completed")
    assert_rest_error(rest_error(lambda: account.calls(call.sid).transcriptions.create()), 400, 21220)
    assert account.calls(call.sid).transcriptions(live.sid).update(status="stopped").status == "stopped"
