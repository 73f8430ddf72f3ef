'use strict';
// Connect with the official Node SDK: the app, authenticated as the customer's
// dedicated subaccount with its owner's auth token, gets the reach the customer
// granted; revocation calls back with a signature twilio.validateRequest accepts.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');
const { Customer, Receiver, basicAuth, createApp } = require('../lib/connect');

const state = useServer(test, 'connect');

async function connected(permissions, extra = {}) {
  const owner = state.server.createMainAccount('Node app owner');
  const customer = state.server.createMainAccount('Node customer');
  const app = await createApp(state.server.baseUrl, owner, { permissions, ...extra });
  const sub = await (await new Customer(state.server.baseUrl, customer).signIn()).authorize(app.sid);
  return { owner, customer, app, sub, asApp: state.server.client(sub, owner.auth_token) };
}

test('get-all reads the customer, without ever seeing a token', async () => {
  const { customer, sub, asApp, app } = await connected(['get-all']);
  const mine = await asApp.api.v2010.accounts(sub).fetch();
  assert.equal(mine.ownerAccountSid, customer.sid);
  assert.equal(mine.authToken, undefined);
  const main = await asApp.api.v2010.accounts(customer.sid).fetch();
  assert.equal(main.sid, customer.sid);
  assert.equal(main.authToken, undefined);
  const listed = (await asApp.api.v2010.accounts.list()).map((a) => a.sid);
  assert.ok(listed.includes(customer.sid) && listed.includes(sub), listed.join());

  const asCustomer = state.server.client(customer.sid, customer.auth_token);
  const granted = await asCustomer.api.v2010.accounts(customer.sid).authorizedConnectApps.list();
  assert.deepEqual(granted.map((g) => [g.connectAppSid, g.permissions]), [[app.sid, ['get-all']]]);
});

test('post-all alone reaches only the dedicated subaccount, and never acts as the owner', async () => {
  const { customer, sub, asApp } = await connected(['post-all']);
  assert.equal((await asApp.api.v2010.accounts(sub).fetch()).sid, sub);
  const err = await restError(asApp.api.v2010.accounts(customer.sid).fetch(), 403, 20403);
  assert.match(err.message, /get-all/);
  await restError(asApp.api.v2010.accounts.create({ friendlyName: 'Mine now' }), 403, 20403);
  await restError(asApp.api.v2010.accounts(sub).update({ status: 'suspended' }), 403, 20403);
});

for (const method of ['POST', 'GET']) {
  test(`deauthorize callbacks (${method}) pass twilio.validateRequest`, async () => {
    const receiver = await new Receiver().start();
    try {
      const url = receiver.url('/twilio/deauthorize?tenant=acme&x=1');
      const { owner, customer, app, sub, asApp } = await connected(['get-all'], { deauthorizeUrl: url, method });
      const res = await fetch(
        `${state.server.baseUrl}/2010-04-01/Accounts/${customer.sid}/AuthorizedConnectApps/${app.sid}.json`,
        { method: 'DELETE', headers: { Authorization: basicAuth(customer.sid, customer.auth_token) } },
      );
      assert.equal(res.status, 204);
      const [hit] = await receiver.waitFor(1);
      assert.equal(hit.method, method);
      const signature = hit.headers['x-twilio-signature'];
      const params = method === 'POST' ? hit.form : {};
      if (method === 'POST') {
        assert.equal(hit.url, url);
        assert.deepEqual(hit.form, { AccountSid: sub, ConnectAppSid: app.sid });
      } else {
        assert.ok(hit.url.startsWith(`${url}&`), hit.url);
        assert.ok(hit.url.includes(`AccountSid=${sub}`) && hit.url.includes(`ConnectAppSid=${app.sid}`), hit.url);
      }
      assert.equal(twilio.validateRequest(owner.auth_token, signature, hit.url, params), true);
      assert.equal(twilio.validateRequest(customer.auth_token, signature, hit.url, params), false);
      assert.equal(twilio.validateRequest(owner.auth_token, signature, hit.url.replace('acme', 'evil'), params), false);
      assert.ok(hit.headers['i-twilio-idempotency-token']);
      await restError(asApp.api.v2010.accounts(sub).fetch(), 401, 20003);
    } finally {
      receiver.close();
    }
  });
}
