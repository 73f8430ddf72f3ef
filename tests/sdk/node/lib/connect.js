'use strict';
// Connect as a test drives it: an app owner registers a Connect App over the
// API, a customer approves it on the consent page the way a browser does (plain
// HTTP with a cookie, no JavaScript), and a local receiver catches callbacks.

const assert = require('node:assert/strict');
const http = require('node:http');

const CSRF = /name="csrf_token" value="([^"]+)"/;
// The consent form sends back the permissions its page showed, as a browser
// sends every hidden field: the grant holds exactly those.
const SHOWN = /name="permissions" value="([^"]*)"/;
const REDIRECT = 'https://app.example.com/twilio/authorize';
const HIDDEN = /<input type="hidden" name="([^"]+)" value="([^"]*)">/g;

/** What the page escaped in an attribute, back as the browser reads it. */
function unescapeHtml(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|quot|amp|lt|gt|apos);/gi, (_, e) => {
    const named = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }[e.toLowerCase()];
    if (named) return named;
    return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

function basicAuth(sid, token) {
  return `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
}

/** A Connect App of `owner` (an extension: Twilio only does this in its console). */
async function createApp(baseUrl, owner, {
  permissions, deauthorizeUrl, method = 'POST', name = 'Call Analytics', authorizeUrl = REDIRECT,
}) {
  const form = new URLSearchParams([
    ['FriendlyName', name], ['CompanyName', 'Rossum Telecom'], ['AuthorizeRedirectUrl', authorizeUrl],
    ...permissions.map((p) => ['Permissions', p]),
  ]);
  if (deauthorizeUrl) {
    form.append('DeauthorizeCallbackUrl', deauthorizeUrl);
    form.append('DeauthorizeCallbackMethod', method);
  }
  const res = await fetch(`${baseUrl}/2010-04-01/Accounts/${owner.sid}/ConnectApps.json`, {
    method: 'POST', body: form, headers: { Authorization: basicAuth(owner.sid, owner.auth_token) },
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body;
}

/** A customer's browser: signs in, then decides on consent pages. */
class Customer {
  constructor(baseUrl, account) {
    this.base = baseUrl;
    this.account = account;
    this.cookies = new Map();
  }

  async request(path, init = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.base}${path}`, {
      ...init, redirect: 'manual', headers: { ...(init.headers || {}), ...(cookie ? { Cookie: cookie } : {}) },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res;
  }

  async signIn() {
    const page = await (await this.request('/signin')).text();
    const res = await this.request('/signin', {
      method: 'POST',
      body: new URLSearchParams({
        csrf_token: CSRF.exec(page)[1], next: '/console', email: this.account.email, password: this.account.password,
      }),
    });
    assert.ok([302, 303].includes(res.status), `sign-in answered ${res.status}`);
    return this;
  }

  /** Opens the Connect link, presses the button, returns the redirect's query. */
  async decide(appSid, decision, state = 'xyz') {
    const page = await this.request(`/authorize/${appSid}?${new URLSearchParams({ state })}`);
    const html = await page.text();
    assert.equal(page.status, 200, html.slice(0, 300));
    const res = await this.request(`/authorize/${appSid}`, {
      method: 'POST',
      body: new URLSearchParams({ csrf_token: CSRF.exec(html)[1], permissions: SHOWN.exec(html)[1], state, decision }),
    });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location'));
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    return Object.fromEntries(location.searchParams);
  }

  /**
   * Opens a Connect link as the app made it (a path with any query), presses
   * the button sending back every hidden field of the form as a browser
   * does, and returns where the redirect sends the browser.
   */
  async follow(link, decision) {
    const page = await this.request(link);
    const html = await page.text();
    assert.equal(page.status, 200, html.slice(0, 300));
    const form = new URLSearchParams([...html.matchAll(HIDDEN)].map(([, k, v]) => [k, unescapeHtml(v)]));
    form.append('decision', decision);
    const appSid = new URL(link, this.base).pathname.split('/').pop();
    const res = await this.request(`/authorize/${appSid}`, { method: 'POST', body: form });
    assert.equal(res.status, 302);
    return res.headers.get('location');
  }

  async authorize(appSid) {
    return (await this.decide(appSid, 'authorize')).AccountSid;
  }
}

/**
 * An HTTP server on 127.0.0.1 that records every request and answers 200:
 * with an empty body, or with what `answer` scripted for the request's path.
 */
class Receiver {
  constructor() {
    this.hits = [];
    this.answers = new Map(); // path (without the query) -> { body, contentType }
    this.delays = new Map(); // path (without the query) -> ms to wait before answering
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        this.hits.push({
          method: req.method,
          url: `http://${req.headers.host}${req.url}`,
          form: Object.fromEntries(new URLSearchParams(body)),
          headers: req.headers,
        });
        const path = new URL(req.url, 'http://receiver').pathname;
        const scripted = this.answers.get(path);
        setTimeout(() => {
          if (!scripted) {
            res.end();
            return;
          }
          res.writeHead(200, {
            'Content-Type': scripted.contentType,
            'Content-Length': Buffer.byteLength(scripted.body),
          });
          res.end(scripted.body);
        }, this.delays.get(path) || 0);
      });
    });
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path) {
    return `http://127.0.0.1:${this.server.address().port}${path}`;
  }

  /** From now on, requests for `path` (any query) get 200 with this body and Content-Type (TwiML, say). */
  answer(path, body, contentType = 'application/xml') {
    this.answers.set(path, { body, contentType });
  }

  /** From now on, requests for `path` are answered `ms` late (to queue a call's input before its <Gather> runs, say). */
  delay(path, ms) {
    this.delays.set(path, ms);
  }

  async waitFor(n, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    while (this.hits.length < n) {
      assert.ok(Date.now() < deadline, `${this.hits.length} of ${n} callbacks arrived`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.hits;
  }

  close() {
    this.server.close();
  }
}

module.exports = { Customer, Receiver, basicAuth, createApp };
