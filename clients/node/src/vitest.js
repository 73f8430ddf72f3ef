// Vitest fixtures: `import { test, expect } from 'switchboard-sandbox/vitest'`.
import path from 'node:path';
import { inject, test as base } from 'vitest';

import { DEFAULT_SEED, RECEIVER_TOKEN } from './defaults.js';
import { WebhookReceiver } from './receiver.js';
import { mentions } from './seed.js';
import { Switchboard } from './server.js';

export { expect } from 'vitest';
export { DEFAULT_SEED };

let shared;

/** This worker's handle on the run's Switchboard (started by the global setup). */
export function sharedSwitchboard() {
  if (!shared) {
    const url = inject('switchboardUrl') || process.env.SWITCHBOARD_URL;
    if (!url) {
      return Promise.reject(new Error("no Switchboard: add 'switchboard-sandbox/vitest-setup' to test.globalSetup "
        + 'in vitest.config, or set SWITCHBOARD_URL to one running in sandbox mode'));
    }
    shared = Switchboard.connect(url);
  }
  return shared;
}

function testDir(task) {
  const file = task?.file?.filepath;
  return file ? path.dirname(file) : process.cwd();
}

/**
 * `test` with the fixtures `switchboard`, `receiver`, `seed`, `sandbox` and
 * `createSandbox`. Override `seed` with `test.extend({ seed: … })` or
 * `test.scoped({ seed: … })`; a seed is an object or a JSON file path
 * (relative to the test file); `{receiver}` in its strings becomes the
 * test's receiver base URL.
 */
export const test = base.extend({
  // eslint-disable-next-line no-empty-pattern
  switchboard: async ({}, use) => {
    await use(await sharedSwitchboard());
  },
  // eslint-disable-next-line no-empty-pattern
  receiver: async ({}, use) => {
    const receiver = await WebhookReceiver.start();
    try {
      await use(receiver);
    } finally {
      await receiver.close();
    }
  },
  seed: [DEFAULT_SEED, { injected: false }],
  createSandbox: async ({ switchboard, receiver, task }, use) => {
    const made = [];
    await use(async (seed = DEFAULT_SEED) => {
      const substitutions = mentions(seed, RECEIVER_TOKEN) ? { receiver: receiver.baseUrl } : undefined;
      const sandbox = await switchboard.createSandbox(seed, { substitutions, baseDir: testDir(task) });
      made.push(sandbox);
      return sandbox;
    });
    for (const sandbox of made) await sandbox.delete();
  },
  sandbox: async ({ createSandbox, seed }, use) => {
    await use(await createSandbox(seed));
  },
});
