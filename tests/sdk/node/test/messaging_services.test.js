'use strict';
// Messaging Services with the official Node SDK (client.messaging.v1, pointed
// at Switchboard by its base URL, as the other domains are): services created,
// listed, fetched, updated and deleted; numbers added to a pool, listed,
// fetched and removed; a message sent through a service; and a Connect App
// managing services in its customer's dedicated subaccount with post-all,
// reading them only with get-all. Every answer is checked against Twilio's
// messaging v1 document by the shared validator.

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');
const { Customer, createApp } = require('../lib/connect');

const state = useServer(test, 'messaging_services');
const SERVICE_SID = /^MG[0-9a-f]{32}$/;

test('a service, its pool of numbers and a message sent through it', async () => {
  const main = state.server.createMainAccount('Node services');
  const client = state.server.client(main.sid, main.auth_token);
  const services = client.messaging.v1.services;

  const service = await services.create({ friendlyName: 'Reminders', inboundRequestUrl: 'https://app.example.com/sms' });
  assert.match(service.sid, SERVICE_SID);
  assert.equal(service.accountSid, main.sid);
  assert.equal(service.friendlyName, 'Reminders');
  assert.equal(service.inboundRequestUrl, 'https://app.example.com/sms');
  assert.equal(service.inboundMethod, 'POST');
  assert.equal(service.stickySender, true);
  assert.equal(service.useInboundWebhookOnNumber, false);
  // The SDK parsed the v1 ISO 8601 dates.
  assert.ok(service.dateCreated instanceof Date && !Number.isNaN(service.dateCreated.getTime()));
  // Absolute, on the server's public URL (the harness's --public-url).
  assert.equal(new URL(service.url).pathname, `/v1/Services/${service.sid}`);
  assert.deepEqual((await services.list()).map((s) => s.sid), [service.sid]);

  const fetched = await services(service.sid).fetch();
  assert.deepEqual([fetched.sid, fetched.friendlyName, fetched.inboundRequestUrl],
    [service.sid, 'Reminders', 'https://app.example.com/sms']);
  const updated = await services(service.sid).update({ friendlyName: 'Reminders EU', useInboundWebhookOnNumber: true });
  assert.equal(updated.friendlyName, 'Reminders EU');
  assert.equal(updated.useInboundWebhookOnNumber, true);
  assert.equal((await services(service.sid).fetch()).friendlyName, 'Reminders EU');

  // The pool.
  const account = client.api.v2010.accounts(main.sid);
  const number = await account.incomingPhoneNumbers.create({ areaCode: '415' });
  const pool = services(service.sid).phoneNumbers;
  const added = await pool.create({ phoneNumberSid: number.sid });
  assert.deepEqual([added.sid, added.serviceSid, added.phoneNumber, added.accountSid],
    [number.sid, service.sid, number.phoneNumber, main.sid]);
  assert.deepEqual((await pool.list()).map((n) => n.sid), [number.sid]);
  assert.equal((await pool(number.sid).fetch()).phoneNumber, number.phoneNumber);
  await restError(pool.create({ phoneNumberSid: number.sid }), 400, 21710);

  // Sent through the service: the pool picks the sender.
  const message = await account.messages.create({ messagingServiceSid: service.sid, to: '+14155550100', body: 'See you at 3pm' });
  assert.equal(message.from, number.phoneNumber);
  assert.equal(message.messagingServiceSid, service.sid);

  assert.equal(await pool(number.sid).remove(), true);
  assert.deepEqual(await pool.list(), []);
  await restError(pool(number.sid).fetch(), 404, 20404);
  await restError(account.messages.create({ messagingServiceSid: service.sid, to: '+14155550100', body: 'x' }), 400, 21704);

  assert.equal(await services(service.sid).remove(), true);
  await restError(services(service.sid).fetch(), 404, 20404);
  assert.deepEqual(await services.list(), []);
});

test('a Connect App manages services in its subaccount with post-all and only reads them with get-all', async () => {
  const owner = state.server.createMainAccount('Node services app owner');
  const customerAccount = state.server.createMainAccount('Node services customer');
  const poster = await createApp(state.server.baseUrl, owner, { permissions: ['post-all'] });
  const reader = await createApp(state.server.baseUrl, owner, { permissions: ['get-all'] });
  const customer = await new Customer(state.server.baseUrl, customerAccount).signIn();
  const postSub = await customer.authorize(poster.sid);
  const readSub = await customer.authorize(reader.sid);

  const asPoster = state.server.client(postSub, owner.auth_token);
  const service = await asPoster.messaging.v1.services.create({ friendlyName: 'Salon reminders' });
  assert.equal(service.accountSid, postSub);
  const number = await asPoster.api.v2010.accounts(postSub).incomingPhoneNumbers.create({ areaCode: '212' });
  const added = await asPoster.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
  assert.equal(added.serviceSid, service.sid);

  // get-all reads its own subaccount's services, and changes nothing.
  const asReader = state.server.client(readSub, owner.auth_token);
  assert.deepEqual(await asReader.messaging.v1.services.list(), []);
  await restError(asReader.messaging.v1.services.create({ friendlyName: 'Nope' }), 403, 20403);
  assert.deepEqual(await asReader.messaging.v1.services.list(), []);
});
