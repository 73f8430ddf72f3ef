import type { Sandbox, Seed, Switchboard, WebhookReceiver } from './index.js';

export function globalSetup(): Promise<Switchboard>;
export function globalTeardown(): Promise<number | string | null>;

export interface SandboxHandle {
  switchboard: Switchboard;
  sandbox: Sandbox;
  receiver: WebhookReceiver;
}

/** beforeEach/afterEach hooks giving each test a fresh sandbox (and receiver), deleted after it. */
export function useSandbox(
  seed?: Seed,
  hooks?: { beforeEach(fn: () => Promise<void>): void; afterEach(fn: () => Promise<void>): void },
): SandboxHandle;
