import http from 'node:http';
import twilio from 'twilio';

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * An HTTP server on 127.0.0.1 and a free port that records every request
 * and answers it: with empty TwiML by default, or with what `answer` /
 * `twiml` set for its path. Create it with `await WebhookReceiver.start()`.
 */
export class WebhookReceiver {
  constructor() {
    /** Every request so far: { method, url, path, query, form, headers, body, signature, params }. */
    this.requests = [];
    this.answers = new Map();
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url, `http://${req.headers.host}`);
        const ctype = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
        const form = ctype === 'application/x-www-form-urlencoded'
          ? Object.fromEntries(new URLSearchParams(body.toString('utf8')))
          : {};
        const hit = {
          method: req.method,
          url: `http://${req.headers.host}${req.url}`,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          form,
          headers: req.headers,
          body,
          signature: req.headers['x-twilio-signature'],
          // What the sender signed besides the URL: the form for POST, nothing for GET.
          params: req.method === 'POST' ? form : {},
        };
        let answer;
        try {
          answer = this.answerFor(hit);
        } catch (e) {
          answer = { body: String(e), contentType: 'text/plain', status: 500 };
        }
        this.requests.push(hit);
        const payload = Buffer.from(answer.body ?? '', 'utf8');
        res.writeHead(answer.status ?? 200, {
          'Content-Type': answer.contentType ?? 'application/xml',
          'Content-Length': payload.length,
        });
        res.end(payload);
      });
    });
  }

  /** A receiver, listening. */
  static async start(host = '127.0.0.1') {
    const receiver = new WebhookReceiver();
    await new Promise((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(0, host, resolve);
    });
    return receiver;
  }

  get baseUrl() {
    const { address, port } = this.server.address();
    return `http://${address}:${port}`;
  }

  /** The receiver's URL for `path` (e.g. '/sms'). */
  url(path = '/') {
    return this.baseUrl + (path.startsWith('/') ? path : `/${path}`);
  }

  /**
   * From now on, requests for `path` (any query) get this answer; or `body`
   * is a function of the request returning `{ body, contentType, status }`.
   */
  answer(path, body, { contentType = 'application/xml', status = 200 } = {}) {
    this.answers.set(path, typeof body === 'function' ? body : { body, contentType, status });
  }

  /** Answers `path` with this TwiML. */
  twiml(path, twiml) {
    this.answer(path, twiml);
  }

  answerFor(hit) {
    const scripted = this.answers.get(hit.path);
    if (!scripted) return { body: EMPTY_TWIML, contentType: 'application/xml', status: 200 };
    return typeof scripted === 'function' ? scripted(hit) : scripted;
  }

  /** What arrived so far (for `path` only, when given). */
  received(path) {
    return this.requests.filter((r) => path === undefined || r.path === path);
  }

  /** The requests (for `path`) once at least `count` arrived; rejects after `timeoutMs`. */
  async waitFor(count = 1, { path, timeoutMs = 5000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.received(path);
      if (got.length >= count) return got;
      if (Date.now() > deadline) {
        const seen = this.requests.map((r) => `${r.method} ${r.path}`);
        throw new Error(`${got.length} of ${count} request(s) for ${path ?? 'any path'} arrived within `
          + `${timeoutMs} ms; the receiver saw ${JSON.stringify(seen)}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Whether X-Twilio-Signature is valid for `authToken`, as the official SDK's validateRequest checks it. */
  static isSigned(request, authToken) {
    if (!request.signature) return false;
    return twilio.validateRequest(authToken, request.signature, request.url, request.params);
  }

  clear() {
    this.requests.length = 0;
  }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}
