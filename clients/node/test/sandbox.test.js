// The fixtures and helpers against a real Switchboard in sandbox mode.
import { describe } from 'vitest';
import { expect, test } from 'switchboard-sandbox/vitest';
import { SwitchboardError, WebhookReceiver } from 'switchboard-sandbox';
import { globalSetup, globalTeardown, useSandbox } from 'switchboard-sandbox/jest';

const NUMBERS = {
  accounts: {
    alice: { type: 'Full', phone_numbers: [{ phone_number: '+14155550100', sms_url: '{receiver}/sms' }] },
  },
};

const CONNECT = {
  accounts: {
    owner: {
      type: 'Full',
      connect_apps: {
        analytics: {
          friendly_name: 'Call Analytics',
          authorize_redirect_url: 'https://app.example.test/authorize',
          permissions: ['get-all'],
        },
      },
    },
    bob: { type: 'Full' },
    tess: { type: 'Trial' },
  },
  authorizations: [{ customer: 'bob', connect_app: 'analytics', permissions: ['get-all'] }],
};

test('the default seed is one Full account', async ({ sandbox, switchboard }) => {
  expect(Object.keys(sandbox.accounts)).toEqual(['main']);
  const client = sandbox.client('main');
  expect(client.api.baseUrl).toBe(switchboard.baseUrl);
  const account = await client.api.v2010.accounts(sandbox.accounts.main.sid).fetch();
  expect(account.type).toBe('Full');
  expect((await client.api.v2010.accounts.list()).map((a) => a.sid)).toEqual([sandbox.accounts.main.sid]);
});

test('inbound SMS reaches the seeded number\'s webhook', async ({ createSandbox, receiver }) => {
  const sandbox = await createSandbox(NUMBERS);
  const message = await sandbox.inboundSms('+14155550100', '+14155550123', 'hello');
  expect([message.direction, message.body]).toEqual(['inbound', 'hello']);
  const [hit] = await receiver.waitFor(1, { path: '/sms' });
  expect(hit.form.MessageSid).toBe(message.sid);
  expect(WebhookReceiver.isSigned(hit, sandbox.accounts.alice.auth_token)).toBe(true);
  expect(WebhookReceiver.isSigned(hit, '0'.repeat(32))).toBe(false);
  const recorded = await sandbox.waitForWebhooks(1, { relatedSid: message.sid });
  expect(recorded[0].url).toBe(receiver.url('/sms'));
});

test('a seed from a JSON file, relative to the test file', async ({ createSandbox }) => {
  const sandbox = await createSandbox('seeds/two_accounts.json');
  expect(Object.keys(sandbox.accounts).sort()).toEqual(['carol', 'dave']);
  expect(sandbox.account('carol').sid).toBe(`AC${'c'.repeat(32)}`);
  expect(sandbox.account('dave/staging').sid).toBe(sandbox.account('staging').sid);
});

describe('a seed for a whole describe block', () => {
  test.override({ seed: { accounts: { erin: { type: 'Trial' } } } });

  test('uses it', ({ sandbox }) => {
    expect(Object.keys(sandbox.accounts)).toEqual(['erin']);
  });
});

test('every test gets its own sandbox, deleted after', async ({ switchboard }) => {
  const seed = { accounts: { main: { type: 'Full' } } };
  const [one, two] = [await switchboard.createSandbox(seed), await switchboard.createSandbox(seed)];
  expect(one.sid).not.toBe(two.sid);
  expect(one.accounts.main.sid).not.toBe(two.accounts.main.sid);
  const client = one.client('main');
  await one.delete();
  await expect(client.api.v2010.accounts(one.accounts.main.sid).fetch()).rejects.toMatchObject({ status: 401 });
  await two.delete();
  await two.delete(); // twice is harmless
});

test('reset keeps SIDs and tokens and forgets the rest', async ({ sandbox }) => {
  const client = sandbox.client('main');
  const before = { ...sandbox.accounts.main };
  await client.api.v2010.accounts.create({ friendlyName: 'made in the test' });
  expect(await client.api.v2010.accounts.list()).toHaveLength(2);
  await sandbox.reset();
  expect([sandbox.accounts.main.sid, sandbox.accounts.main.auth_token]).toEqual([before.sid, before.auth_token]);
  expect((await client.api.v2010.accounts.list()).map((a) => a.sid)).toEqual([before.sid]);
});

describe('Connect', () => {
  test.override({ seed: CONNECT });

  test('a seeded authorization gives a Connect client', async ({ sandbox }) => {
    const [granted] = sandbox.data.authorizations;
    const app = sandbox.connectClient('analytics', 'bob');
    expect(app.accountSid).toBe(granted.account_sid);
    expect([app.username, app.password]).toEqual([granted.account_sid, sandbox.accounts.owner.auth_token]);
    expect((await app.api.v2010.accounts(granted.account_sid).fetch()).sid).toBe(granted.account_sid);
    await expect(app.incomingPhoneNumbers.create({ areaCode: '415' })).rejects.toMatchObject({ status: 403 });
  });

  test('deny redirects with an error and grants nothing', async ({ sandbox }) => {
    const denied = await sandbox.authorize('analytics', 'owner', { decision: 'deny', state: 'x' });
    expect(denied.params).toEqual({ error: 'unauthorized_client', state: 'x' });
    expect(denied.accountSid).toBeFalsy();
    expect(() => sandbox.connectClient('analytics', 'owner')).toThrow(/has not authorized/);
  });

  test('a Trial customer is refused; unknown names are named', async ({ sandbox }) => {
    const err = await sandbox.authorize('analytics', 'tess').catch((e) => e);
    expect(err).toBeInstanceOf(SwitchboardError);
    expect(err.status).toBe(403); // as on the consent page
    expect(err.code).toBeTruthy();
    await expect(sandbox.authorize('nope', 'bob')).rejects.toThrow(/no Connect App 'nope'/);
    expect(() => sandbox.client('nobody')).toThrow(/no account 'nobody'/);
  });
});

test('a fault fails the next matching request, then clears', async ({ sandbox }) => {
  const client = sandbox.client('main');
  const path = '/2010-04-01/Accounts/*/IncomingPhoneNumbers.json';
  expect(await sandbox.fault('POST', path, { status: 503, code: 20503, message: 'Service unavailable (injected)' })).toBeTruthy();
  expect(await sandbox.faults()).toHaveLength(1);
  await expect(client.incomingPhoneNumbers.create({ areaCode: '415' })).rejects.toMatchObject({ status: 503, code: 20503 });
  expect(await client.incomingPhoneNumbers.list()).toEqual([]); // nothing was written
  await client.incomingPhoneNumbers.create({ areaCode: '415' }); // Count defaults to 1
  await sandbox.fault('GET', path, { status: 500, code: 20500, count: 5 });
  await sandbox.clearFaults();
  expect(await sandbox.faults()).toEqual([]);
  expect(await client.incomingPhoneNumbers.list()).toHaveLength(1);
});

test('advance moves the sandbox clock and dates follow it', async ({ createSandbox }) => {
  const sandbox = await createSandbox({ accounts: { main: { type: 'Full', phone_numbers: [{ phone_number: '+14155550100' }] } } });
  const before = new Date(await sandbox.now());
  const DAY = 86400;
  let clock = await sandbox.advance('30d');
  expect(Math.abs(clock.offset - 30 * DAY)).toBeLessThanOrEqual(1);
  clock = await sandbox.advance(7200);
  expect(Math.abs(clock.offset - (30 * DAY + 7200))).toBeLessThanOrEqual(1);
  const now = new Date(await sandbox.now());
  expect(now - before).toBeGreaterThanOrEqual((30 * DAY + 7200) * 1000);
  // What the sandbox's accounts make is dated on its clock.
  const client = sandbox.client('main');
  const message = await client.messages.create({ from: '+14155550100', to: '+14155550199', body: 'hi' });
  expect(Math.abs(message.dateCreated - now)).toBeLessThan(5000);
  const bad = await sandbox.advance('soon').catch((e) => e);
  expect(bad).toBeInstanceOf(SwitchboardError);
  expect([bad.status, bad.code]).toEqual([400, 20001]);
  await expect(sandbox.advance(1.5)).rejects.toThrow(/whole seconds/);
});

test('a bad seed is a 400 naming the field', async ({ switchboard }) => {
  const err = await switchboard.createSandbox({ accounts: { x: { type: 'Nope' } } }).catch((e) => e);
  expect(err).toBeInstanceOf(SwitchboardError);
  expect(err.status).toBe(400);
  expect(err.message).toContain('accounts.x.type');
});

describe('the Jest helpers', () => {
  const hooks = { before: [], after: [] };
  const handle = useSandbox(NUMBERS, { beforeEach: (f) => hooks.before.push(f), afterEach: (f) => hooks.after.push(f) });

  test('useSandbox gives each test a sandbox and a receiver, deleted after', async ({ switchboard }) => {
    // What the Jest global setup leaves for the workers.
    const saved = process.env.SWITCHBOARD_URL;
    process.env.SWITCHBOARD_URL = switchboard.baseUrl;
    try {
      for (const f of hooks.before) await f();
      const { sandbox, receiver } = handle;
      expect(sandbox.phoneNumbers['+14155550100']).toBeTruthy();
      await sandbox.inboundSms('+14155550100', '+14155550123', 'jest');
      await receiver.waitFor(1, { path: '/sms' });
      const client = sandbox.client('alice');
      for (const f of hooks.after) await f();
      expect(handle.sandbox).toBe(null);
      await expect(client.api.v2010.accounts(sandbox.accounts.alice.sid).fetch()).rejects.toMatchObject({ status: 401 });
      // With SWITCHBOARD_URL set, the global setup connects, and the teardown leaves it running.
      const server = await globalSetup();
      expect(server.baseUrl).toBe(switchboard.baseUrl);
      expect(await globalTeardown()).toBe(null);
    } finally {
      if (saved === undefined) delete process.env.SWITCHBOARD_URL; else process.env.SWITCHBOARD_URL = saved;
    }
  });
});

test('the outcome of a finished message is a 409', async ({ createSandbox }) => {
  const sandbox = await createSandbox({ accounts: { main: { type: 'Full', phone_numbers: [{ phone_number: '+14155550100' }] } } });
  const client = sandbox.client('main');
  const message = await client.messages.create({ from: '+14155550100', to: '+14155550199', body: 'hi' });
  const deadline = Date.now() + 5000;
  while (!['delivered', 'undelivered', 'failed'].includes((await client.messages(message.sid).fetch()).status)) {
    expect(Date.now() < deadline, 'the message never finished on the instant clock').toBe(true);
    await new Promise((r) => setTimeout(r, 20));
  }
  const err = await sandbox.messageOutcome(client, message.sid, 'undelivered', { errorCode: 30005 }).catch((e) => e);
  expect(err).toBeInstanceOf(SwitchboardError);
  expect(err.status).toBe(409);
});
