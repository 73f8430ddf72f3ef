// A typed use of every entry point, as a TypeScript test suite writes it:
// `tsc --noEmit` (clients/run.sh) fails when src/*.d.ts and this disagree.
// Never run: it is type-checked only.
import {
  ClockNotAvailable,
  EMPTY_TWIML,
  NotInSandboxMode,
  Switchboard,
  SwitchboardError,
  WebhookReceiver,
  findBinary,
  loadSeed,
  makeClient,
  type Credentials,
  type RecordedWebhook,
  type Sandbox,
  type SeedDocument,
  type TwilioClient,
} from 'switchboard-sandbox';
import { DEFAULT_SEED, expect, sharedSwitchboard, test } from 'switchboard-sandbox/vitest';
import { globalSetup, globalTeardown, useSandbox, type SandboxHandle } from 'switchboard-sandbox/jest';
import vitestSetup from 'switchboard-sandbox/vitest-setup';
import jestSetup from 'switchboard-sandbox/jest-global-setup';
import jestTeardown from 'switchboard-sandbox/jest-global-teardown';

const SEED: SeedDocument = {
  accounts: {
    owner: {
      type: 'Full',
      connect_apps: { analytics: { friendly_name: 'Call Analytics', permissions: ['get-all'] } },
    },
    customer: { type: 'Full', phone_numbers: [{ phone_number: '+14155550100', sms_url: '{receiver}/sms' }] },
  },
  authorizations: [{ customer: 'customer', connect_app: 'analytics' }],
};

export async function everything(): Promise<void> {
  const switchboard: Switchboard = await Switchboard.start({ simSpeed: 'instant', args: ['--allow-private-callbacks'] });
  const again: Switchboard = await Switchboard.connect(switchboard.baseUrl, { timeoutMs: 5_000 });
  await again.waitUntilHealthy(1_000);
  const receiver = await WebhookReceiver.start('127.0.0.1');
  receiver.twiml('/sms', EMPTY_TWIML);
  receiver.answer('/json', (request) => ({ body: JSON.stringify(request.form), contentType: 'application/json' }));

  const sandbox: Sandbox = await switchboard.createSandbox(SEED, { substitutions: { receiver: receiver.baseUrl } });
  const sid: string = sandbox.sid;
  const creds: Credentials = sandbox.credentials('owner');
  const client: TwilioClient = sandbox.client('owner');
  const messages = await client.messages.list({ limit: 1 });
  const first: string | undefined = messages[0]?.sid;
  const app: TwilioClient = sandbox.connectClient('analytics', 'customer');
  const grant = await sandbox.authorize('analytics', 'customer', { state: 'xyz', permissions: ['get-all'] });
  const redirect: string = grant.redirectUrl;
  const subaccount: string | null = grant.accountSid;
  await sandbox.inboundSms('+14155550100', '+14155550123', 'hi', { mediaUrls: ['https://example.com/a.png'] });
  const hooks: RecordedWebhook[] = await sandbox.waitForWebhooks(1, { kind: 'incoming-message', timeoutMs: 5_000 });
  const status: number | null = hooks[0].status;
  const requests = await receiver.waitFor(1, { path: '/sms' });
  const signed: boolean = WebhookReceiver.isSigned(requests[0], creds.password);
  await sandbox.fault('POST', '/2010-04-01/Accounts/*/Messages.json', { status: 503, code: 20503, count: 2 });
  await sandbox.clearFaults();
  await sandbox.callOutcome('owner', 'CA00000000000000000000000000000000', 'busy');
  await sandbox.messageOutcome(client, 'SM00000000000000000000000000000000', 'failed', { errorCode: 30008 });
  try {
    await sandbox.advance('5m');
  } catch (e) {
    if (e instanceof ClockNotAvailable) {
      const code: number | undefined = e.code;
      void code;
    }
  }
  await sandbox.reset();
  await sandbox.delete();
  const data = await switchboard.request<{ sid: string }>('GET', `/switchboard/v1/Sandboxes/${sid}.json`, {
    auth: [creds.username, creds.password],
    expect: [200, 404],
    notFound: NotInSandboxMode,
  });
  const direct: TwilioClient = makeClient(switchboard.baseUrl, creds.username, creds.password);
  const binary: string = findBinary();
  const loaded: SeedDocument = loadSeed(SEED);
  const error: SwitchboardError | null = null;
  void [first, app, redirect, subaccount, status, signed, data, direct, binary, loaded, error];
  await receiver.close();
  const exit: number | string | null = await switchboard.stop({ keepWorkdir: false });
  void exit;
}

test('a fixture-driven test', async ({ sandbox, receiver, switchboard, createSandbox }) => {
  const other: Sandbox = await createSandbox(DEFAULT_SEED);
  expect(other.sid).not.toBe(sandbox.sid);
  expect(receiver.url('/x')).toContain(switchboard.baseUrl.slice(0, 4));
});

export async function jestStyle(): Promise<void> {
  const shared: Switchboard = await sharedSwitchboard();
  const started: Switchboard = await globalSetup();
  const handle: SandboxHandle = useSandbox(DEFAULT_SEED, {
    beforeEach(fn) {
      void fn();
    },
    afterEach(fn) {
      void fn();
    },
  });
  void [shared, started, handle.sandbox, handle.receiver];
  await globalTeardown();
  await jestSetup();
  await jestTeardown();
  void vitestSetup;
}
