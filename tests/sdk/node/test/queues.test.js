'use strict';
// Call queues with the official Node SDK: queues created, listed, fetched,
// updated and deleted (Twilio's refusals included), and callers put in one
// by <Enqueue> (inline TwiML built with VoiceResponse), listed as its
// members, fetched by CallSid and as the Front, one dequeued to a new
// document by a Members update and one hung up.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useServer } = require('../lib/harness');
const { restError, settle } = require('../lib/assertions');
const { Receiver } = require('../lib/connect');

const state = useServer(test, 'queues');
// A number in the fictional 555-01XX range: nobody's on this Switchboard.
const CALLER = '+12025550172';

function account(name) {
  const main = state.server.createMainAccount(name);
  return state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
}

test('queues are created, listed, updated and deleted', async () => {
  const here = account('Node queues');
  const support = await here.queues.create({ friendlyName: 'support' });
  assert.ok(support.sid.startsWith('QU'));
  assert.deepEqual([support.maxSize, support.currentSize, support.averageWaitTime], [100, 0, 0]);
  const sales = await here.queues.create({ friendlyName: 'sales', maxSize: 5000 });
  assert.equal(sales.maxSize, 5000);
  assert.deepEqual((await here.queues.list()).map((q) => q.friendlyName), ['support', 'sales']);
  assert.deepEqual((await here.queues.list({ pageSize: 1 })).map((q) => q.sid), [support.sid, sales.sid]);
  assert.equal((await here.queues(support.sid).fetch()).friendlyName, 'support');
  const updated = await here.queues(support.sid).update({ friendlyName: 'help desk', maxSize: 7 });
  assert.deepEqual([updated.friendlyName, updated.maxSize], ['help desk', 7]);

  await restError(here.queues.create({ friendlyName: 'sales' }), 400, 20001);
  await restError(here.queues.create({ friendlyName: 'big', maxSize: 5001 }), 400, 20001);
  assert.equal(await here.queues(sales.sid).remove(), true);
  await restError(here.queues(sales.sid).fetch(), 404, 20404);
});

test('callers are members until they leave', async () => {
  const here = account('Node queue members');
  const receiver = await new Receiver().start();
  try {
    const number = await here.incomingPhoneNumbers.create({ areaCode: '415' });
    const hold = new twilio.twiml.VoiceResponse();
    hold.enqueue('line');
    const calls = [];
    for (let i = 0; i < 2; i += 1) {
      calls.push(await here.calls.create({ to: CALLER, from: number.phoneNumber, twiml: hold.toString() }));
    }
    const line = async () => (await here.queues.list()).filter((q) => q.friendlyName === 'line');
    const [queue] = await settle(line, (qs) => qs.length === 1 && qs[0].currentSize === 2);
    const members = here.queues(queue.sid).members;
    const listed = await members.list();
    assert.deepEqual(listed.map((m) => m.callSid), calls.map((c) => c.sid));
    assert.deepEqual(listed.map((m) => m.position), [1, 2]);
    assert.equal((await members('Front').fetch()).callSid, calls[0].sid);
    assert.equal((await members(calls[1].sid).fetch()).position, 2);

    // A Members update dequeues the caller to a new document.
    const left = await members(calls[0].sid).update({ url: receiver.url('/moved'), method: 'POST' });
    assert.equal(left.callSid, calls[0].sid);
    await settle(() => here.queues(queue.sid).fetch(), (q) => q.currentSize === 1);
    await restError(members(calls[0].sid).fetch(), 404, 20404);
    await restError(here.queues(queue.sid).remove(), 400, 20001);

    // Hanging up leaves the queue too; an empty queue is deleted.
    await here.calls(calls[1].sid).update({ status: 'completed' });
    await settle(() => here.queues(queue.sid).fetch(), (q) => q.currentSize === 0);
    assert.equal(await here.queues(queue.sid).remove(), true);
  } finally {
    receiver.close();
  }
});
