'use strict';
// Recordings with the official Node SDK: a call placed with record: true
// leaves a recording, listed under the call, fetched, and removed through
// the account's and the call's paths (then 404); a live call's recording is
// started, paused, resumed and stopped; a transcribed <Record>'s
// transcription is read and removed; a live call is transcribed in real
// time (started, stopped by name, its events).

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError, settle } = require('../lib/assertions');
const { Receiver, basicAuth } = require('../lib/connect');

const state = useServer(test, 'recordings');

async function recordedCall(account) {
  const call = await account.calls.create({
    to: '+14155550100', from: '+15005550006', url: 'https://demo.twilio.com/docs/voice.xml', record: true,
  });
  const deadline = Date.now() + 10000;
  for (;;) {
    const recordings = await account.calls(call.sid).recordings.list();
    if (recordings.length && recordings[0].status === 'completed') return [call, recordings[0]];
    assert.ok(Date.now() < deadline, 'no recording');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('recordings are fetched and removed', async () => {
  const main = state.server.createMainAccount('Node recordings');
  const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
  let [call, recording] = await recordedCall(account);
  assert.equal((await account.recordings(recording.sid).fetch()).callSid, call.sid);
  assert.ok((await account.recordings.list()).some((r) => r.sid === recording.sid));
  assert.equal(await account.recordings(recording.sid).remove(), true);
  await restError(account.recordings(recording.sid).fetch(), 404, 20404);

  [call, recording] = await recordedCall(account);
  assert.equal(await account.calls(call.sid).recordings(recording.sid).remove(), true);
  await restError(account.recordings(recording.sid).fetch(), 404, 20404);
});

/** The simulated caller speaks (Switchboard's Input.json). */
async function say(account, callSid, speech) {
  const res = await fetch(
    `${state.server.baseUrl}/switchboard/v1/Accounts/${account.sid}/Calls/${callSid}/Input.json`, {
      method: 'POST',
      body: new URLSearchParams({ SpeechResult: speech }),
      headers: { Authorization: basicAuth(account.sid, account.auth_token) },
    });
  assert.equal(res.status, 200, await res.text());
}

const hitsTo = (receiver, path) => receiver.hits.filter((h) => new URL(h.url).pathname === path);

test("a live call's recording is paused, resumed and stopped", async () => {
  const receiver = await new Receiver().start();
  try {
    const main = state.server.createMainAccount('Node live recordings');
    const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
    const number = await account.incomingPhoneNumbers.create({ areaCode: '415' });
    // The call waits in progress while its document is requested.
    receiver.answer('/hold', '<Response><Hangup/></Response>');
    receiver.delay('/hold', 4000);
    const call = await account.calls.create({ to: '+12025550154', from: number.phoneNumber, url: receiver.url('/hold') });
    await settle(() => account.calls(call.sid).fetch(), (c) => c.status === 'in-progress');

    const recording = await account.calls(call.sid).recordings.create({
      recordingChannels: 'dual',
      recordingStatusCallback: receiver.url('/rec'),
      recordingStatusCallbackEvent: ['in-progress', 'completed'],
    });
    assert.equal(recording.status, 'in-progress');
    assert.equal(recording.source, 'StartCallRecordingAPI');
    assert.equal(recording.channels, 2);
    const paused = await account.calls(call.sid).recordings('Twilio.CURRENT')
      .update({ status: 'paused', pauseBehavior: 'skip' });
    assert.equal(paused.sid, recording.sid);
    assert.equal(paused.status, 'paused');
    const resumed = await account.calls(call.sid).recordings(recording.sid).update({ status: 'in-progress' });
    assert.equal(resumed.status, 'in-progress');
    await new Promise((r) => setTimeout(r, 1200));
    const stopped = await account.calls(call.sid).recordings(recording.sid).update({ status: 'stopped' });
    assert.equal(stopped.status, 'completed');
    assert.ok(Number(stopped.duration) >= 1, JSON.stringify(stopped));
    const hooks = await settle(() => hitsTo(receiver, '/rec'), (h) => h.length === 2);
    assert.deepEqual(hooks.map((h) => h.form.RecordingStatus), ['in-progress', 'completed']);

    await settle(() => account.calls(call.sid).fetch(), (c) => c.status === 'completed');
    await restError(account.calls(call.sid).recordings.create(), 400, 21220);
  } finally {
    receiver.close();
  }
});

test("a transcribed <Record>'s transcription is read and removed", async () => {
  const receiver = await new Receiver().start();
  try {
    const main = state.server.createMainAccount('Node transcriptions');
    const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
    const number = await account.incomingPhoneNumbers.create({ areaCode: '415' });
    receiver.answer('/leave', `<Response><Record transcribe="true" transcribeCallback="${receiver.url('/text')}" `
      + `action="${receiver.url('/done')}"/></Response>`);
    receiver.delay('/leave', 500);
    receiver.answer('/done', '<Response><Hangup/></Response>');
    const call = await account.calls.create({ to: '+12025550155', from: number.phoneNumber, url: receiver.url('/leave') });
    await say(main, call.sid, 'Please call me back');
    const [recording] = await settle(() => account.calls(call.sid).recordings.list(), (r) => r.length === 1);

    const [t] = await settle(() => account.transcriptions.list(), (l) => l.length === 1);
    assert.equal(t.transcriptionText, 'Please call me back');
    assert.equal(t.status, 'completed');
    assert.equal(t.recordingSid, recording.sid);
    assert.equal(Number(t.price), -0.05);
    assert.equal((await account.transcriptions(t.sid).fetch()).sid, t.sid);
    const listed = await account.recordings(recording.sid).transcriptions.list();
    assert.deepEqual(listed.map((x) => x.sid), [t.sid]);
    assert.equal((await account.recordings(recording.sid).transcriptions(t.sid).fetch()).sid, t.sid);
    const hooks = await settle(() => hitsTo(receiver, '/text'), (h) => h.length === 1);
    assert.equal(hooks[0].form.TranscriptionSid, t.sid);

    assert.equal(await account.transcriptions(t.sid).remove(), true);
    await restError(account.transcriptions(t.sid).fetch(), 404, 20404);
  } finally {
    receiver.close();
  }
});

test('a live call is transcribed in real time', async () => {
  const receiver = await new Receiver().start();
  try {
    const main = state.server.createMainAccount('Node real-time transcriptions');
    const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
    const number = await account.incomingPhoneNumbers.create({ areaCode: '415' });
    // The call waits in progress for its document, which then says something.
    receiver.answer('/hold', '<Response><Say>Hello from the app</Say><Hangup/></Response>');
    receiver.delay('/hold', 4000);
    const call = await account.calls.create({ to: '+12025550156', from: number.phoneNumber, url: receiver.url('/hold') });
    await settle(() => account.calls(call.sid).fetch(), (c) => c.status === 'in-progress');

    const named = await account.calls(call.sid).transcriptions.create({ name: 'support', track: 'inbound_track' });
    assert.ok(named.sid.startsWith('GT'), named.sid);
    assert.equal(named.status, 'in-progress');
    assert.equal(named.name, 'support');
    const stopped = await account.calls(call.sid).transcriptions('support').update({ status: 'stopped' });
    assert.equal(stopped.sid, named.sid);
    assert.equal(stopped.status, 'stopped');

    const live = await account.calls(call.sid).transcriptions.create({
      track: 'both_tracks', statusCallbackUrl: receiver.url('/rt'), languageCode: 'en-US', partialResults: false,
    });
    assert.equal(live.callSid, call.sid);
    const hooks = await settle(() => hitsTo(receiver, '/rt'), (h) => h.length === 3);
    hooks.sort((a, b) => Number(a.form.SequenceId) - Number(b.form.SequenceId));
    assert.deepEqual(hooks.map((h) => h.form.TranscriptionEvent),
      ['transcription-started', 'transcription-content', 'transcription-stopped']);
    assert.equal(hooks[1].form.Track, 'outbound_track');
    assert.equal(JSON.parse(hooks[1].form.TranscriptionData).transcript, 'Hello from the app');

    await settle(() => account.calls(call.sid).fetch(), (c) => c.status === 'completed');
    await restError(account.calls(call.sid).transcriptions.create(), 400, 21220);
    const again = await account.calls(call.sid).transcriptions(live.sid).update({ status: 'stopped' });
    assert.equal(again.status, 'stopped');
  } finally {
    receiver.close();
  }
});
