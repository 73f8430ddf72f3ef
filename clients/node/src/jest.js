// Jest helpers. In jest.config.js:
//   globalSetup: 'switchboard-sandbox/jest-global-setup',
//   globalTeardown: 'switchboard-sandbox/jest-global-teardown',
// and in a test file: const t = useSandbox(SEED); … t.sandbox, t.receiver.
import { DEFAULT_SEED, RECEIVER_TOKEN } from './defaults.js';
import { WebhookReceiver } from './receiver.js';
import { mentions } from './seed.js';
import { Switchboard } from './server.js';

const KEY = Symbol.for('switchboard-sandbox.server');

/** Starts Switchboard (or uses SWITCHBOARD_URL) and sets SWITCHBOARD_URL for the test workers. */
export async function globalSetup() {
  const server = await Switchboard.fromEnv();
  globalThis[KEY] = server;
  process.env.SWITCHBOARD_URL = server.baseUrl;
  return server;
}

/** Stops the Switchboard the global setup started (one it connected to is left running). */
export async function globalTeardown() {
  const server = globalThis[KEY];
  delete globalThis[KEY];
  if (server) return server.stop();
  return null;
}

let shared;

/**
 * Registers beforeEach/afterEach hooks that give each test a fresh sandbox
 * from `seed` (and a webhook receiver), deleted after it; returns the object
 * the hooks fill in: `{ switchboard, sandbox, receiver }`.
 */
export function useSandbox(seed = DEFAULT_SEED, hooks = globalThis) {
  const current = { switchboard: null, sandbox: null, receiver: null };
  hooks.beforeEach(async () => {
    const url = process.env.SWITCHBOARD_URL;
    if (!url) throw new Error("SWITCHBOARD_URL is not set: use globalSetup 'switchboard-sandbox/jest-global-setup'");
    if (!shared || shared.url !== url) shared = { url, server: Switchboard.connect(url) };
    current.switchboard = await shared.server;
    current.receiver = await WebhookReceiver.start();
    const substitutions = mentions(seed, RECEIVER_TOKEN) ? { receiver: current.receiver.baseUrl } : undefined;
    current.sandbox = await current.switchboard.createSandbox(seed, { substitutions });
  });
  hooks.afterEach(async () => {
    try {
      if (current.sandbox) await current.sandbox.delete();
    } finally {
      if (current.receiver) await current.receiver.close();
      current.sandbox = null;
      current.receiver = null;
    }
  });
  return current;
}
