'use strict';
// Telephony with the official Node SDK, as a Connect App: with post-all it buys
// a number, sends a message and places a call in the customer's dedicated
// subaccount; with get-all it pages through the customer's history with the
// SDK's own list() and each(). Status callbacks pass twilio.validateRequest.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useServer } = require('../lib/harness');
const { restError, settle } = require('../lib/assertions');
const { Customer, Receiver, createApp } = require('../lib/connect');

const state = useServer(test, 'telephony');

async function connected(permissions) {
  const owner = state.server.createMainAccount('Node app owner');
  const customer = state.server.createMainAccount('Node customer');
  const app = await createApp(state.server.baseUrl, owner, { permissions });
  const sub = await (await new Customer(state.server.baseUrl, customer).signIn()).authorize(app.sid);
  return { owner, customer, sub, asApp: state.server.client(sub, owner.auth_token) };
}

test('post-all buys, sends and calls in the dedicated subaccount, signed for the owner', async () => {
  const receiver = await new Receiver().start();
  try {
    const { owner, sub, asApp } = await connected(['get-all', 'post-all']);
    const here = asApp.api.v2010.accounts(sub);
    const offered = await here.availablePhoneNumbers('US').local.list({ areaCode: 212, limit: 2 });
    assert.equal(offered.length, 2);
    const number = await here.incomingPhoneNumbers.create({ phoneNumber: offered[0].phoneNumber });
    assert.equal(number.accountSid, sub);

    const message = await here.messages.create({
      to: '+14155550100', from: number.phoneNumber, body: 'a'.repeat(161), statusCallback: receiver.url('/sms'),
    });
    assert.equal(message.numSegments, '2');
    const call = await here.calls.create({
      to: '+14155550101', from: number.phoneNumber, twiml: '<Response><Say>Hi</Say></Response>',
      statusCallback: receiver.url('/call'),
    });
    const done = await settle(() => here.calls(call.sid).fetch(), (c) => c.status === 'completed');
    // The call engine runs the inline TwiML: "Hi" takes a second, then the
    // document ends and the call hangs up (docs/telephony.md).
    assert.equal(done.duration, '1');
    await settle(() => here.messages(message.sid).fetch(), (m) => m.status === 'delivered');

    const hits = await receiver.waitFor(3);
    for (const hit of hits) {
      assert.ok(twilio.validateRequest(owner.auth_token, hit.headers['x-twilio-signature'], hit.url, hit.form), hit.url);
    }
    const records = await here.usage.records.today.list({ category: 'sms' });
    assert.equal(records[0].usage, '2');
  } finally {
    await receiver.close();
  }
});

test('get-all pages through the customer\'s calls and messages, and cannot place one', async () => {
  const { customer, asApp } = await connected(['get-all']);
  state.server.seed(customer.sid, { calls: 31, messages: 12 });
  const theirs = asApp.api.v2010.accounts(customer.sid);
  // list() follows next_page_uri from page to page.
  const seen = (await theirs.calls.list({ pageSize: 7 })).map((c) => c.sid);
  assert.equal(new Set(seen).size, 31);
  assert.equal((await theirs.messages.list({ pageSize: 5 })).length, 12);
  const usage = await theirs.usage.records.list({ category: 'calls' });
  assert.ok(Number(usage[0].count) > 0);
  await restError(theirs.calls.create({ to: '+14155550100', from: '+15005550006', url: 'https://app.example.com/t' }), 403, 20403);
});

test('a message\'s media: listed, fetched and deleted through the SDK', async () => {
  const customer = state.server.createMainAccount('Node media customer');
  const mine = state.server.client(customer.sid, customer.auth_token).api.v2010.accounts(customer.sid);
  const message = await mine.messages.create({
    to: '+14155550100', from: '+15005550006', body: 'look',
    mediaUrl: ['https://cdn.example.com/cat.png', 'https://cdn.example.com/clip.mp4'],
  });
  assert.equal(message.numMedia, '2');
  const media = await mine.messages(message.sid).media.list({ pageSize: 1 });
  assert.deepEqual(media.map((m) => m.contentType), ['image/png', 'video/mp4']);
  const one = await mine.messages(message.sid).media(media[0].sid).fetch();
  assert.equal(one.parentSid, message.sid);
  assert.equal(await mine.messages(message.sid).media(media[0].sid).remove(), true);
  assert.deepEqual((await mine.messages(message.sid).media.list()).map((m) => m.sid), [media[1].sid]);
  await restError(mine.messages(message.sid).media(media[0].sid).fetch(), 404, 20404);
});
