'use strict';
// Messages that arrive, with the official Node SDK, as a Connect App: with
// post-all it buys a number whose messaging webhook (smsUrl) points at the app;
// a simulated handset texts the number (Switchboard's InboundMessages
// extension, plain HTTP); the webhook passes twilio.validateRequest with the
// app owner's token; the app answers TwiML built with the SDK's
// MessagingResponse, and the SDK then lists the inbound message and the reply.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useServer } = require('../lib/harness');
const { settle } = require('../lib/assertions');
const { Customer, Receiver, basicAuth, createApp } = require('../lib/connect');

const state = useServer(test, 'messaging');
const HANDSET = '+14155550123';

async function connected(permissions) {
  const owner = state.server.createMainAccount('Node app owner');
  const customer = state.server.createMainAccount('Node customer');
  const app = await createApp(state.server.baseUrl, owner, { permissions });
  const sub = await (await new Customer(state.server.baseUrl, customer).signIn()).authorize(app.sid);
  return { owner, customer, sub, asApp: state.server.client(sub, owner.auth_token) };
}

/** A simulated handset's message arrives at `to` (a Switchboard extension: the SDKs have no call for it). */
async function handsetTexts(sid, token, to, body) {
  const res = await fetch(`${state.server.baseUrl}/switchboard/v1/Accounts/${sid}/InboundMessages.json`, {
    method: 'POST',
    body: new URLSearchParams({ From: HANDSET, To: to, Body: body }),
    headers: { Authorization: basicAuth(sid, token) },
  });
  const json = await res.json();
  assert.equal(res.status, 201, JSON.stringify(json));
  return json;
}

for (const method of ['POST', 'GET']) {
  test(`a handset texts the app's number (${method} webhook, validated) and its TwiML reply is sent`, async () => {
    const receiver = await new Receiver().start();
    try {
      const { owner, customer, sub, asApp } = await connected(['post-all']);
      const here = asApp.api.v2010.accounts(sub);
      // A URL with a port and its own query string, as the validator must handle.
      const smsUrl = receiver.url('/twilio/sms?shop=7&x=1');
      const number = await here.incomingPhoneNumbers.create({ areaCode: '415', smsUrl, smsMethod: method });
      assert.equal(number.accountSid, sub);
      assert.deepEqual([number.smsUrl, number.smsMethod], [smsUrl, method]);

      const answer = new twilio.twiml.MessagingResponse();
      answer.message('Thanks & see you at 3 <3');
      receiver.answer('/twilio/sms', answer.toString(), 'application/xml');

      const arrived = await handsetTexts(sub, owner.auth_token, number.phoneNumber, 'Is 3pm free? café & ☕ +1%');
      assert.deepEqual([arrived.direction, arrived.status, arrived.account_sid], ['inbound', 'received', sub]);

      const [hit] = await receiver.waitFor(1);
      assert.equal(hit.method, method);
      const signature = hit.headers['x-twilio-signature'];
      let params;
      if (method === 'POST') {
        assert.equal(hit.url, smsUrl);
        params = hit.form;
        assert.equal(twilio.validateRequest(owner.auth_token, signature, hit.url, params), true);
        assert.equal(
          twilio.validateRequest(owner.auth_token, signature, hit.url, { ...params, Body: 'Is 4pm free?' }), false);
      } else {
        assert.ok(hit.url.startsWith(`${smsUrl}&`), hit.url);
        assert.deepEqual(hit.form, {});
        params = Object.fromEntries(new URL(hit.url).searchParams);
        assert.equal(twilio.validateRequest(owner.auth_token, signature, hit.url, {}), true);
        assert.equal(twilio.validateRequest(owner.auth_token, signature, hit.url.replace('shop=7', 'shop=8'), {}), false);
      }
      assert.equal(twilio.validateRequest(customer.auth_token, signature, hit.url, hit.form), false);
      assert.ok(hit.headers['i-twilio-idempotency-token']);
      for (const [name, want] of [
        ['MessageSid', arrived.sid], ['SmsSid', arrived.sid], ['AccountSid', sub], ['From', HANDSET],
        ['To', number.phoneNumber], ['Body', 'Is 3pm free? café & ☕ +1%'], ['NumMedia', '0'], ['SmsStatus', 'received'],
        ['ApiVersion', '2010-04-01'],
      ]) {
        assert.equal(params[name], want, name);
      }
      // Sent even when empty (unknown), and signed as sent.
      for (const name of ['FromCity', 'FromState', 'FromZip', 'FromCountry', 'ToCity', 'ToState', 'ToZip', 'ToCountry']) {
        assert.ok(name in params, name);
      }

      // The SDK lists both: the message that arrived and the app's reply, delivered.
      const messages = await settle(
        () => here.messages.list(),
        (list) => list.some((m) => m.direction === 'outbound-reply' && m.status === 'delivered'),
      );
      assert.equal(messages.length, 2, JSON.stringify(messages.map((m) => [m.direction, m.status])));
      const inbound = messages.filter((m) => m.direction === 'inbound');
      const reply = messages.filter((m) => m.direction === 'outbound-reply');
      assert.equal(inbound.length, 1);
      assert.equal(reply.length, 1);
      assert.deepEqual(
        [inbound[0].sid, inbound[0].status, inbound[0].from, inbound[0].to, inbound[0].body],
        [arrived.sid, 'received', HANDSET, number.phoneNumber, 'Is 3pm free? café & ☕ +1%'],
      );
      assert.deepEqual(
        [reply[0].from, reply[0].to, reply[0].body, reply[0].accountSid],
        [number.phoneNumber, HANDSET, 'Thanks & see you at 3 <3', sub],
      );
      const fetched = await here.messages(arrived.sid).fetch();
      assert.deepEqual([fetched.direction, fetched.status], ['inbound', 'received']);
    } finally {
      receiver.close();
    }
  });
}
