'use strict';
// TwiML Applications with the official Node SDK: create, list (with the
// friendlyName filter and the SDK's paging), fetch, update and delete, as an
// account and as a Connect App in its dedicated subaccount; a number that
// names an application; Twilio's codes for bad input.

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');
const { Customer, createApp } = require('../lib/connect');

const state = useServer(test, 'applications');

test('applications are created, listed, updated and deleted', async () => {
  const main = state.server.createMainAccount('Node applications');
  const client = state.server.client(main.sid, main.auth_token);
  const account = client.api.v2010.accounts(main.sid);
  const apps = account.applications;

  const app = await apps.create({
    friendlyName: 'Front desk',
    voiceUrl: 'https://app.example.com/voice',
    smsUrl: 'https://app.example.com/sms',
    smsMethod: 'GET',
  });
  assert.ok(app.sid.startsWith('AP'));
  assert.equal(app.accountSid, main.sid);
  assert.deepEqual([app.smsUrl, app.smsMethod, app.voiceMethod], ['https://app.example.com/sms', 'GET', 'POST']);
  assert.equal(app.apiVersion, '2010-04-01');
  assert.equal(app.uri, `/2010-04-01/Accounts/${main.sid}/Applications/${app.sid}.json`);

  const other = await apps.create({ friendlyName: 'Sales' });
  assert.deepEqual((await apps.list()).map((a) => a.sid), [app.sid, other.sid]);
  assert.deepEqual((await apps.list({ friendlyName: 'Sales' })).map((a) => a.sid), [other.sid]);
  assert.deepEqual((await apps.list({ pageSize: 1 })).map((a) => a.sid), [app.sid, other.sid]);

  assert.equal((await apps(app.sid).fetch()).friendlyName, 'Front desk');
  const updated = await apps(app.sid).update({
    friendlyName: 'Front desk (EU)',
    voiceFallbackUrl: 'https://app.example.com/voice-fallback',
    smsStatusCallback: 'https://app.example.com/sms-status',
    voiceCallerIdLookup: true,
  });
  assert.equal(updated.friendlyName, 'Front desk (EU)');
  assert.equal(updated.voiceFallbackUrl, 'https://app.example.com/voice-fallback');
  assert.equal(updated.smsStatusCallback, 'https://app.example.com/sms-status');
  assert.equal(updated.voiceCallerIdLookup, true);
  assert.equal(updated.smsUrl, 'https://app.example.com/sms');

  const number = await account.incomingPhoneNumbers.create({ areaCode: '415', smsApplicationSid: app.sid });
  assert.equal(number.smsApplicationSid, app.sid);

  assert.equal(await apps(app.sid).remove(), true);
  await restError(apps(app.sid).fetch(), 404, 20404);
  assert.equal((await account.incomingPhoneNumbers(number.sid).fetch()).smsApplicationSid, null);
});

test('bad input gets Twilio\'s codes', async () => {
  const main = state.server.createMainAccount('Node bad applications');
  const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
  await restError(account.applications.create({ smsUrl: 'not a url' }), 400, 21502);
  await restError(account.applications.create({ voiceMethod: 'PATCH' }), 400, 21403);
  const missing = `AP${'0'.repeat(32)}`;
  await restError(account.applications(missing).fetch(), 404, 20404);
  await restError(account.incomingPhoneNumbers.create({ areaCode: '415', voiceApplicationSid: missing }), 400, 21420);
});

test('a post-all app manages applications in its dedicated subaccount', async () => {
  const owner = state.server.createMainAccount('Node app owner');
  const customer = state.server.createMainAccount('Node customer');
  const connectApp = await createApp(state.server.baseUrl, owner, { permissions: ['post-all'] });
  const sub = await (await new Customer(state.server.baseUrl, customer).signIn()).authorize(connectApp.sid);
  const asApp = state.server.client(sub, owner.auth_token);
  const apps = asApp.api.v2010.accounts(sub).applications;
  const app = await apps.create({ friendlyName: 'Made by the app' });
  assert.equal(app.accountSid, sub);
  assert.deepEqual((await apps.list()).map((a) => a.sid), [app.sid]);
  assert.equal(await apps(app.sid).remove(), true);
  await restError(asApp.api.v2010.accounts(customer.sid).applications.create({ friendlyName: 'x' }), 403, 20403);
});
