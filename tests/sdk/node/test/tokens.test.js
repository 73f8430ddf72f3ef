'use strict';
// Auth-token rotation on Twilio's Accounts v1 paths with the official Node
// SDK: client.accounts.v1.secondaryAuthToken() / authTokenPromotion().

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { AUTH_TOKEN, restError } = require('../lib/assertions');

const state = useServer(test, 'tokens');

function fresh() {
  const main = state.server.createMainAccount(`Node tokens ${Date.now()}`);
  return { main, client: state.server.client(main.sid, main.auth_token) };
}

function assertV1Dates(x) {
  for (const d of [x.dateCreated, x.dateUpdated]) {
    assert.ok(d instanceof Date && !Number.isNaN(d.getTime()), `not parsed as an ISO 8601 date: ${d}`);
  }
}

test('secondary token: create, use, delete', async () => {
  const { main, client } = fresh();
  const secondary = await client.accounts.v1.secondaryAuthToken().create();
  assert.equal(secondary.accountSid, main.sid);
  assert.match(secondary.secondaryAuthToken, AUTH_TOKEN);
  assert.notEqual(secondary.secondaryAuthToken, main.auth_token);
  assert.ok(secondary.url.endsWith('/v1/AuthTokens/Secondary'), secondary.url);
  assertV1Dates(secondary);

  const viaSecondary = state.server.client(main.sid, secondary.secondaryAuthToken);
  assert.equal((await viaSecondary.api.v2010.accounts(main.sid).fetch()).sid, main.sid);
  assert.equal((await client.api.v2010.accounts(main.sid).fetch()).authToken, main.auth_token);

  assert.equal(await client.accounts.v1.secondaryAuthToken().remove(), true);
  await restError(viaSecondary.api.v2010.accounts(main.sid).fetch(), 401, 20003);
  await restError(client.accounts.v1.secondaryAuthToken().remove(), 404);
});

test('promote: the old primary is refused at once', async () => {
  const { main, client } = fresh();
  const secondary = (await client.accounts.v1.secondaryAuthToken().create()).secondaryAuthToken;
  const promoted = await client.accounts.v1.authTokenPromotion().update();
  assert.equal(promoted.accountSid, main.sid);
  assert.equal(promoted.authToken, secondary);
  assert.ok(promoted.url.endsWith('/v1/AuthTokens/Promote'), promoted.url);
  assertV1Dates(promoted);

  await restError(client.api.v2010.accounts(main.sid).fetch(), 401, 20003);
  await restError(client.api.v2010.accounts.list(), 401, 20003);
  const fresh2 = state.server.client(main.sid, secondary);
  assert.equal((await fresh2.api.v2010.accounts(main.sid).fetch()).authToken, secondary);
  await restError(fresh2.accounts.v1.authTokenPromotion().update(), 400);
});

test('promote without a secondary is 400', async () => {
  const { main, client } = fresh();
  await restError(client.accounts.v1.authTokenPromotion().update(), 400);
  assert.equal((await client.api.v2010.accounts(main.sid).fetch()).authToken, main.auth_token);
});

test('wrong credentials on the token API are 401', async () => {
  const { main } = fresh();
  const bad = state.server.client(main.sid, 'f'.repeat(32));
  await restError(bad.accounts.v1.secondaryAuthToken().create(), 401, 20003);
  await restError(bad.accounts.v1.authTokenPromotion().update(), 401, 20003);
});
