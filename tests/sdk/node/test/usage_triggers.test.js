'use strict';
// Usage triggers with the official Node SDK: create, list (with the
// recurring, triggerBy and usageCategory filters and the SDK's paging),
// fetch, update and delete, as an account and as a Connect App in its
// dedicated subaccount; Twilio's codes for bad input.

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');
const { Customer, createApp } = require('../lib/connect');

const state = useServer(test, 'usage_triggers');

test('usage triggers are created, listed, updated and deleted', async () => {
  const main = state.server.createMainAccount('Node usage triggers');
  const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
  const triggers = account.usage.triggers;

  const monthly = await triggers.create({
    callbackUrl: 'https://app.example.com/usage',
    triggerValue: '12.5',
    usageCategory: 'totalprice',
    recurring: 'monthly',
    triggerBy: 'price',
    friendlyName: 'Monthly bill',
  });
  assert.ok(monthly.sid.startsWith('UT'));
  assert.equal(monthly.accountSid, main.sid);
  assert.deepEqual([monthly.recurring, monthly.triggerBy, monthly.triggerValue], ['monthly', 'price', '12.5']);
  assert.equal(monthly.callbackMethod, 'POST');
  assert.equal(monthly.dateFired, null);
  assert.equal(monthly.uri, `/2010-04-01/Accounts/${main.sid}/Usage/Triggers/${monthly.sid}.json`);

  const once = await triggers.create({ callbackUrl: 'https://app.example.com/usage', triggerValue: '3', usageCategory: 'calls' });
  assert.equal(once.recurring, 'alltime');
  assert.deepEqual((await triggers.list()).map((t) => t.sid), [monthly.sid, once.sid]);
  assert.deepEqual((await triggers.list({ recurring: 'monthly' })).map((t) => t.sid), [monthly.sid]);
  assert.deepEqual((await triggers.list({ triggerBy: 'usage' })).map((t) => t.sid), [once.sid]);
  assert.deepEqual((await triggers.list({ usageCategory: 'calls' })).map((t) => t.sid), [once.sid]);
  assert.deepEqual((await triggers.list({ pageSize: 1 })).map((t) => t.sid), [monthly.sid, once.sid]);

  assert.equal((await triggers(monthly.sid).fetch()).friendlyName, 'Monthly bill');
  const updated = await triggers(monthly.sid).update({
    friendlyName: 'Bill',
    callbackUrl: 'https://app.example.com/other',
    callbackMethod: 'GET',
  });
  assert.deepEqual([updated.friendlyName, updated.callbackUrl, updated.callbackMethod], ['Bill', 'https://app.example.com/other', 'GET']);

  assert.equal(await triggers(monthly.sid).remove(), true);
  await restError(triggers(monthly.sid).fetch(), 404, 20404);
});

test('bad input gets Twilio\'s codes', async () => {
  const main = state.server.createMainAccount('Node bad triggers');
  const triggers = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid).usage.triggers;
  await restError(triggers.create({ callbackUrl: 'not a url', triggerValue: '1', usageCategory: 'sms' }), 400, 21502);
  await restError(triggers.create({ callbackUrl: 'https://a.example.com/', triggerValue: 'ten', usageCategory: 'sms' }), 400, 20001);
  await restError(triggers(`UT${'0'.repeat(32)}`).fetch(), 404, 20404);
});

test('a post-all app manages triggers in its dedicated subaccount', async () => {
  const owner = state.server.createMainAccount('Node trigger app owner');
  const customer = state.server.createMainAccount('Node trigger customer');
  const connectApp = await createApp(state.server.baseUrl, owner, { permissions: ['post-all'] });
  const sub = await (await new Customer(state.server.baseUrl, customer).signIn()).authorize(connectApp.sid);
  const asApp = state.server.client(sub, owner.auth_token);
  const triggers = asApp.api.v2010.accounts(sub).usage.triggers;
  const made = await triggers.create({ callbackUrl: 'https://app.example.com/usage', triggerValue: '1', usageCategory: 'sms' });
  assert.equal(made.accountSid, sub);
  assert.deepEqual((await triggers.list()).map((t) => t.sid), [made.sid]);
  assert.equal(await triggers(made.sid).remove(), true);
  await restError(
    asApp.api.v2010.accounts(customer.sid).usage.triggers.create({ callbackUrl: 'https://app.example.com/usage', triggerValue: '1', usageCategory: 'sms' }),
    403,
    20403,
  );
});
