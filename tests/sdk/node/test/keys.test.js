'use strict';
// API keys with the official Node SDK: api.v2010.accounts(..).keys and
// .signingKeys, then twilio(keySid, secret, { accountSid }) authenticating
// with one, as twilio-node's own cluster tests do.

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');
const { Customer, createApp } = require('../lib/connect');

const state = useServer(test, 'keys');
const SECRET = /^[A-Za-z0-9]{32}$/;

function fresh(name) {
  const main = state.server.createMainAccount(`Node keys ${name} ${Date.now()}`);
  return { main, client: state.server.client(main.sid, main.auth_token) };
}

test('create a key and authenticate with it', async () => {
  const { main, client } = fresh('main');
  const account = client.api.v2010.accounts(main.sid);
  const key = await account.newKeys.create({ friendlyName: 'SDK key' });
  assert.match(key.sid, /^SK/);
  assert.equal(key.friendlyName, 'SDK key');
  assert.match(key.secret, SECRET);

  const withKey = state.server.client(key.sid, key.secret, main.sid);
  assert.deepEqual(await withKey.calls.list({ limit: 5 }), []);
  assert.equal((await withKey.api.v2010.accounts(main.sid).fetch()).sid, main.sid);
  const sub = await client.api.v2010.accounts.create({ friendlyName: 'Keyed sub' });
  assert.deepEqual(await state.server.client(key.sid, key.secret, sub.sid).messages.list({ limit: 5 }), []);

  assert.equal((await account.keys(key.sid).fetch()).friendlyName, 'SDK key');
  assert.deepEqual((await account.keys.list()).map((k) => k.sid), [key.sid]);
  assert.equal((await account.keys(key.sid).update({ friendlyName: 'Renamed' })).friendlyName, 'Renamed');

  await restError(state.server.client(key.sid, 'x'.repeat(32), main.sid).calls.list(), 401, 20003);
  const err = await restError(withKey.api.v2010.accounts(main.sid).newKeys.create(), 403, 20403);
  assert.match(err.message, /API key/);

  assert.equal(await account.keys(key.sid).remove(), true);
  await restError(withKey.calls.list(), 401, 20003);
  await restError(account.keys(key.sid).fetch(), 404, 20404);
});

test('signing keys', async () => {
  const { main, client } = fresh('signing');
  const account = client.api.v2010.accounts(main.sid);
  const signing = await account.newSigningKeys.create({ friendlyName: 'Tokens' });
  assert.match(signing.sid, /^SK/);
  assert.match(signing.secret, SECRET);
  assert.deepEqual((await account.signingKeys.list()).map((k) => k.sid), [signing.sid]);
  assert.equal((await account.signingKeys(signing.sid).fetch()).friendlyName, 'Tokens');
  assert.equal((await account.signingKeys(signing.sid).update({ friendlyName: 'Video' })).friendlyName, 'Video');
  assert.deepEqual(await account.keys.list(), []);
  await restError(account.keys(signing.sid).fetch(), 404, 20404);
  assert.deepEqual(await state.server.client(signing.sid, signing.secret, main.sid).calls.list({ limit: 1 }), []);
  assert.equal(await account.signingKeys(signing.sid).remove(), true);
  await restError(account.signingKeys(signing.sid).fetch(), 404, 20404);
});

test('a Connect App neither makes nor uses keys on a customer', async () => {
  const owner = state.server.createMainAccount(`Node key owner ${Date.now()}`);
  const customer = state.server.createMainAccount(`Node key customer ${Date.now()}`);
  const app = await createApp(state.server.baseUrl, owner, { permissions: ['get-all', 'post-all'] });
  const sub = await (await new Customer(state.server.baseUrl, customer).signIn()).authorize(app.sid);
  const asApp = state.server.client(sub, owner.auth_token);
  const err = await restError(asApp.api.v2010.accounts(sub).newKeys.create(), 403, 20403);
  assert.match(err.message, /Twilio Connect cannot create or use API keys/);

  const asOwner = state.server.client(owner.sid, owner.auth_token);
  const key = await asOwner.api.v2010.accounts(owner.sid).newKeys.create();
  const refused = await restError(state.server.client(key.sid, key.secret, sub).calls.list(), 403, 20403);
  assert.match(refused.message, /Connect/);
});

test('a Network Traversal token', async () => {
  const { main, client } = fresh('tokens');
  const token = await client.api.v2010.accounts(main.sid).tokens.create({ ttl: 600 });
  assert.equal(token.accountSid, main.sid);
  assert.equal(token.ttl, '600');
  assert.ok(token.username && token.password);
  assert.ok(token.iceServers.every((s) => s.urls.includes('.invalid')));
});
