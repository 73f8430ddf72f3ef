import type { TestAPI } from 'vitest';
import type { Sandbox, Seed, SeedDocument, Switchboard, WebhookReceiver } from './index.js';

export { expect } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    switchboardUrl: string;
  }
}

export interface SandboxFixtures {
  /** The run's Switchboard (started by 'switchboard-sandbox/vitest-setup'). */
  switchboard: Switchboard;
  /** A loopback receiver for the test's webhooks. */
  receiver: WebhookReceiver;
  /** The seed of `sandbox`; override with test.extend / test.override. */
  seed: Seed;
  /** A fresh sandbox from `seed`, deleted after the test. */
  sandbox: Sandbox;
  /** More sandboxes in one test, each deleted after it. */
  createSandbox: (seed?: Seed) => Promise<Sandbox>;
}

export const DEFAULT_SEED: SeedDocument;
export const test: TestAPI<SandboxFixtures>;
export function sharedSwitchboard(): Promise<Switchboard>;
