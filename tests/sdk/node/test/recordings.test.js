'use strict';
// Recordings with the official Node SDK: a call placed with record: true
// leaves a recording, listed under the call, fetched, and removed through
// the account's and the call's paths (then 404).

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');

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
