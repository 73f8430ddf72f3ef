'use strict';
// Conferences with the official Node SDK: calls built with VoiceResponse's
// <Dial><Conference> meet in a room; the SDK lists and fetches it, dials a
// participant in by the room's name (participants.create), reads, mutes,
// holds and kicks participants, and ends the room; the status callbacks pass
// twilio.validateRequest.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useServer } = require('../lib/harness');
const { restError, settle } = require('../lib/assertions');
const { Receiver } = require('../lib/connect');

const state = useServer(test, 'conferences');
const ANSWERS = '+14155550100';

function roomTwiml(name, attrs) {
  const response = new twilio.twiml.VoiceResponse();
  response.dial().conference(attrs, name);
  return response.toString();
}

test('callers meet and the SDK runs the room', async () => {
  const receiver = await new Receiver().start();
  try {
    const main = state.server.createMainAccount('Node conferences');
    const here = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
    const number = (await here.incomingPhoneNumbers.create({ areaCode: '415' })).phoneNumber;
    const host = await here.calls.create({
      to: ANSWERS,
      from: number,
      twiml: roomTwiml('Node room', {
        statusCallback: receiver.url('/events'),
        statusCallbackEvent: 'start end join leave hold',
        participantLabel: 'host',
      }),
    });
    const [room] = await settle(() => here.conferences.list({ friendlyName: 'Node room' }), (l) => l.length === 1);
    assert.ok(room.sid.startsWith('CF'));
    assert.equal(room.status, 'init');

    const guest = await here.conferences('Node room').participants.create({ from: number, to: ANSWERS, label: 'guest' });
    assert.equal(guest.status, 'queued');
    assert.equal(guest.conferenceSid, room.sid);
    await settle(() => here.conferences(room.sid).fetch(), (r) => r.status === 'in-progress');
    const labels = (await here.conferences(room.sid).participants.list()).map((p) => p.label);
    assert.deepEqual(labels, ['host', 'guest']);
    assert.equal((await here.conferences(room.sid).participants('guest').fetch()).callSid, guest.callSid);

    assert.equal((await here.conferences(room.sid).participants('guest').update({ muted: true })).muted, true);
    assert.equal((await here.conferences(room.sid).participants(host.sid).update({ hold: true })).hold, true);
    assert.equal((await here.conferences(room.sid).participants.list({ hold: true })).length, 1);
    await restError(here.conferences(room.sid).participants('nobody').fetch(), 404, 20404);
    await restError(here.conferences(room.sid).update({ status: 'paused' }), 400, 20001);

    assert.equal(await here.conferences(room.sid).participants('guest').remove(), true);
    await settle(() => here.calls(guest.callSid).fetch(), (c) => c.status === 'completed');

    const ended = await here.conferences(room.sid).update({ status: 'completed' });
    assert.equal(ended.status, 'completed');
    assert.equal(ended.reasonConferenceEnded, 'conference-ended-via-api');
    await settle(() => here.calls(host.sid).fetch(), (c) => c.status === 'completed');

    const hits = (await receiver.waitFor(7)).slice().sort(
      (a, b) => Number(a.form.SequenceNumber) - Number(b.form.SequenceNumber),
    );
    for (const hit of hits) {
      assert.equal(twilio.validateRequest(main.auth_token, hit.headers['x-twilio-signature'], hit.url, hit.form), true);
    }
    assert.deepEqual(hits.map((h) => h.form.StatusCallbackEvent), [
      'participant-join', 'participant-join', 'conference-start', 'participant-hold',
      'participant-leave', 'participant-leave', 'conference-end',
    ]);
  } finally {
    receiver.close();
  }
});

test('a recorded room is paused, stopped and deleted', async () => {
  const main = state.server.createMainAccount('Node taped conferences');
  const here = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
  const number = (await here.incomingPhoneNumbers.create({ areaCode: '415' })).phoneNumber;
  const host = await here.calls.create({
    to: ANSWERS,
    from: number,
    twiml: roomTwiml('Taped room', { record: 'record-from-start' }),
  });
  await settle(() => here.conferences.list({ friendlyName: 'Taped room' }), (l) => l.length === 1);
  const guest = await here.calls.create({ to: ANSWERS, from: number, twiml: roomTwiml('Taped room', {}) });
  const [room] = await settle(
    () => here.conferences.list({ friendlyName: 'Taped room' }),
    (l) => l.length === 1 && l[0].status === 'in-progress',
  );
  const recordings = () => here.conferences(room.sid).recordings;
  const [rec] = await settle(() => recordings().list(), (l) => l.length === 1);
  assert.equal(rec.status, 'in-progress');
  assert.equal(rec.source, 'Conference');
  assert.equal(rec.callSid, null);
  assert.equal(rec.conferenceSid, room.sid);

  assert.equal((await here.conferences(room.sid).recordings(rec.sid).update({ status: 'paused' })).status, 'paused');
  const resumed = await here.conferences(room.sid).recordings('Twilio.CURRENT').update({ status: 'in-progress' });
  assert.equal(resumed.status, 'in-progress');
  const stopped = await here.conferences(room.sid).recordings(rec.sid).update({ status: 'stopped' });
  assert.ok(['completed', 'absent'].includes(stopped.status));
  assert.equal((await here.conferences(room.sid).recordings(rec.sid).fetch()).sid, rec.sid);
  assert.equal(await here.conferences(room.sid).recordings(rec.sid).remove(), true);
  await restError(here.conferences(room.sid).recordings(rec.sid).fetch(), 404, 20404);

  await here.conferences(room.sid).update({ status: 'completed' });
  for (const sid of [host.sid, guest.sid]) {
    await settle(() => here.calls(sid).fetch(), (c) => c.status === 'completed');
  }
});
