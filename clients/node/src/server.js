import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

import { NotInSandboxMode, SwitchboardError } from './errors.js';
import { loadSeed, substitute } from './seed.js';
import { Sandbox } from './sandbox.js';

const LISTENING = /^Switchboard listening on (http:\/\/\S+)$/;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** The switchboard binary: the argument, else SWITCHBOARD_BIN, else `switchboard` on PATH. */
export function findBinary(binary) {
  const candidate = binary || process.env.SWITCHBOARD_BIN;
  if (candidate) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
    } catch {
      throw new Error(`no executable switchboard binary at ${candidate} (SWITCHBOARD_BIN)`);
    }
    return candidate;
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, 'switchboard');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw new Error('no switchboard binary: set SWITCHBOARD_BIN to its path, put `switchboard` on PATH, '
    + 'or set SWITCHBOARD_URL to a Switchboard already running in sandbox mode');
}

function basic([user, pass]) {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/**
 * One Switchboard in sandbox mode, and the sandboxes made on it:
 * `Switchboard.start()` runs the binary, `Switchboard.connect(url)` uses one
 * that is already running.
 */
export class Switchboard {
  constructor(baseUrl, { process: child = null, workdir = null, logPath = null, ownsWorkdir = false } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.process = child;
    this.workdir = workdir;
    this.logPath = logPath;
    this.ownsWorkdir = ownsWorkdir;
  }

  /**
   * Starts `switchboard serve --sandbox` on 127.0.0.1 and a free port, on a
   * new SQLite file (or `databaseUrl`), with the instant clock and private
   * callbacks allowed; `args` are added to its command line.
   */
  static async start({ binary, databaseUrl, simSpeed = 'instant', args = [], env = {}, workdir, timeoutMs = START_TIMEOUT_MS } = {}) {
    const bin = findBinary(binary);
    const ownsWorkdir = !workdir;
    const dir = workdir || fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-sandbox-'));
    fs.mkdirSync(dir, { recursive: true });
    const dbUrl = databaseUrl || `sqlite://${path.resolve(dir, 'switchboard.db')}`;
    const logPath = path.join(dir, 'switchboard.log');
    const log = fs.openSync(logPath, 'w');
    const command = ['serve', '--sandbox', '--listen', '127.0.0.1:0', '--database-url', dbUrl,
      // Webhooks go to receivers on this machine, and retries come fast.
      '--allow-private-callbacks', '--callback-retry-base', '200ms',
      '--sim-speed', simSpeed, ...args];
    const childEnv = { ...process.env, ...env };
    for (const v of ['SWITCHBOARD_URL', 'SWITCHBOARD_LISTEN', 'SWITCHBOARD_PUBLIC_URL']) if (!(v in env)) delete childEnv[v];
    const child = spawn(bin, command, { stdio: ['ignore', 'pipe', log], env: childEnv });
    fs.closeSync(log);
    const server = new Switchboard('http://127.0.0.1', { process: child, workdir: dir, logPath, ownsWorkdir });
    server.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const lines = readline.createInterface({ input: child.stdout });
    let first;
    try {
      first = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`switchboard did not announce itself within ${timeoutMs} ms`)), timeoutMs);
        lines.once('line', (line) => { clearTimeout(timer); resolve(line); });
        child.once('error', (e) => { clearTimeout(timer); reject(e); });
        server.exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`switchboard exited (${code ?? signal}) before announcing itself`));
        });
      });
    } catch (e) {
      await server.stop({ keepWorkdir: true });
      const tail = server.logTail();
      await server.stop();
      throw new Error(`\`${bin} ${command.join(' ')}\`: ${e.message}; its log says:\n${tail}`);
    }
    lines.on('line', () => {}); // keep draining its standard output
    const m = LISTENING.exec(first.trim());
    if (!m) {
      await server.stop({ keepWorkdir: true });
      const tail = server.logTail();
      await server.stop();
      throw new Error(`unexpected first line from switchboard: ${JSON.stringify(first)}\n${tail}`);
    }
    server.baseUrl = m[1].replace(/\/$/, '');
    try {
      await server.waitUntilHealthy(timeoutMs);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** A Switchboard that is already running in sandbox mode. */
  static async connect(url, { timeoutMs = 30_000 } = {}) {
    const server = new Switchboard(url);
    await server.waitUntilHealthy(timeoutMs);
    return server;
  }

  /** SWITCHBOARD_URL when set, else a new server from the binary. */
  static async fromEnv(startOptions = {}) {
    const url = process.env.SWITCHBOARD_URL;
    return url ? Switchboard.connect(url) : Switchboard.start(startOptions);
  }

  get startedHere() {
    return this.process !== null;
  }

  /** Polls `GET /healthz` until it answers 200. */
  async waitUntilHealthy(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      if (this.process && this.process.exitCode !== null) {
        throw new Error(`switchboard exited with status ${this.process.exitCode}:\n${this.logTail()}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/healthz`);
        await res.arrayBuffer();
        if (res.status === 200) return;
        last = `status ${res.status}`;
      } catch (e) {
        last = e.message;
      }
      if (Date.now() > deadline) throw new Error(`Switchboard at ${this.baseUrl} is not healthy after ${timeoutMs} ms: ${last}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Stops a server this object started (SIGTERM, SIGKILL after 15 s) and
   * returns its exit status; one it connected to is left running (null).
   */
  async stop({ keepWorkdir = false } = {}) {
    const child = this.process;
    if (!child) return null;
    let res = { code: child.exitCode, signal: child.signalCode };
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = new Promise((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref());
      res = await Promise.race([this.exited, timeout]);
      if (res === 'timeout') {
        child.kill('SIGKILL');
        res = await this.exited;
      }
    }
    if (this.ownsWorkdir && this.workdir && !keepWorkdir) {
      fs.rmSync(this.workdir, { recursive: true, force: true });
      this.ownsWorkdir = false;
    }
    return res.code ?? res.signal;
  }

  logTail(n = 40) {
    if (!this.logPath) return '';
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-n).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * A new sandbox from a seed (an object, or a JSON file path). In its
   * strings, each `{name}` of `substitutions` is replaced by its value.
   */
  async createSandbox(seed, { substitutions, baseDir } = {}) {
    let document = loadSeed(seed, baseDir);
    if (substitutions) document = substitute(document, substitutions);
    const data = await this.request('POST', '/switchboard/v1/Sandboxes.json', {
      json: document, expect: [201], notFound: NotInSandboxMode,
    });
    return new Sandbox(this, document, data);
  }

  /**
   * One request to Switchboard: the JSON answer (null for an empty body).
   * A status not in `expect` throws a SwitchboardError (or `notFound` for 404).
   */
  async request(method, pathOrUrl, { auth, form, json, query, expect = [200], notFound } = {}) {
    const url = new URL(pathOrUrl.startsWith('http') ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`);
    for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null) url.searchParams.append(k, String(v));
    const headers = { Accept: 'application/json' };
    if (auth) headers.Authorization = basic(auth);
    let body;
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) {
      body = new URLSearchParams(form.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
    }
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    let parsed = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!expect.includes(res.status)) {
      const Err = res.status === 404 && notFound ? notFound : SwitchboardError;
      throw new Err(method, url.href, res.status, parsed);
    }
    return parsed;
  }
}

