'use strict';
// Issue 25 with the official Node SDK: a Connect App that signs its redirects
// gets `Timestamp` and `Signature`, which twilio.validateRequest accepts with
// the app owner's auth token, and refuses with one character changed.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useServer } = require('../lib/harness');
const { Customer, basicAuth, createApp } = require('../lib/connect');

const state = useServer(test, 'connect_redirects');
const COMPLETE = 'https://app.example.com/complete/twilio/';

/** What docs/connect.md tells an app to do with a signed redirect. */
function verify(url, authToken, nowSeconds) {
  const at = url.lastIndexOf('&Signature=');
  if (at < 0) return false;
  const unsigned = url.slice(0, at);
  const params = new URL(url).searchParams;
  const signature = params.getAll('Signature').pop() || '';
  const timestamp = Number(params.getAll('Timestamp').pop());
  const fresh = Number.isInteger(timestamp) && Math.abs(nowSeconds - timestamp) <= 300;
  return fresh && twilio.validateRequest(authToken, signature, unsigned, {});
}

function refuses(authToken, signature, url) {
  try {
    return !twilio.validateRequest(authToken, signature, url, {});
  } catch {
    return true; // not even a URL: not accepted either
  }
}

for (const decision of ['authorize', 'deny']) {
  test(`a signed redirect (${decision}) passes twilio.validateRequest, and nothing else does`, async () => {
    const owner = state.server.createMainAccount('Node app owner');
    const customer = state.server.createMainAccount('Node customer');
    const app = await createApp(state.server.baseUrl, owner, { permissions: ['get-all'], authorizeUrl: COMPLETE });
    const res = await fetch(
      `${state.server.baseUrl}/switchboard/v1/Accounts/${owner.sid}/ConnectApps/${app.sid}.json`,
      {
        method: 'POST',
        body: new URLSearchParams({ SignRedirects: 'true' }),
        headers: { Authorization: basicAuth(owner.sid, owner.auth_token) },
      },
    );
    assert.equal(res.status, 200);
    assert.equal((await res.json()).sign_redirects, true);

    const cb = `${COMPLETE}?redirect_state=r1`;
    const link = `/authorize/${app.sid}?${new URLSearchParams({ state: 's 1', cb })}`;
    const browser = await new Customer(state.server.baseUrl, customer).signIn();
    const location = await browser.follow(link, decision);
    const params = new URL(location).searchParams;
    assert.equal(params.get('state'), 's 1');
    assert.equal(params.get('redirect_state'), 'r1');
    assert.equal(params.has('AccountSid'), decision === 'authorize');
    assert.deepEqual([...params.keys()].slice(-2), ['Timestamp', 'Signature'], location);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(verify(location, owner.auth_token, now), location);
    assert.ok(!verify(location, owner.auth_token, now + 301), 'older than the window');

    const unsigned = location.slice(0, location.lastIndexOf('&Signature='));
    const signature = params.get('Signature');
    assert.equal(twilio.validateRequest(owner.auth_token, signature, unsigned, {}), true);
    for (let i = 0; i < unsigned.length; i += 1) {
      const forged = unsigned.slice(0, i) + (unsigned[i] === 'x' ? 'y' : 'x') + unsigned.slice(i + 1);
      assert.ok(refuses(owner.auth_token, signature, forged), forged);
    }
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    assert.ok(refuses(owner.auth_token, flipped, unsigned));
    assert.ok(refuses(customer.auth_token, signature, unsigned), "the customer's token is not the key");

    if (decision === 'authorize') {
      // The verified AccountSid is the app's Connect principal for this customer.
      const sub = params.get('AccountSid');
      const mine = await state.server.client(sub, owner.auth_token).api.v2010.accounts(sub).fetch();
      assert.equal(mine.ownerAccountSid, customer.sid);
    }
  });
}

test('a code from the consent page is exchanged once, with its PKCE verifier', async () => {
  const crypto = require('node:crypto');
  const owner = state.server.createMainAccount('Node code owner');
  const customer = state.server.createMainAccount('Node code customer');
  const app = await createApp(state.server.baseUrl, owner, { permissions: ['get-all'] });
  const browser = await new Customer(state.server.baseUrl, customer).signIn();
  const verifier = crypto.randomBytes(48).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const link = `/authorize/${app.sid}?${new URLSearchParams({
    state: 's1', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' })}`;
  const code = async () => {
    const params = new URL(await browser.follow(link, 'authorize')).searchParams;
    assert.equal(params.get('state'), 's1');
    assert.equal(params.has('AccountSid'), false);
    return params.get('code');
  };
  const exchange = async (form, [sid, token] = [owner.sid, owner.auth_token]) => {
    const res = await fetch(`${state.server.baseUrl}/switchboard/v1/ConnectApps/${app.sid}/Tokens.json`, {
      method: 'POST', body: new URLSearchParams(form), headers: { Authorization: basicAuth(sid, token) },
    });
    return [res.status, await res.json()];
  };

  const spent = await code();
  let [status, body] = await exchange({ Code: spent, CodeVerifier: `${verifier}x` });
  assert.deepEqual([status, body.code], [400, 97006]);
  [status, body] = await exchange({ Code: spent, CodeVerifier: verifier });
  assert.deepEqual([status, body.code], [400, 97002]);

  const good = await code();
  [status, body] = await exchange({ Code: good, CodeVerifier: verifier });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.customer_account_sid, customer.sid);
  assert.deepEqual(body.permissions, ['get-all']);
  const sub = body.account_sid;
  const mine = await state.server.client(sub, owner.auth_token).api.v2010.accounts(sub).fetch();
  assert.equal(mine.ownerAccountSid, customer.sid);
  [status, body] = await exchange({ Code: good, CodeVerifier: verifier });
  assert.deepEqual([status, body.code], [400, 97002]);
  [status] = await exchange({ Code: await code(), CodeVerifier: verifier }, [customer.sid, customer.auth_token]);
  assert.equal(status, 404);
});
