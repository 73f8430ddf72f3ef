'use strict';
const assert = require('node:assert/strict');

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;
const AUTH_TOKEN = /^[0-9a-f]{32}$/;

/** The fields every account read carries, as the SDK deserialised them. */
function assertAccount(acc, want = {}) {
  assert.match(acc.sid, ACCOUNT_SID);
  if (want.sid !== undefined) assert.equal(acc.sid, want.sid);
  if (want.owner !== undefined) assert.equal(acc.ownerAccountSid, want.owner);
  if (want.friendlyName !== undefined) assert.equal(acc.friendlyName, want.friendlyName);
  if (want.status !== undefined) assert.equal(acc.status, want.status);
  if (want.type !== undefined) assert.equal(acc.type, want.type);
  // The SDK parsed the RFC 2822 dates (it leaves a string when it cannot).
  for (const d of [acc.dateCreated, acc.dateUpdated]) {
    assert.ok(d instanceof Date && !Number.isNaN(d.getTime()), `not parsed as a date: ${d}`);
  }
  assert.ok(acc.dateUpdated >= acc.dateCreated);
  assert.equal(acc.uri, `/2010-04-01/Accounts/${acc.sid}.json`);
  assert.equal(typeof acc.subresourceUris, 'object');
  for (const [name, uri] of Object.entries(acc.subresourceUris)) {
    assert.ok(uri.startsWith(`/2010-04-01/Accounts/${acc.sid}/`) && uri.endsWith('.json'), `${name}: ${uri}`);
  }
}

/** Awaits a promise that must reject with a Twilio REST error. */
async function restError(promise, status, code) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected HTTP ${status}, the call succeeded`);
  assert.equal(err.status, status, `HTTP ${err.status} (${err.code}: ${err.message}), expected ${status}`);
  assert.equal(typeof err.code, 'number', `no Twilio code: ${err.message}`);
  if (code !== undefined) assert.equal(err.code, code, `code ${err.code} (${err.message}), expected ${code}`);
  return err;
}

/**
 * Calls `fetch` until `done` holds for what it returns (simulated calls and
 * messages move on by themselves), and returns that.
 */
async function settle(fetch, done, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = await fetch();
    if (done(item)) return item;
    assert.ok(Date.now() < deadline, `never settled: ${JSON.stringify(item)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

module.exports = { ACCOUNT_SID, AUTH_TOKEN, assertAccount, restError, settle };
