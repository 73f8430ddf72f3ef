import { ClockNotAvailable, SwitchboardError } from './errors.js';
import { makeClient } from './twilio.js';

const isSid = (value, prefix) => typeof value === 'string' && value.length === 34 && value.startsWith(prefix);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What headless consent answered. */
export class Authorization {
  constructor(raw) {
    this.raw = raw;
    /** The URL the customer's browser would be sent to. */
    this.redirectUrl = raw.redirect_url;
    /** The dedicated subaccount (null when denied). */
    this.accountSid = raw.account_sid ?? null;
  }

  /** The redirect URL's query: `AccountSid` and `state`, or `error=unauthorized_client`. */
  get params() {
    return Object.fromEntries(new URL(this.redirectUrl).searchParams);
  }
}

/**
 * A sandbox on a Switchboard: its seed, what creating it answered (`data`),
 * and helpers for its accounts, apps and controls. Names are the seed's;
 * SIDs work wherever a name does.
 */
export class Sandbox {
  constructor(switchboard, seed, data) {
    this.switchboard = switchboard;
    this.seed = seed;
    this.data = data;
    this.sid = data.sid;
    this.deleted = false;
    /** `${ConnectAppSid} ${customer AccountSid}` -> dedicated subaccount SID, for consent given after the seed. */
    this.granted = new Map();
  }

  get baseUrl() { return this.switchboard.baseUrl; }

  /** The seeded main accounts by name: sid, auth_token, email, password, subaccounts. */
  get accounts() { return this.data.accounts || {}; }

  /** The seeded Connect Apps by name: sid, connect_url. */
  get connectApps() { return this.data.connect_apps || {}; }

  /** The seeded phone numbers by number: sid, account_sid. */
  get phoneNumbers() { return this.data.phone_numbers || {}; }

  * allAccounts() {
    for (const [name, acct] of Object.entries(this.accounts)) {
      yield [name, acct];
      for (const [sub, s] of Object.entries(acct.subaccounts || {})) yield [`${name}/${sub}`, s];
    }
  }

  /** A seeded account by name (a subaccount by its own name when unique, or as "parent/sub") or SID. */
  account(ref) {
    const all = [...this.allAccounts()];
    const exact = all.find(([name, a]) => ref === name || ref === a.sid);
    if (exact) return exact[1];
    const short = all.filter(([name]) => name.split('/').pop() === ref);
    if (short.length === 1) return short[0][1];
    if (short.length > 1) throw new Error(`'${ref}' names several subaccounts; say which, as 'parent/${ref}'`);
    throw new Error(`no account '${ref}' in sandbox ${this.sid} (seeded: ${all.map(([n]) => n).join(', ') || 'none'})`);
  }

  /** A seeded Connect App by name or SID, with `name` and `owner` (its owner's name in the seed). */
  app(ref) {
    for (const [name, app] of Object.entries(this.connectApps)) {
      if (ref === name || ref === app.sid) return { ...app, name, owner: app.owner || this.appOwner(name) };
    }
    throw new Error(`no Connect App '${ref}' in sandbox ${this.sid} (seeded: ${Object.keys(this.connectApps).join(', ') || 'none'})`);
  }

  appOwner(appName) {
    for (const [owner, acct] of Object.entries(this.seed.accounts || {})) {
      if (acct.connect_apps && appName in acct.connect_apps) return owner;
    }
    return null;
  }

  grants() {
    const grants = new Map();
    for (const a of this.data.authorizations || []) {
      const appSid = a.connect_app_sid || this.app(a.connect_app).sid;
      grants.set(`${appSid} ${this.account(a.customer).sid}`, a.account_sid);
    }
    for (const [k, v] of this.granted) grants.set(k, v);
    return grants;
  }

  mainCredentials() {
    const first = Object.values(this.accounts)[0];
    if (!first) throw new Error(`sandbox ${this.sid} has no main account`);
    return [first.sid, first.auth_token];
  }

  /**
   * Credentials for an account: a seeded name or SID, a dedicated subaccount
   * (its customer's credentials), or a twilio client (its own):
   * `{ accountSid, username, password }`.
   */
  credentials(ref) {
    if (ref && typeof ref === 'object') {
      if ('username' in ref && 'password' in ref && 'accountSid' in ref) {
        return { accountSid: ref.accountSid, username: ref.username, password: ref.password };
      }
      throw new TypeError('an account is a name, an SID or a twilio client');
    }
    try {
      const a = this.account(ref);
      return { accountSid: a.sid, username: a.sid, password: a.auth_token };
    } catch (e) {
      if (!isSid(ref, 'AC')) throw e;
    }
    for (const [key, sub] of this.grants()) {
      if (sub === ref) {
        const parent = this.account(key.split(' ')[1]);
        return { accountSid: ref, username: parent.sid, password: parent.auth_token };
      }
    }
    throw new Error(`account ${ref} is not one of sandbox ${this.sid}'s seeded or authorized accounts`);
  }

  /** An official twilio client for a seeded account (name or SID), pointed at this Switchboard. */
  client(account) {
    const a = this.account(account);
    return makeClient(this.baseUrl, a.sid, a.auth_token);
  }

  /**
   * The Connect App's client for one customer, as the app makes it: HTTP
   * Basic with the customer's dedicated subaccount SID and the app owner's
   * auth token. The customer must have authorized the app (in the seed, or
   * with `authorize`).
   */
  connectClient(app, customer) {
    const info = this.app(app);
    const cust = this.account(customer);
    const sub = this.grants().get(`${info.sid} ${cust.sid}`);
    if (!sub) {
      throw new Error(`'${customer}' has not authorized '${app}' in sandbox ${this.sid}: seed an authorization `
        + `or call sandbox.authorize('${app}', '${customer}') first`);
    }
    if (!info.owner) throw new Error(`the owner of Connect App '${app}' is not in the seed`);
    const owner = this.account(info.owner);
    return makeClient(this.baseUrl, sub, owner.auth_token);
  }

  control(method, tail, opts = {}) {
    return this.switchboard.request(method, `/switchboard/v1/Sandboxes/${this.sid}${tail}`, {
      auth: this.mainCredentials(), ...opts,
    });
  }

  /** `GET …/Sandboxes/{Sid}.json` (kept as `data` when it lists the accounts). */
  async refresh() {
    const data = await this.control('GET', '.json');
    if (data && data.accounts) {
      this.data = data;
    }
    return data;
  }

  /** Back to the seed state: same SIDs and tokens, everything since gone, recorded webhooks cleared. */
  async reset() {
    const data = await this.control('POST', '/Reset.json');
    if (data && data.sid) this.data = data;
    this.granted.clear();
    return this;
  }

  /** Removes the sandbox and all its data; its credentials stop working. */
  async delete() {
    if (this.deleted) return;
    try {
      await this.control('DELETE', '.json', { expect: [200, 204] });
    } catch (e) {
      if (!(e instanceof SwitchboardError && e.status === 404)) throw e;
    }
    this.deleted = true;
  }

  /**
   * Headless consent: the customer (a seeded main account) presses Authorize
   * (or `decision: 'deny'`) on the app's consent page. `permissions` default
   * to what the app asks for now.
   */
  async authorize(app, customer, { state, decision = 'authorize', permissions } = {}) {
    const appSid = this.app(app).sid;
    const cust = this.account(customer);
    const form = [['ConnectAppSid', appSid], ['Customer', cust.sid], ['Decision', decision], ['State', state]];
    for (const p of permissions || []) form.push(['Permissions', p]);
    const raw = await this.control('POST', '/Authorizations.json', { form });
    const result = new Authorization(raw);
    if (decision === 'authorize' && result.accountSid) this.granted.set(`${appSid} ${cust.sid}`, result.accountSid);
    return result;
  }

  /** The customer revokes the app (their `DELETE …/AuthorizedConnectApps/{CN}.json`). */
  async revoke(app, customer) {
    const appSid = this.app(app).sid;
    const cust = this.account(customer);
    await this.switchboard.request('DELETE', `/2010-04-01/Accounts/${cust.sid}/AuthorizedConnectApps/${appSid}.json`, {
      auth: [cust.sid, cust.auth_token], expect: [204],
    });
  }

  /**
   * A handset texts one of the sandbox's numbers; resolves to the message
   * (Twilio's Message JSON). The number's account is found by itself; pass
   * `account` (name, SID or twilio client) to say it.
   */
  async inboundSms(to, from, body, { mediaUrls = [], account } = {}) {
    const creds = account !== undefined ? this.credentials(account) : await this.numberOwner(to);
    const form = [['From', from], ['To', to], ['Body', body], ...mediaUrls.map((u) => ['MediaUrl', u])];
    return this.switchboard.request('POST', `/switchboard/v1/Accounts/${creds.accountSid}/InboundMessages.json`, {
      auth: [creds.username, creds.password], form, expect: [201],
    });
  }

  async numberOwner(number) {
    const seeded = this.phoneNumbers[number];
    if (seeded) return this.credentials(seeded.account_sid);
    for (const acct of Object.values(this.accounts)) {
      const auth = [acct.sid, acct.auth_token];
      // Twilio's Accounts.json: the main account and its subaccounts.
      const listing = await this.switchboard.request('GET', '/2010-04-01/Accounts.json', { auth, query: { PageSize: 1000 } });
      const sids = [acct.sid, ...(listing.accounts || []).map((a) => a.sid).filter((s) => s !== acct.sid)];
      for (const sid of sids) {
        const page = await this.switchboard.request('GET', `/2010-04-01/Accounts/${sid}/IncomingPhoneNumbers.json`, {
          auth, query: { PhoneNumber: number },
        });
        if ((page.incoming_phone_numbers || []).some((n) => n.phone_number === number)) {
          return { accountSid: sid, username: auth[0], password: auth[1] };
        }
      }
    }
    throw new Error(`no account of sandbox ${this.sid} has the number ${number}`);
  }

  /**
   * Every HTTP request Switchboard made for this sandbox, oldest first (all
   * pages), optionally filtered by `kind`, `relatedSid`, `url`.
   */
  async webhooks({ kind, relatedSid, url } = {}) {
    const found = [];
    let page = await this.control('GET', '/Webhooks.json', {
      query: { PageSize: 1000, Kind: kind, RelatedSid: relatedSid, Url: url },
    });
    for (;;) {
      found.push(...(page.webhooks || []));
      if (!page.next_page_uri) return found;
      page = await this.switchboard.request('GET', page.next_page_uri, { auth: this.mainCredentials() });
    }
  }

  /** `webhooks(filters)` once at least `count` are recorded; rejects after `timeoutMs`. */
  async waitForWebhooks(count = 1, { timeoutMs = 5000, ...filters } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.webhooks(filters);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(`${found.length} of ${count} webhook(s) ${JSON.stringify(filters)} recorded in sandbox `
          + `${this.sid} after ${timeoutMs} ms: ${JSON.stringify(found.map((w) => [w.kind, w.url]))}`);
      }
      await sleep(20);
    }
  }

  /**
   * The next `count` (default 1) API requests made with the sandbox's
   * credentials that match `method` and `path` (a pattern such as
   * `/2010-04-01/Accounts/*\/Messages.json`) fail with `status` and Twilio
   * error `code`, after `delayMs`.
   */
  fault(method, path, { status, code, message, count, delayMs } = {}) {
    return this.control('POST', '/Faults.json', {
      form: [['Method', method], ['Path', path], ['Status', status], ['Code', code], ['Message', message],
        ['Count', count], ['DelayMs', delayMs]],
      expect: [200, 201],
    });
  }

  /** The active fault rules. */
  async faults() {
    const page = await this.control('GET', '/Faults.json');
    return Array.isArray(page) ? page : (page.faults || []);
  }

  async clearFaults() {
    await this.control('DELETE', '/Faults.json', { expect: [200, 204] });
  }

  /** Forces how a message still in flight ends (`undelivered`, `failed`). */
  messageOutcome(account, messageSid, status, { errorCode } = {}) {
    return this.outcome(account, 'Messages', messageSid, status, errorCode);
  }

  /** Forces how a call still in flight ends (`busy`, `no-answer`, `failed`, `canceled`). */
  callOutcome(account, callSid, status, { errorCode } = {}) {
    return this.outcome(account, 'Calls', callSid, status, errorCode);
  }

  outcome(account, kind, sid, status, errorCode) {
    const creds = this.credentials(account);
    return this.switchboard.request('POST', `/switchboard/v1/Accounts/${creds.accountSid}/${kind}/${sid}/Outcome.json`, {
      auth: [creds.username, creds.password], form: [['Status', status], ['ErrorCode', errorCode]], expect: [200, 201],
    });
  }

  /**
   * Moves the sandbox's clock forward by `by` (whole seconds, or '30d',
   * '2h', '90m', '45s', '1d12h') and plays, in order, everything of the
   * sandbox that falls due on the way: calls' and messages' steps with their
   * status callbacks, webhook retries, numbers' monthly rent. Resolves once
   * all of it is done, with the clock (`now`, `offset` in seconds, `played`).
   * Rejects with ClockNotAvailable on a Switchboard without the clock.
   */
  async advance(by) {
    if (typeof by === 'number' && !Number.isInteger(by)) {
      throw new RangeError(`advance() takes whole seconds, not ${by}`);
    }
    try {
      return await this.control('POST', '/Clock.json', { form: [['Advance', by]], notFound: ClockNotAvailable });
    } catch (e) {
      if (e instanceof ClockNotAvailable) await this.control('GET', '.json'); // a sandbox that is gone says so
      throw e;
    }
  }

  /** The sandbox clock's `now` (RFC 2822, as Twilio writes dates; `new Date(now)` reads it). */
  async now() {
    try {
      return (await this.control('GET', '/Clock.json', { notFound: ClockNotAvailable })).now;
    } catch (e) {
      if (e instanceof ClockNotAvailable) await this.control('GET', '.json');
      throw e;
    }
  }
}
