'use strict';
// Accounts with the official Node SDK: create, fetch, list with filters,
// update, the status lifecycle, and who may see what.

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer, recorder } = require('../lib/harness');
const { AUTH_TOKEN, assertAccount, restError } = require('../lib/assertions');

const state = useServer(test, 'accounts');

function fresh(name = 'Node main') {
  const main = state.server.createMainAccount(`${name} ${Date.now()}`);
  return { main, client: state.server.client(main.sid, main.auth_token) };
}

test('fetch the main account', async () => {
  const { main, client } = fresh();
  const acc = await client.api.v2010.accounts(main.sid).fetch();
  assertAccount(acc, { sid: main.sid, owner: main.sid, friendlyName: main.friendly_name, status: 'active', type: 'Full' });
  assert.equal(acc.authToken, main.auth_token);
  // The hook saw it.
  const last = recorder.exchanges.at(-1);
  assert.equal(last.method, 'GET');
  assert.equal(last.url, `${state.server.baseUrl}/2010-04-01/Accounts/${main.sid}.json`);
  assert.equal(last.raw_captured, true);
});

test('create a subaccount, then fetch it', async () => {
  const { main, client } = fresh();
  const name = 'Node sub: créé ✓ & co/+=? 100%';
  const sub = await client.api.v2010.accounts.create({ friendlyName: name });
  assertAccount(sub, { owner: main.sid, friendlyName: name, status: 'active', type: 'Full' });
  assert.notEqual(sub.sid, main.sid);
  assert.match(sub.authToken, AUTH_TOKEN);
  assert.notEqual(sub.authToken, main.auth_token);
  const again = await client.api.v2010.accounts(sub.sid).fetch();
  assertAccount(again, { sid: sub.sid, owner: main.sid, friendlyName: name, status: 'active' });
  assert.equal(again.authToken, sub.authToken);
  assert.equal(again.dateCreated.getTime(), sub.dateCreated.getTime());
  // What went out: Twilio's form encoding as the SDK writes it.
  const post = recorder.exchanges.find((e) => e.method === 'POST' && e.request_body && e.request_body.FriendlyName === name);
  assert.ok(post, 'the create request was recorded');
  assert.equal(post.status, 201);
});

test('default friendly name', async () => {
  const { client } = fresh();
  const sub = await client.api.v2010.accounts.create();
  assert.ok(sub.friendlyName.startsWith('SubAccount Created at '), sub.friendlyName);
});

test('list with filters', async () => {
  const { main, client } = fresh();
  const accounts = client.api.v2010.accounts;
  const a1 = await accounts.create({ friendlyName: 'alpha' });
  const b = await accounts.create({ friendlyName: 'beta' });
  const a2 = await accounts.create({ friendlyName: 'alpha' });
  const c = await accounts.create({ friendlyName: 'gamma delta' });
  const sids = (list) => list.map((x) => x.sid);

  assert.deepEqual(sids(await accounts.list()), [main.sid, a1.sid, b.sid, a2.sid, c.sid]);
  assert.deepEqual(sids(await accounts.list({ friendlyName: 'alpha' })), [a1.sid, a2.sid]);
  assert.deepEqual(sids(await accounts.list({ friendlyName: 'gamma delta' })), [c.sid]);
  assert.deepEqual(await accounts.list({ friendlyName: 'ALPHA' }), []);

  await accounts(b.sid).update({ status: 'suspended' });
  assert.deepEqual(sids(await accounts.list({ status: 'suspended' })), [b.sid]);
  assert.deepEqual(sids(await accounts.list({ status: 'active' })), [main.sid, a1.sid, a2.sid, c.sid]);
  assert.deepEqual(await accounts.list({ status: 'closed' }), []);
  assert.deepEqual(sids(await accounts.list({ friendlyName: 'beta', status: 'suspended' })), [b.sid]);
  assert.deepEqual(await accounts.list({ friendlyName: 'beta', status: 'active' }), []);
});

test('update the friendly name', async () => {
  const { client } = fresh();
  const accounts = client.api.v2010.accounts;
  const sub = await accounts.create({ friendlyName: 'before' });
  const updated = await accounts(sub.sid).update({ friendlyName: 'after' });
  assertAccount(updated, { sid: sub.sid, friendlyName: 'after', status: 'active' });
  assert.equal((await accounts(sub.sid).fetch()).friendlyName, 'after');
  const inst = await accounts(sub.sid).fetch();
  assert.equal((await inst.update({ friendlyName: 'after again' })).friendlyName, 'after again');
});

test('status lifecycle: suspend, reactivate, close for good', async () => {
  const { client } = fresh();
  const accounts = client.api.v2010.accounts;
  const sub = await accounts.create({ friendlyName: 'lifecycle' });
  const subClient = state.server.client(sub.sid, sub.authToken);

  assert.equal((await accounts(sub.sid).update({ status: 'suspended' })).status, 'suspended');
  await restError(subClient.api.v2010.accounts(sub.sid).fetch(), 401, 20003);
  assert.equal((await accounts(sub.sid).update({ status: 'active' })).status, 'active');
  assert.equal((await subClient.api.v2010.accounts(sub.sid).fetch()).status, 'active');
  assert.equal((await accounts(sub.sid).update({ status: 'closed' })).status, 'closed');
  await restError(subClient.api.v2010.accounts(sub.sid).fetch(), 401, 20003);
  await restError(accounts(sub.sid).update({ status: 'active' }), 400);
  await restError(accounts(sub.sid).update({ status: 'suspended' }), 400);
  assert.equal((await accounts(sub.sid).fetch()).status, 'closed');
});

test("a main account's status cannot be changed through the API", async () => {
  const { main, client } = fresh();
  await restError(client.api.v2010.accounts(main.sid).update({ status: 'suspended' }), 403, 20403);
  assert.equal((await client.api.v2010.accounts(main.sid).fetch()).status, 'active');
});

test("a subaccount's own credentials see only itself", async () => {
  const { main, client } = fresh();
  const sub = await client.api.v2010.accounts.create({ friendlyName: 'me' });
  const sibling = await client.api.v2010.accounts.create({ friendlyName: 'sibling' });
  const subClient = state.server.client(sub.sid, sub.authToken);
  const listed = await subClient.api.v2010.accounts.list();
  assert.deepEqual(listed.map((x) => x.sid), [sub.sid]);
  assertAccount(listed[0], { sid: sub.sid, owner: main.sid });
  await restError(subClient.api.v2010.accounts(main.sid).fetch(), 404, 20404);
  await restError(subClient.api.v2010.accounts(sibling.sid).fetch(), 404, 20404);
  await restError(subClient.api.v2010.accounts.create({ friendlyName: 'grandchild' }), 403);
});

test('wrong password is 401 with code 20003', async () => {
  const { main } = fresh();
  const bad = state.server.client(main.sid, '0'.repeat(32));
  await restError(bad.api.v2010.accounts(main.sid).fetch(), 401, 20003);
  await restError(bad.api.v2010.accounts.list(), 401, 20003);
  await restError(bad.api.v2010.accounts.create({ friendlyName: 'x' }), 401, 20003);
});

test('unknown account SID is 404 with code 20404', async () => {
  const { client } = fresh();
  const nobody = 'AC' + '0'.repeat(32);
  await restError(client.api.v2010.accounts(nobody).fetch(), 404, 20404);
  await restError(client.api.v2010.accounts(nobody).update({ friendlyName: 'x' }), 404, 20404);
});
