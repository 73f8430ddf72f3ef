'use strict';
// Harness for the Node suite: a real Switchboard on a fresh database, main
// accounts made with the CLI, and official twilio SDK clients whose every
// response is recorded (raw text and all) to a JSONL file. The recorded
// responses are checked against Twilio's OpenAPI document by the shared
// Python validator (tests/sdk/python/sdkharness), from each test file's
// `after` hook and again by run.sh.

const { AsyncLocalStorage } = require('node:async_hooks');
const { spawn, execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const twilio = require('twilio');

const SDK_DIR = path.resolve(__dirname, '..', '..');
const REPO_ROOT = path.resolve(SDK_DIR, '..', '..');
const BACKEND = process.env.SDK_BACKEND || 'sqlite';
const LISTENING = /^Switchboard listening on (http:\/\/127\.0\.0\.1:\d+)$/;

// Never let the SDK rewrite hostnames for a region or an edge.
delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

function binary() {
  const bin = process.env.SWITCHBOARD_BIN || path.join(REPO_ROOT, 'target', 'debug', 'switchboard');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`switchboard binary not found at ${bin}: build it or set SWITCHBOARD_BIN`);
  }
  return bin;
}

function psql(url, sql) {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function hex(n) {
  return crypto.randomBytes(n).toString('hex');
}

// ---------------------------------------------------------------------------
// Recording every response

const recordDir = process.env.SDK_RECORD_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-node-'));
fs.mkdirSync(recordDir, { recursive: true });
const recordFile = path.join(recordDir, `node-${BACKEND}-${process.pid}.jsonl`);
const captured = new AsyncLocalStorage();

const recorder = {
  file: recordFile,
  context: '',
  exchanges: [],
  record(entry) {
    const e = { context: this.context, ...entry };
    this.exchanges.push(e);
    // Synchronous, so that nothing is lost if the process dies.
    fs.appendFileSync(recordFile, JSON.stringify(e) + '\n');
  },
};

/**
 * The SDK's own RequestClient, unchanged: every request goes out through
 * its axios pipeline as usual. A request interceptor puts a first
 * transformResponse step in front of axios' own to keep the raw text (the
 * SDK still gets what axios parsed); the response is recorded after.
 */
class RecordingRequestClient extends twilio.RequestClient {
  constructor(opts) {
    super(opts);
    const axios = this.axios;
    axios.interceptors.request.use((config) => {
      const store = captured.getStore();
      if (store) {
        store.url = axios.getUri(config);
        const rest = [].concat(config.transformResponse || []);
        config.transformResponse = [
          function keepRaw(data) {
            store.raw = data;
            return data;
          },
          ...rest,
        ];
      }
      return config;
    });
  }

  async request(opts) {
    const store = {};
    const response = await captured.run(store, () => super.request(opts));
    const headers = response.headers || {};
    const contentType = typeof headers.get === 'function' ? headers.get('content-type') : headers['content-type'];
    let raw = store.raw;
    const rawCaptured = typeof raw === 'string';
    if (!rawCaptured) raw = response.body === undefined ? '' : JSON.stringify(response.body);
    recorder.record({
      method: String(opts.method).toUpperCase(),
      url: store.url || opts.uri,
      request_body: opts.data || null,
      status: response.statusCode,
      content_type: contentType == null ? null : String(contentType),
      body: raw,
      raw_captured: rawCaptured,
    });
    return response;
  }
}

function pythonBin() {
  if (process.env.SDK_PYTHON) return process.env.SDK_PYTHON;
  const venv = path.join(SDK_DIR, 'python', '.venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

/** Runs the shared validator on what this process recorded; throws with
 *  its report when any response breaks Twilio's document. */
function validateRecorded(label) {
  if (!fs.existsSync(recordFile)) throw new Error(`nothing was recorded to ${recordFile}`);
  const res = spawnSync(pythonBin(), ['-m', 'sdkharness.validate_jsonl', '--quiet', '--label', label, recordFile], {
    cwd: path.join(SDK_DIR, 'python'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (res.error) throw res.error;
  if (res.status !== 0) {
    throw new Error(`responses do not match Twilio's OpenAPI document:\n${res.stdout}\n${res.stderr}`);
  }
  return res.stdout;
}

// ---------------------------------------------------------------------------
// The server

class Server {
  constructor() {
    this.bin = binary();
    this.workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-node-'));
    this.schema = null;
    if (BACKEND === 'sqlite') {
      this.dbUrl = `sqlite://${path.join(this.workdir, 'switchboard.db')}`;
    } else if (BACKEND === 'postgres') {
      const base = process.env.SWITCHBOARD_TEST_POSTGRES_URL;
      if (!base) throw new Error('SDK_BACKEND=postgres needs SWITCHBOARD_TEST_POSTGRES_URL');
      this.adminUrl = base;
      this.schema = `sdk_node_${hex(6)}`;
      psql(base, `CREATE SCHEMA ${this.schema}`);
      this.dbUrl = `${base}${base.includes('?') ? '&' : '?'}options=-csearch_path%3D${this.schema}`;
    } else {
      throw new Error(`unknown SDK_BACKEND ${BACKEND}`);
    }
    this.logPath = path.join(this.workdir, 'server.log');
  }

  async start() {
    const log = fs.openSync(this.logPath, 'w');
    this.proc = spawn(
      this.bin,
      ['serve', '--listen', '127.0.0.1:0', '--database-url', this.dbUrl, '--public-url', 'http://127.0.0.1',
        // Callbacks go to receivers on this machine, and retries come fast.
        '--allow-private-callbacks', '--callback-retry-base', '200ms',
        // Simulated calls and messages finish at once.
        '--sim-speed', 'instant'],
      { stdio: ['ignore', 'pipe', log] },
    );
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    const lines = readline.createInterface({ input: this.proc.stdout });
    const first = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('switchboard serve did not print its first line within 60s')), 60000);
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
      this.exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`switchboard serve exited (${code}) before announcing itself:\n${this.logTail()}`));
      });
    });
    // Keep draining stdout.
    lines.on('line', () => {});
    const m = LISTENING.exec(first);
    if (!m) {
      await this.stop(false);
      throw new Error(`unexpected first line from switchboard serve: ${JSON.stringify(first)}`);
    }
    this.baseUrl = m[1];
    return this.baseUrl;
  }

  logTail(n = 40) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-n).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM; the server must stop by itself, with status 0. */
  async stop(check = true) {
    try {
      if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
        this.proc.kill('SIGTERM');
        const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 15000).unref());
        const res = await Promise.race([this.exited, timeout]);
        if (res === 'timeout') {
          this.proc.kill('SIGKILL');
          await this.exited;
          if (check) throw new Error('switchboard did not stop within 15s of SIGTERM');
        } else if (check && res.code !== 0) {
          throw new Error(`switchboard exited with ${res.code ?? res.signal} after SIGTERM:\n${this.logTail()}`);
        }
      }
    } finally {
      if (this.schema) {
        psql(this.adminUrl, `DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
        this.schema = null;
      }
    }
  }

  /** A history of finished calls and messages, with the CLI. */
  seed(account, { calls = 0, messages = 0 } = {}) {
    execFileSync(this.bin, ['seed', '--database-url', this.dbUrl, '--account', account,
      '--calls', String(calls), '--messages', String(messages), '--quiet'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  createMainAccount(friendlyName, { full = true } = {}) {
    const email = `sdk-node-${hex(6)}@example.com`;
    const password = `correct-horse-${hex(4)}`;
    const args = ['accounts', 'create', '--database-url', this.dbUrl, '--email', email,
      '--password', password, '--friendly-name', friendlyName, '--json'];
    if (full) args.push('--full');
    const out = execFileSync(this.bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const account = JSON.parse(out);
    for (const key of ['sid', 'auth_token', 'type', 'status', 'friendly_name']) {
      if (!(key in account)) throw new Error(`accounts create --json lacks ${key}: ${out}`);
    }
    // What its console user signs in with, for tests that use the web pages.
    return { ...account, email, password };
  }

  /** An official SDK client for these credentials, pointed at Switchboard
   *  only by its base URLs. */
  // With an API key: `sid` and `token` are the key's SID and secret, and
  // `accountSid` the account it acts on (twilio(key, secret, { accountSid })).
  client(sid, token, accountSid) {
    const options = { httpClient: new RecordingRequestClient() };
    if (accountSid) options.accountSid = accountSid;
    const client = twilio(sid, token, options);
    client.api.baseUrl = this.baseUrl;
    client.accounts.baseUrl = this.baseUrl;
    // Messaging Services (`/v1/Services`) live on the messaging host.
    client.messaging.baseUrl = this.baseUrl;
    return client;
  }
}

/**
 * Registers the usual hooks on node:test for one file: start a server (and
 * run `setup(server)`, e.g. to populate it) before, name each test's
 * exchanges, then stop the server and check every recorded response after.
 * (One before hook for both: root-level before hooks of a file are not
 * guaranteed to run one after the other on Node 20.)
 */
function useServer(t, label, setup) {
  const state = { server: null };
  t.before(async () => {
    state.server = new Server();
    await state.server.start();
    if (setup) await setup(state.server, state);
  });
  t.beforeEach((ctx) => {
    recorder.context = `${label} > ${ctx && ctx.name ? ctx.name : ''}`;
  });
  t.after(async () => {
    if (state.server) await state.server.stop(true);
    validateRecorded(`node ${label} (${BACKEND})`);
  });
  return state;
}

module.exports = { BACKEND, RecordingRequestClient, Server, recorder, useServer, validateRecorded };
