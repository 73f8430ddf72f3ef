'use strict';
// Outgoing caller IDs with the official Node SDK: a validation request
// places the simulated verification call, whose end verifies the number and
// posts a status callback twilio.validateRequest accepts; the caller ID is
// listed, fetched, renamed, used as a call's From and removed; Twilio's
// codes for bad input; a Connect App in its dedicated subaccount.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');
const { Customer, Receiver, createApp } = require('../lib/connect');

const state = useServer(test, 'caller_ids');

async function verified(account, phoneNumber) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const found = await account.outgoingCallerIds.list({ phoneNumber });
    if (found.length) return found[0];
    assert.ok(Date.now() < deadline, `${phoneNumber} never verified`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a number is verified, used, renamed and removed', async () => {
  const receiver = await new Receiver().start();
  try {
    const main = state.server.createMainAccount('Node caller IDs');
    const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
    const request = await account.validationRequests.create({
      phoneNumber: '+14155550123',
      friendlyName: 'Front desk',
      callDelay: 1,
      statusCallback: receiver.url('/verified'),
    });
    assert.equal(request.accountSid, main.sid);
    assert.match(request.validationCode, /^[0-9]{6}$/);
    assert.ok(request.callSid.startsWith('CA'));

    const callerId = await verified(account, '+14155550123');
    assert.ok(callerId.sid.startsWith('PN'));
    assert.equal(callerId.friendlyName, 'Front desk');
    const [hit] = await receiver.waitFor(1);
    assert.equal(twilio.validateRequest(main.auth_token, hit.headers['x-twilio-signature'], hit.url, hit.form), true);
    assert.equal(hit.form.VerificationStatus, 'success');
    assert.equal(hit.form.OutgoingCallerIdSid, callerId.sid);

    assert.equal((await account.outgoingCallerIds(callerId.sid).fetch()).phoneNumber, '+14155550123');
    const renamed = await account.outgoingCallerIds(callerId.sid).update({ friendlyName: 'Reception' });
    assert.equal(renamed.friendlyName, 'Reception');
    const call = await account.calls.create({ to: '+14155550100', from: '+14155550123', url: 'https://demo.twilio.com/docs/voice.xml' });
    assert.equal(call.phoneNumberSid, callerId.sid);

    await restError(account.validationRequests.create({ phoneNumber: '+14155550123' }), 400, 21450);
    assert.equal(await account.outgoingCallerIds(callerId.sid).remove(), true);
    await restError(account.outgoingCallerIds(callerId.sid).fetch(), 404, 20404);
  } finally {
    receiver.close();
  }
});

test('a failed verification, and bad requests', async () => {
  const receiver = await new Receiver().start();
  try {
    const main = state.server.createMainAccount('Node failed caller IDs');
    const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
    await account.validationRequests.create({ phoneNumber: '+14155550489', statusCallback: receiver.url('/failed') });
    const [hit] = await receiver.waitFor(1);
    assert.equal(hit.form.VerificationStatus, 'failed');
    assert.deepEqual(await account.outgoingCallerIds.list(), []);
    await restError(account.validationRequests.create({ phoneNumber: 'not a number' }), 400, 21421);
    await restError(account.validationRequests.create({ phoneNumber: '+14155550123', extension: '12a' }), 400, 20001);
  } finally {
    receiver.close();
  }
});

test('a post-all app verifies in its dedicated subaccount', async () => {
  const owner = state.server.createMainAccount('Node caller ID app owner');
  const customer = state.server.createMainAccount('Node caller ID customer');
  const connectApp = await createApp(state.server.baseUrl, owner, { permissions: ['post-all'] });
  const sub = await (await new Customer(state.server.baseUrl, customer).signIn()).authorize(connectApp.sid);
  const asApp = state.server.client(sub, owner.auth_token);
  const here = asApp.api.v2010.accounts(sub);
  const request = await here.validationRequests.create({ phoneNumber: '+14155550124' });
  assert.equal(request.accountSid, sub);
  assert.equal((await verified(here, '+14155550124')).accountSid, sub);
  await restError(asApp.api.v2010.accounts(customer.sid).validationRequests.create({ phoneNumber: '+14155550125' }), 403, 20403);
});
