"""Conferences with the official Python SDK: calls built with VoiceResponse's
`<Dial><Conference>` meet in a room; the SDK lists and fetches it, dials a
participant in by the room's name (`participants.create`), reads, mutes,
holds and kicks participants, and ends the room (`update(status=...)`); the
status callbacks pass the SDK's RequestValidator. Every answer is checked
against Twilio's 2010 document."""

from __future__ import annotations

from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial, VoiceResponse

from helpers import assert_rest_error, rest_error, settle

ANSWERS = "+14155550100"


def room_twiml(name: str, **attrs) -> str:
    response = VoiceResponse()
    dial = Dial()
    dial.conference(name, **attrs)
    response.append(dial)
    return str(response)


def test_callers_meet_and_the_sdk_runs_the_room(main_account, main_client, receiver):
    here = main_client.api.v2010.accounts(main_account["sid"])
    number = here.incoming_phone_numbers.create(area_code="415").phone_number
    host = here.calls.create(
        to=ANSWERS, from_=number,
        twiml=room_twiml("SDK room", status_callback=receiver.url("/events"),
                         status_callback_event="start end join leave mute",
                         participant_label="host", end_conference_on_exit=True))
    room = settle(lambda: here.conferences.list(friendly_name="SDK room"), lambda l: len(l) == 1)[0]
    assert room.sid.startswith("CF") and room.status == "init"
    assert room.region == "us1" and room.reason_conference_ended is None

    # Dialled in by the room's name.
    guest = here.conferences("SDK room").participants.create(
        from_=number, to=ANSWERS, label="guest", muted=True)
    assert guest.status == "queued" and guest.conference_sid == room.sid
    room = settle(lambda: here.conferences(room.sid).fetch(), lambda r: r.status == "in-progress")
    assert [p.label for p in here.conferences(room.sid).participants.list()] == ["host", "guest"]
    assert here.conferences(room.sid).participants("guest").fetch().call_sid == guest.call_sid
    assert len(here.conferences(room.sid).participants.list(muted=True)) == 1

    assert here.conferences(room.sid).participants("guest").update(muted=False).muted is False
    assert here.conferences(room.sid).participants(host.sid).update(hold=True).hold is True
    assert_rest_error(rest_error(here.conferences(room.sid).participants("nobody").fetch), 404, 20404)
    assert_rest_error(rest_error(here.conferences(room.sid).update, status="paused"), 400, 20001)

    # Kicked: the guest's call goes on with its document (none left: it ends).
    assert here.conferences(room.sid).participants("guest").delete() is True
    settle(lambda: here.calls(guest.call_sid).fetch(), lambda c: c.status == "completed")
    assert [p.label for p in here.conferences(room.sid).participants.list()] == ["host"]

    ended = here.conferences(room.sid).update(status="completed")
    assert ended.status == "completed" and ended.reason_conference_ended == "conference-ended-via-api"
    settle(lambda: here.calls(host.sid).fetch(), lambda c: c.status == "completed")
    assert [c.sid for c in here.conferences.list(status="completed")] == [room.sid]

    hits = sorted(receiver.wait_for(7), key=lambda h: int(h.form["SequenceNumber"]))
    validator = RequestValidator(main_account["auth_token"])
    for hit in hits:
        assert validator.validate(hit.url, hit.form, hit.headers["x-twilio-signature"])
    assert [h.form["StatusCallbackEvent"] for h in hits] == [
        "participant-join", "participant-join", "conference-start",
        "participant-unmute", "participant-leave", "participant-leave", "conference-end",
    ]
    assert hits[-1].form["ReasonConferenceEnded"] == "conference-ended-via-api"


def test_a_recorded_room_is_paused_stopped_and_deleted(main_account, main_client):
    here = main_client.api.v2010.accounts(main_account["sid"])
    number = here.incoming_phone_numbers.create(area_code="415").phone_number
    host = here.calls.create(to=ANSWERS, from_=number,
                             twiml=room_twiml("Taped room", record="record-from-start"))
    settle(lambda: here.conferences.list(friendly_name="Taped room"), lambda l: len(l) == 1)
    guest = here.calls.create(to=ANSWERS, from_=number, twiml=room_twiml("Taped room"))
    room = settle(lambda: here.conferences.list(friendly_name="Taped room")[0],
                  lambda r: r.status == "in-progress")
    recordings = here.conferences(room.sid).recordings
    rec = settle(lambda: recordings.list(), lambda l: len(l) == 1)[0]
    assert rec.status == "in-progress" and rec.source == "Conference" and rec.channels == 1
    assert rec.call_sid is None and rec.conference_sid == room.sid

    assert recordings(rec.sid).update(status="paused", pause_behavior="skip").status == "paused"
    assert recordings("Twilio.CURRENT").update(status="in-progress").status == "in-progress"
    assert recordings(rec.sid).update(status="stopped").status in ("completed", "absent")
    assert recordings(rec.sid).fetch().sid == rec.sid
    assert recordings(rec.sid).delete() is True
    assert_rest_error(rest_error(recordings(rec.sid).fetch), 404, 20404)

    here.conferences(room.sid).update(status="completed")
    for call in (host.sid, guest.sid):
        settle(lambda: here.calls(call).fetch(), lambda c: c.status == "completed")


def hits_to(receiver, path: str, n: int, timeout: float = 20.0):
    """The receiver's requests to `path`, once there are `n`."""
    return settle(lambda: [h for h in receiver.hits if h.url.split("?")[0].endswith(path)],
                  lambda found: len(found) >= n, timeout)


def test_the_sdk_holds_with_a_hold_url_and_announces(main_account, main_client, receiver):
    here = main_client.api.v2010.accounts(main_account["sid"])
    number = here.incoming_phone_numbers.create(area_code="415").phone_number
    hold = VoiceResponse()
    hold.say("Please hold")
    receiver.answers["/hold"] = (str(hold), "text/xml")
    announcement = VoiceResponse()
    announcement.say("Attention")
    receiver.answers["/announce"] = (str(announcement), "text/xml")
    twiml = room_twiml("SDK hold room")
    first = here.calls.create(to=ANSWERS, from_=number, twiml=twiml)
    here.calls.create(to=ANSWERS, from_=number, twiml=twiml)
    room = settle(lambda: here.conferences.list(friendly_name="SDK hold room"),
                  lambda l: len(l) == 1 and l[0].status == "in-progress")[0]

    held = here.conferences(room.sid).participants(first.sid).update(
        hold=True, hold_url=receiver.url("/hold"), hold_method="POST")
    assert held.hold is True
    asked = hits_to(receiver, "/hold", 1)[0]
    assert asked.method == "POST"
    assert asked.form["CallSid"] == first.sid and asked.form["ConferenceSid"] == room.sid
    validator = RequestValidator(main_account["auth_token"])
    assert validator.validate(asked.url, asked.form, asked.headers["x-twilio-signature"])
    assert here.conferences(room.sid).participants(first.sid).update(hold=False).hold is False

    told = here.conferences(room.sid).participants(first.sid).update(
        announce_url=receiver.url("/announce"))
    assert told.call_sid == first.sid
    assert hits_to(receiver, "/announce", 1)[0].form["CallSid"] == first.sid
    room_told = here.conferences(room.sid).update(announce_url=receiver.url("/announce"),
                                                  announce_method="GET")
    assert room_told.sid == room.sid and room_told.status == "in-progress"
    assert hits_to(receiver, "/announce", 2)[1].method == "GET"

    assert here.conferences(room.sid).update(status="completed").status == "completed"
    settle(lambda: here.calls(first.sid).fetch(), lambda c: c.status == "completed")
