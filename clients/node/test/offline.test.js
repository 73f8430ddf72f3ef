// The helpers' own logic against stand-ins: no Switchboard needed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, test } from 'vitest';
import {
  ClockNotAvailable, NotInSandboxMode, Sandbox, Switchboard, WebhookReceiver, loadSeed, makeClient,
} from 'switchboard-sandbox';
import { mentions, substitute } from '../src/seed.js';

async function withReceiver(fn) {
  const receiver = await WebhookReceiver.start();
  try {
    return await fn(receiver);
  } finally {
    await receiver.close();
  }
}

function sign(token, url, params) {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return crypto.createHmac('sha1', token).update(data).digest('base64');
}

describe('WebhookReceiver', () => {
  test('records requests and answers what was scripted', () => withReceiver(async (r) => {
    r.twiml('/sms', '<Response><Message>hi</Message></Response>');
    r.answer('/status', (req) => ({ body: `saw ${req.form.X}`, contentType: 'text/plain', status: 202 }));
    let res = await fetch(r.url('/sms?a=1'), { method: 'POST', body: new URLSearchParams({ Body: 'yo', Empty: '' }) });
    expect([res.status, await res.text(), res.headers.get('content-type')])
      .toEqual([200, '<Response><Message>hi</Message></Response>', 'application/xml']);
    res = await fetch(r.url('status'), { method: 'POST', body: new URLSearchParams({ X: '7' }) });
    expect([res.status, await res.text()]).toEqual([202, 'saw 7']);
    res = await fetch(r.url('/other?x=1'));
    expect(await res.text()).toContain('<Response>');
    const [sms, status, other] = await r.waitFor(3);
    expect([sms.method, sms.path, sms.query, sms.form]).toEqual(['POST', '/sms', { a: '1' }, { Body: 'yo', Empty: '' }]);
    expect(sms.url).toBe(r.url('/sms?a=1'));
    expect([other.params, other.query]).toEqual([{}, { x: '1' }]);
    expect(r.received('/status')).toEqual([status]);
    await expect(r.waitFor(2, { path: '/sms', timeoutMs: 50 })).rejects.toThrow(/1 of 2 request/);
  }));

  test('checks signatures as the SDK does', () => withReceiver(async (r) => {
    const token = '12345678901234567890123456789012';
    const url = r.url('/hook');
    const params = { AccountSid: `AC${'1'.repeat(32)}`, Body: 'a b' };
    const post = (headers) => fetch(url, { method: 'POST', body: new URLSearchParams(params), headers });
    await post({ 'X-Twilio-Signature': sign(token, url, params) });
    await post({ 'X-Twilio-Signature': sign('x'.repeat(32), url, params) });
    await post({});
    const [good, wrongKey, unsigned] = await r.waitFor(3);
    expect(WebhookReceiver.isSigned(good, token)).toBe(true);
    expect(WebhookReceiver.isSigned(wrongKey, token)).toBe(false);
    expect(WebhookReceiver.isSigned(unsigned, token)).toBe(false);
  }));
});

test('seeds: objects are copied, files are read, {receiver} is substituted', () => {
  const seed = { accounts: { a: { phone_numbers: [{ sms_url: '{receiver}/sms' }] } } };
  expect(mentions(seed, '{receiver}')).toBe(true);
  expect(mentions({ x: ['y'] }, '{receiver}')).toBe(false);
  const out = substitute(seed, { receiver: 'http://127.0.0.1:9' });
  expect(out.accounts.a.phone_numbers[0].sms_url).toBe('http://127.0.0.1:9/sms');
  expect(seed.accounts.a.phone_numbers[0].sms_url).toBe('{receiver}/sms');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-'));
  fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify(seed));
  expect(loadSeed('s.json', dir)).toEqual(seed);
  expect(loadSeed(path.join(dir, 's.json'))).toEqual(seed);
  fs.writeFileSync(path.join(dir, 'list.json'), '[]');
  expect(() => loadSeed('list.json', dir)).toThrow(/is an object/);
  expect(() => loadSeed(42)).toThrow(TypeError);
  fs.rmSync(dir, { recursive: true });
});

test('a server not in sandbox mode is named', () => withReceiver(async (r) => {
  r.answer('/switchboard/v1/Sandboxes.json', JSON.stringify({ code: 20404, message: 'not found', status: 404 }),
    { contentType: 'application/json', status: 404 });
  const server = await Switchboard.connect(r.baseUrl);
  const err = await server.createSandbox({ accounts: { a: {} } }).catch((e) => e);
  expect(err).toBeInstanceOf(NotInSandboxMode);
  expect(err.message).toMatch(/not in sandbox mode/);
  expect([err.status, err.code]).toEqual([404, 20404]);
  expect(await server.stop()).toBe(null);
}));

test('advance without a clock rejects with ClockNotAvailable', () => withReceiver(async (r) => {
  const sid = `SB${'0'.repeat(32)}`;
  const base = `/switchboard/v1/Sandboxes/${sid}`;
  r.answer(`${base}/Clock.json`, '{"code": 20404, "message": "not found", "status": 404}', { contentType: 'application/json', status: 404 });
  r.answer(`${base}.json`, JSON.stringify({ sid }), { contentType: 'application/json' });
  const sandbox = new Sandbox(await Switchboard.connect(r.baseUrl), {}, {
    sid, accounts: { a: { sid: `AC${'1'.repeat(32)}`, auth_token: 't' } },
  });
  await expect(sandbox.advance('30d')).rejects.toThrow(/no sandbox clock/);
  await expect(sandbox.now()).rejects.toBeInstanceOf(ClockNotAvailable);
  const [post] = r.received(`${base}/Clock.json`).filter((h) => h.method === 'POST');
  expect(post.form).toEqual({ Advance: '30d' });
  expect(post.headers.authorization).toMatch(/^Basic /);
}));

test('SDK requests to any twilio.com host go to Switchboard', () => withReceiver(async (r) => {
  r.answer('/v2/PhoneNumbers/+14155550100', JSON.stringify({ phone_number: '+14155550100', valid: true }),
    { contentType: 'application/json' });
  const client = makeClient(r.baseUrl, `AC${'1'.repeat(32)}`, 'token');
  expect(client.api.baseUrl).toBe(r.baseUrl);
  const http = client.httpClient;
  expect(http.rewrite('https://lookups.dublin.ie1.twilio.com/v2/PhoneNumbers/x?Fields=a'))
    .toBe(`${r.baseUrl}/v2/PhoneNumbers/x?Fields=a`);
  expect(http.rewrite('https://example.com/twilio.com')).toBe('https://example.com/twilio.com');
  await client.lookups.v2.phoneNumbers('+14155550100').fetch();
  const [hit] = await r.waitFor(1);
  expect(decodeURIComponent(hit.path)).toBe('/v2/PhoneNumbers/+14155550100');
  expect(hit.headers.authorization).toMatch(/^Basic /);
}));
