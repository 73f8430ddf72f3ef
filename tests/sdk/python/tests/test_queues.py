"""Call queues with the official Python SDK: queues created, listed,
fetched, updated and deleted (Twilio's refusals included), and callers put
in one by <Enqueue> (inline TwiML built with VoiceResponse), listed as its
members, fetched by CallSid and as the Front, one dequeued to a new document
by a Members update and one hung up. Every answer is checked against
Twilio's 2010 document."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from helpers import assert_rest_error, rest_error, settle

# A number in the fictional 555-01XX range: nobody's on this Switchboard.
CALLER = "+12025550162"


def test_queues_are_created_listed_updated_and_deleted(main_account, main_client):
    here = main_client.api.v2010.accounts(main_account["sid"])
    support = here.queues.create(friendly_name="support")
    assert support.sid.startswith("QU")
    assert (support.max_size, support.current_size, support.average_wait_time) == (100, 0, 0)
    assert support.account_sid == main_account["sid"]
    sales = here.queues.create(friendly_name="sales", max_size=5000)
    assert sales.max_size == 5000
    assert [q.friendly_name for q in here.queues.list()] == ["support", "sales"]
    assert [q.sid for q in here.queues.list(page_size=1)] == [support.sid, sales.sid]
    assert here.queues(support.sid).fetch().friendly_name == "support"
    updated = here.queues(support.sid).update(friendly_name="help desk", max_size=7)
    assert (updated.friendly_name, updated.max_size) == ("help desk", 7)

    assert_rest_error(rest_error(here.queues.create, friendly_name="sales"), 400, 20001)
    assert_rest_error(rest_error(here.queues.create, friendly_name="big", max_size=5001), 400, 20001)
    assert here.queues(sales.sid).delete() is True
    assert_rest_error(rest_error(here.queues(sales.sid).fetch), 404, 20404)


def test_callers_are_members_until_they_leave(main_account, main_client, receiver):
    here = main_client.api.v2010.accounts(main_account["sid"])
    number = here.incoming_phone_numbers.create(area_code="415")
    hold = VoiceResponse()
    hold.enqueue("line")
    calls = [
        here.calls.create(to=CALLER, from_=number.phone_number, twiml=str(hold)) for _ in range(2)
    ]

    def line():
        return [q for q in here.queues.list() if q.friendly_name == "line"]

    queue = settle(line, lambda qs: bool(qs) and qs[0].current_size == 2)[0]
    members = here.queues(queue.sid).members
    listed = members.list()
    assert [m.call_sid for m in listed] == [c.sid for c in calls]
    assert [m.position for m in listed] == [1, 2]
    assert all(m.queue_sid == queue.sid for m in listed)
    assert members("Front").fetch().call_sid == calls[0].sid
    assert members(calls[1].sid).fetch().position == 2

    # A Members update dequeues the caller to a new document.
    left = members(calls[0].sid).update(url=receiver.url("/moved"), method="POST")
    assert left.call_sid == calls[0].sid
    settle(lambda: here.queues(queue.sid).fetch(), lambda q: q.current_size == 1)
    assert_rest_error(rest_error(members(calls[0].sid).fetch), 404, 20404)
    assert_rest_error(rest_error(here.queues(queue.sid).delete), 400, 20001)

    # Hanging up leaves the queue too; an empty queue is deleted.
    here.calls(calls[1].sid).update(status="completed")
    settle(lambda: here.queues(queue.sid).fetch(), lambda q: q.current_size == 0)
    assert here.queues(queue.sid).delete() is True
