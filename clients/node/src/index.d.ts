// Types of switchboard-sandbox (hand-written; the package is plain ESM JavaScript).
import type { ChildProcess } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import type twilio from 'twilio';

/** An official `twilio` client (what `twilio(sid, token)` returns). */
export type TwilioClient = ReturnType<typeof twilio>;

/** A seed document: the JSON the README documents (accounts by name, apps, authorizations…). */
export interface SeedDocument {
  accounts: Record<string, SeedAccount>;
  authorizations?: Array<{ customer: string; connect_app: string; permissions?: string[]; account_sid?: string }>;
  [key: string]: unknown;
}

export interface SeedAccount {
  type?: 'Full' | 'Trial';
  sid?: string;
  auth_token?: string;
  email?: string;
  password?: string;
  friendly_name?: string;
  connect_apps?: Record<string, Record<string, unknown>>;
  phone_numbers?: Array<Record<string, unknown>>;
  subaccounts?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** A seed: an object, or the path (or file URL) of a JSON file. */
export type Seed = SeedDocument | string | URL;

export interface SeededAccount {
  sid: string;
  auth_token: string;
  email?: string;
  password?: string;
  subaccounts?: Record<string, SeededAccount>;
  [key: string]: unknown;
}

/** What `POST /switchboard/v1/Sandboxes.json` answered. */
export interface SandboxData {
  sid: string;
  accounts: Record<string, SeededAccount>;
  connect_apps?: Record<string, { sid: string; owner: string; connect_url: string; [key: string]: unknown }>;
  authorizations?: Array<{ customer: string; connect_app: string; connect_app_sid: string; account_sid: string }>;
  phone_numbers?: Record<string, { sid: string; account_sid: string }>;
  [key: string]: unknown;
}

/** One request Switchboard made for a sandbox (`…/Webhooks.json`). */
export interface RecordedWebhook {
  /** 'deauthorize', 'incoming-message', 'message-status', 'call-status', … */
  kind: string;
  related_sid: string | null;
  account_sid: string;
  delivery_sid: string;
  attempt: number;
  method: string;
  url: string;
  parameters: Record<string, string>;
  /** `X-Twilio-Signature`, `I-Twilio-Idempotency-Token`. */
  request_headers: Record<string, string>;
  /** The response's status; null when none came (see `error`). */
  status: number | null;
  /** The first 64 KB of the response's body. */
  body: string | null;
  error: string | null;
  duration_ms: number | null;
  date_created: string;
  [key: string]: unknown;
}

export interface Credentials {
  accountSid: string;
  username: string;
  password: string;
}

/** A seeded name, an SID, or a twilio client (its own credentials and account). */
export type AccountRef = string | TwilioClient;

export class SwitchboardError extends Error {
  method: string;
  url: string;
  status: number;
  body: unknown;
  code?: number;
  moreInfo?: string;
}
/** A sandbox's clock, as `…/Clock.json` answers. */
export interface SandboxClock {
  sandbox_sid: string;
  /** Now in the sandbox (RFC 2822). */
  now: string;
  /** Whole seconds the sandbox runs ahead of real time. */
  offset: number;
  /** What the advance played: steps, renewals, webhook attempts. */
  played: number;
  url: string;
}

/** `…/Clock.json` answered 404: this Switchboard has no sandbox clock (an older server). */
export class ClockNotAvailable extends SwitchboardError {}
/** `POST /switchboard/v1/Sandboxes.json` answered 404: not in sandbox mode. */
export class NotInSandboxMode extends SwitchboardError {}

export interface StartOptions {
  /** Default: SWITCHBOARD_BIN, else `switchboard` on PATH. */
  binary?: string;
  /** Default: a new SQLite file in `workdir`. */
  databaseUrl?: string;
  /** Default 'instant'. */
  simSpeed?: string;
  /** Added to `switchboard serve --sandbox …`. */
  args?: string[];
  env?: Record<string, string>;
  /** Default: a new temporary directory, removed by stop(). */
  workdir?: string;
  timeoutMs?: number;
}

export interface RequestOptions {
  auth?: [string, string];
  form?: Array<[string, unknown]>;
  json?: unknown;
  query?: Record<string, unknown>;
  expect?: number[];
  notFound?: typeof SwitchboardError;
}

export class Switchboard {
  constructor(baseUrl: string);
  baseUrl: string;
  process: ChildProcess | null;
  readonly startedHere: boolean;
  static start(options?: StartOptions): Promise<Switchboard>;
  static connect(url: string, options?: { timeoutMs?: number }): Promise<Switchboard>;
  /** SWITCHBOARD_URL when set, else `start(options)`. */
  static fromEnv(options?: StartOptions): Promise<Switchboard>;
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Exit status of a server started here; null for one connected to. */
  stop(options?: { keepWorkdir?: boolean }): Promise<number | string | null>;
  logTail(lines?: number): string;
  createSandbox(seed: Seed, options?: { substitutions?: Record<string, string>; baseDir?: string }): Promise<Sandbox>;
  request<T = any>(method: string, pathOrUrl: string, options?: RequestOptions): Promise<T>;
}

export class Authorization {
  raw: Record<string, unknown>;
  redirectUrl: string;
  accountSid: string | null;
  readonly params: Record<string, string>;
}

export interface FaultOptions {
  /** HTTP status; with `code`, or neither for latency alone. */
  status?: number;
  code?: number;
  message?: string;
  count?: number;
  delayMs?: number;
}

export class Sandbox {
  switchboard: Switchboard;
  seed: SeedDocument;
  data: SandboxData;
  sid: string;
  deleted: boolean;
  readonly baseUrl: string;
  readonly accounts: Record<string, SeededAccount>;
  readonly connectApps: NonNullable<SandboxData['connect_apps']>;
  readonly phoneNumbers: NonNullable<SandboxData['phone_numbers']>;
  account(ref: string): SeededAccount;
  app(ref: string): { sid: string; connect_url: string; name: string; owner: string | null; [key: string]: unknown };
  credentials(ref: AccountRef): Credentials;
  /** An official twilio client for a seeded account, pointed at this Switchboard. */
  client(account: string): TwilioClient;
  /** The Connect App's client for one customer: the dedicated subaccount's SID with the app owner's auth token. */
  connectClient(app: string, customer: string): TwilioClient;
  refresh(): Promise<SandboxData>;
  reset(): Promise<this>;
  delete(): Promise<void>;
  authorize(app: string, customer: string, options?: {
    state?: string;
    decision?: 'authorize' | 'deny';
    permissions?: string[];
  }): Promise<Authorization>;
  revoke(app: string, customer: string): Promise<void>;
  inboundSms(to: string, from: string, body?: string, options?: { mediaUrls?: string[]; account?: AccountRef }): Promise<Record<string, any>>;
  webhooks(filters?: { kind?: string; relatedSid?: string; url?: string }): Promise<RecordedWebhook[]>;
  waitForWebhooks(count?: number, options?: { timeoutMs?: number; kind?: string; relatedSid?: string; url?: string }): Promise<RecordedWebhook[]>;
  fault(method: string, path: string, options?: FaultOptions): Promise<Record<string, any>>;
  faults(): Promise<Array<Record<string, any>>>;
  clearFaults(): Promise<void>;
  messageOutcome(account: AccountRef, messageSid: string, status: 'undelivered' | 'failed', options?: { errorCode?: number }): Promise<Record<string, any>>;
  callOutcome(account: AccountRef, callSid: string, status: 'busy' | 'no-answer' | 'failed' | 'canceled', options?: { errorCode?: number }): Promise<Record<string, any>>;
  /**
   * Moves the sandbox's clock on (whole seconds, or '30d', '2h', '90m', '45s')
   * and plays what falls due on the way. Rejects with ClockNotAvailable on a
   * Switchboard without the sandbox clock.
   */
  advance(by: string | number): Promise<SandboxClock>;
  now(): Promise<string>;
}

export interface WebhookRequest {
  method: string;
  /** As the sender addressed it: scheme, host, port, path and query. */
  url: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  signature: string | undefined;
  /** What the sender signed besides the URL: the form for POST, nothing for GET. */
  params: Record<string, string>;
}

export interface Answer {
  body: string;
  contentType?: string;
  status?: number;
}

export const EMPTY_TWIML: string;

export class WebhookReceiver {
  static start(host?: string): Promise<WebhookReceiver>;
  requests: WebhookRequest[];
  readonly baseUrl: string;
  url(path?: string): string;
  answer(path: string, body: string | ((request: WebhookRequest) => Answer), options?: { contentType?: string; status?: number }): void;
  twiml(path: string, twiml: string): void;
  received(path?: string): WebhookRequest[];
  waitFor(count?: number, options?: { path?: string; timeoutMs?: number }): Promise<WebhookRequest[]>;
  static isSigned(request: WebhookRequest, authToken: string): boolean;
  clear(): void;
  close(): Promise<void>;
}

export class SwitchboardRequestClient extends twilio.RequestClient {
  constructor(baseUrl: string, options?: ConstructorParameters<typeof twilio.RequestClient>[0]);
  rewrite(uri: string): string;
}

export function makeClient(baseUrl: string, username: string, password: string, accountSid?: string): TwilioClient;
export function findBinary(binary?: string): string;
export function loadSeed(seed: Seed, baseDir?: string): SeedDocument;
