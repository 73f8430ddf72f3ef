"""Calls that run TwiML built with the official Python SDK's VoiceResponse:
the SDK places the call, a local server in the test answers its webhooks with
the documents, a simulated caller presses a key (Switchboard's Input.json
extension, plain HTTP: the SDKs have no call for it), and the SDK then reads
what the call engine did: the call, its dialled leg, its events and its
notifications."""

from __future__ import annotations

import urllib.parse

import requests
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from helpers import settle

# Numbers in the fictional 555-01XX range: the inventory never sells them, so
# they are nobody's on this Switchboard and answer as any outside number does.
CALLER = "+12025550142"
SALES = "+12025550143"


def press(base_url: str, account: dict, call_sid: str, digits: str) -> dict:
    """The caller presses keys: queued for the call's next <Gather>."""
    sid, token = account["sid"], account["auth_token"]
    r = requests.post(f"{base_url}/switchboard/v1/Accounts/{sid}/Calls/{call_sid}/Input.json",
                      data={"Digits": digits}, auth=(sid, token), timeout=30)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def test_say_gather_redirect_dial_and_hangup_run_as_built(server, main_account, main_client, receiver):
    here = main_client.api.v2010.accounts(main_account["sid"])
    number = here.incoming_phone_numbers.create(area_code="415")

    # 25 characters said (2 s), then the menu's prompt (19 characters, 2 s).
    answer = VoiceResponse()
    answer.say("Welcome to Rossum Telecom")
    gather = answer.gather(num_digits=1, action=receiver.url("/menu"), method="POST", timeout=3)
    gather.say("Press one for sales")
    answer.say("We did not get that")
    receiver.answer("/voice", str(answer))
    # Answered late, so the key pressed below is queued before the <Gather> runs.
    receiver.delay("/voice", 0.5)

    # A 2 s pause and hold music (5 s), then the next document.
    menu = VoiceResponse()
    menu.pause(length=2)
    menu.play("https://cdn.example.com/hold-music.mp3")
    menu.redirect(receiver.url("/transfer"), method="GET")
    receiver.answer("/menu", str(menu))

    transfer = VoiceResponse()
    dial = transfer.dial(action=receiver.url("/dialled"), timeout=20, caller_id=number.phone_number)
    dial.number(SALES)
    receiver.answer("/transfer", str(transfer))

    # "Goodbye" (1 s), then the call ends before the last <Say>.
    bye = VoiceResponse()
    bye.say("Goodbye")
    bye.hangup()
    bye.say("Never said")
    receiver.answer("/dialled", str(bye))

    call = here.calls.create(to=CALLER, from_=number.phone_number, url=receiver.url("/voice"))
    assert call.status == "queued"
    queued = press(server.base_url, main_account, call.sid, "1")
    assert queued["sid"] == call.sid

    done = settle(lambda: here.calls(call.sid).fetch(), lambda c: c.end_time is not None)
    assert done.status == "completed", done

    hits = receiver.wait_for(4)
    paths = [urllib.parse.urlsplit(h.url).path for h in hits]
    assert paths == ["/voice", "/menu", "/transfer", "/dialled"], paths
    validator = RequestValidator(main_account["auth_token"])
    for hit in hits:
        assert validator.validate(hit.url, hit.form, hit.headers["x-twilio-signature"]), hit
    voice, chosen, redirected, dialled = hits
    assert (voice.method, voice.form["CallSid"], voice.form["CallStatus"]) == ("POST", call.sid, "in-progress")
    # The <Gather> posted the key to its action.
    assert (chosen.method, chosen.form["Digits"], chosen.form["msg"]) == ("POST", "1", "Gather End")
    # The <Redirect> asked with GET: the parameters are in the query.
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirected.url).query))
    assert (redirected.method, redirected.form, query["CallSid"]) == ("GET", {}, call.sid)
    # The <Dial> called a child leg and posted its outcome to its action.
    assert dialled.form["DialCallStatus"] == "completed", dialled.form
    leg = here.calls(dialled.form["DialCallSid"]).fetch()
    assert (leg.parent_call_sid, leg.direction, leg.to, leg._from) == (
        call.sid, "outbound-dial", SALES, number.phone_number)
    assert leg.status == "completed" and leg.duration == dialled.form["DialCallDuration"]
    children = here.calls.list(parent_call_sid=call.sid)
    assert [c.sid for c in children] == [leg.sid]
    # Said, prompted, paused, played, waited on the leg, said goodbye.
    assert int(done.duration) >= 2 + 2 + 2 + 5 + int(leg.duration) + 1, (done.duration, leg.duration)

    # The call's events are the four requests, in order; nothing went wrong.
    events = here.calls(call.sid).events.list()
    urls = [urllib.parse.urlsplit(e.request["url"]).path for e in events]
    assert urls == paths, urls
    assert all(e.response["response_code"] == 200 for e in events), events
    assert here.calls(call.sid).notifications.list() == []


def test_reject_and_an_unsimulated_verb(server, main_account, main_client):
    here = main_client.api.v2010.accounts(main_account["sid"])
    number = here.incoming_phone_numbers.create(area_code="212")

    # <Reject reason="busy"> as the first verb: busy, never answered, free.
    busy = VoiceResponse()
    busy.reject(reason="busy")
    call = here.calls.create(to=CALLER, from_=number.phone_number, twiml=str(busy))
    done = settle(lambda: here.calls(call.sid).fetch(), lambda c: c.end_time is not None)
    assert (done.status, done.duration) == ("busy", "0"), done
    assert float(done.price) == 0

    # <Echo> is not simulated: a warning, skipped, and the call goes on.
    hold = VoiceResponse()
    hold.say("Please hold")
    hold.echo()
    hold.say("Nobody is free")
    call = here.calls.create(to=CALLER, from_=number.phone_number, twiml=str(hold))
    done = settle(lambda: here.calls(call.sid).fetch(), lambda c: c.end_time is not None)
    assert (done.status, done.duration) == ("completed", "2"), done
    notes = here.calls(call.sid).notifications.list()
    assert [(n.error_code, n.log, n.call_sid) for n in notes] == [("12200", "1", call.sid)], notes
    assert "Echo" in here.calls(call.sid).notifications(notes[0].sid).fetch().message_text
