'use strict';
// The quickstart, for real: `switchboard demo` (which starts its own
// Switchboard and the example app) in a real browser (Debian's
// Chromium through playwright-core). Sign in to the example app, press the
// Connect button, sign in to Switchboard as the customer, authorize, see the
// seeded numbers in the app's analytics; revoke in Switchboard's console and
// see the app notice the signed deauthorize callback.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { chromium } = require('playwright-core');

const BIN = process.env.SWITCHBOARD_BIN || path.resolve(__dirname, '../../../target/debug/switchboard');
const ARTIFACTS = path.join(process.env.ARTIFACTS || path.join(__dirname, '..', 'artifacts'), 'demo');
const HISTORY = 120;

function startDemo(dir) {
  const proc = spawn(BIN, ['demo', '--listen', '127.0.0.1:0', '--app-listen', '127.0.0.1:0',
    '--dir', dir, '--history', String(HISTORY)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  proc.stderr.on('data', (d) => stderr.push(d));
  const lines = readline.createInterface({ input: proc.stdout });
  const urls = new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => reject(new Error(`demo did not start: ${Buffer.concat(stderr)}`)), 60000);
    lines.on('line', (line) => {
      const m = line.match(/^(Switchboard|Call Analytics) listening on (http:\/\/\S+)$/);
      if (m) found[m[1]] = m[2];
      if (found.Switchboard && found['Call Analytics']) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    proc.on('exit', (code) => reject(new Error(`demo exited ${code}: ${Buffer.concat(stderr)}`)));
  });
  return { proc, urls };
}

test('the demo tells the whole Connect story in a browser', async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-demo-'));
  const { proc, urls } = startDemo(dir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const { Switchboard: sb, 'Call Analytics': app } = await urls;
    const page = await (await browser.newContext()).newPage();
    // Every image on a page must load (the Connect button comes from
    // Switchboard) before it is photographed.
    const shot = async (name) => {
      await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    };

    // 1. The app's own sign-in; the Connect button sits behind it.
    await page.goto(app);
    await page.fill('#username', 'ada');
    await page.fill('#password', 'call-analytics');
    await page.click('button:has-text("Sign in")');
    const connect = page.locator('a#connect');
    assert.match(await connect.getAttribute('href'), new RegExp(`^${sb}/authorize/CN[0-9a-f]{32}\\?state=`));
    await shot('1-app-home');

    // 2. Switchboard asks the customer to sign in, keeping the way back.
    await connect.click();
    await page.waitForURL(`${sb}/signin**`);
    await shot('2-switchboard-signin');
    await page.fill('#email', 'customer@demo.example');
    await page.fill('#password', 'switchboard-demo');
    await page.click('button[type=submit]');

    // 3. The consent page says who asks for what.
    await page.waitForURL(`${sb}/authorize/**`);
    const consent = await page.textContent('body');
    assert.match(consent, /Call Analytics/);
    assert.match(consent, /Rossum Analytics/);
    assert.match(consent, /Read all account data/i);
    await shot('3-consent');
    await page.click('button[value=authorize]');

    // 4. Back in the app, which reads the customer's seeded history.
    await page.waitForURL(`${app}/**`);
    if (!page.url().includes('/analytics')) await page.click('a[href="/analytics"]');
    await page.waitForSelector('#calls');
    assert.equal(await page.textContent('#calls'), String(HISTORY));
    assert.equal(await page.textContent('#messages'), String(HISTORY));
    assert.match(await page.textContent("#spend"), /^[1-9]\d*\.\d\d USD$/);
    assert.ok(await page.locator('svg').count() > 0, 'a chart of calls per day');
    await shot('4-analytics');

    // 5. The customer revokes in Switchboard's console; the app is told.
    await page.goto(`${sb}/console/authorized-apps`);
    await shot('5-authorized-apps');
    await page.click('text=Revoke');
    await page.click('button.danger');
    await page.waitForURL(`${sb}/console/authorized-apps**`);
    assert.doesNotMatch(await page.textContent('main, body'), /Rossum Analytics/);
    let revoked = false;
    for (let i = 0; i < 100 && !revoked; i++) {
      await page.goto(app);
      revoked = /revoked our access/.test(await page.textContent('body'));
      if (!revoked) await new Promise((r) => setTimeout(r, 200));
    }
    await shot('6-app-after-revoke');
    assert.ok(revoked, 'the app noticed the deauthorize callback');
  } finally {
    await browser.close();
    proc.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
