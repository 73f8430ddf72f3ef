'use strict';
// Short codes with the official Node SDK: provisioned with the operator's
// command line (`switchboard short-codes add`), then listed with filters,
// fetched, configured and sent from through the API.

const { execFileSync } = require('node:child_process');
const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');

const state = useServer(test, 'short_codes');

function provision(account, code, name) {
  const args = ['short-codes', 'add', '--database-url', state.server.dbUrl, '--account', account,
    '--short-code', code, '--json'];
  if (name) args.push('--friendly-name', name);
  return JSON.parse(execFileSync(state.server.bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

test('short codes are read, configured and sent from', async () => {
  const main = state.server.createMainAccount('Node short codes');
  const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
  const first = provision(main.sid, '894546', 'Alerts');
  const second = provision(main.sid, '12345');

  assert.deepEqual((await account.shortCodes.list()).map((c) => c.sid), [first.sid, second.sid]);
  assert.deepEqual((await account.shortCodes.list({ shortCode: '12345' })).map((c) => c.sid), [second.sid]);
  assert.deepEqual((await account.shortCodes.list({ friendlyName: 'Alerts' })).map((c) => c.sid), [first.sid]);
  assert.deepEqual((await account.shortCodes.list({ pageSize: 1 })).map((c) => c.sid), [first.sid, second.sid]);

  const fetched = await account.shortCodes(second.sid).fetch();
  assert.deepEqual([fetched.shortCode, fetched.friendlyName, fetched.smsMethod, fetched.smsUrl], ['12345', '12345', 'POST', null]);
  const updated = await account.shortCodes(second.sid).update({
    friendlyName: 'Codes', smsUrl: 'https://app.example.com/sc', smsMethod: 'GET',
  });
  assert.deepEqual([updated.friendlyName, updated.smsUrl, updated.smsMethod], ['Codes', 'https://app.example.com/sc', 'GET']);
  await restError(account.shortCodes(second.sid).update({ smsMethod: 'PUT' }), 400, 21403);

  const message = await account.messages.create({ from: '12345', to: '+14155550100', body: 'Your code is 4321' });
  assert.equal(message.from, '12345');
  await restError(account.messages.create({ from: '77777', to: '+14155550100', body: 'x' }), 400, 21606);
  await restError(account.shortCodes(`SC${'0'.repeat(32)}`).fetch(), 404, 20404);
});
