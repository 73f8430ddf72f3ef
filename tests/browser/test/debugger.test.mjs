// The Debugger page in Debian's Chromium, with notifications that really
// happened: an account (made with the command line) buys a number whose
// messaging webhook is a local app that answers badly — a 500 with an HTML
// page, or TwiML that is not well-formed — and a handset texts it, with
// markup in its words. The Debugger lists both problems with their codes,
// and nothing the app or the handset wrote runs as markup, on a desktop and
// on a phone-sized screen.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { after, before, test } from "node:test";

import { BASE, checkPage, launch, screenshot, signIn, visit } from "../lib/helpers.mjs";

const EMAIL = `debugger-${Date.now()}@example.com`;
const PASSWORD = "debugger page password 7";
const HANDSET = "+14155550142";
// What the handset writes, and what the app answers with: markup that must
// show as text.
const FAILING = `<img src=x onerror="window.pwned='body'">Are you open?`;
const BROKEN = "broken <b>bold</b> & more";
const ERROR_PAGE = `<script>window.pwned='response'</script><h1 id="oops">Internal Server Error</h1>`;

let browser, app, account;

/// The customer's app: a 500 with an HTML page for most messages, and TwiML
/// that does not parse for those that start with "broken".
async function startApp() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const params = new URLSearchParams(body);
      received.push(params);
      if ((params.get("Body") || "").startsWith("broken")) {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end("<Response><Message>never closed</Response>");
      } else {
        res.writeHead(500, { "content-type": "text/html" });
        res.end(ERROR_PAGE);
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/sms`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}

function api(path, params) {
  return fetch(`${BASE}${path}`, {
    method: params ? "POST" : "GET",
    headers: {
      authorization: "Basic " + Buffer.from(`${account.sid}:${account.token}`).toString("base64"),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: params ? new URLSearchParams(params) : undefined,
  });
}

/// The account's notifications through the API, once there are `n`.
async function notifications(n) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const res = await api(`/2010-04-01/Accounts/${account.sid}/Notifications.json`);
    assert.equal(res.status, 200);
    const list = (await res.json()).notifications;
    if (list.length >= n) return list;
    assert.ok(Date.now() < deadline, `only ${list.length} notification(s) after 15s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/// Nothing that was written as markup became an element, or ran.
async function assertNothingRan(page) {
  const ran = await page.evaluate(() => ({
    pwned: window.pwned ?? null,
    images: document.querySelectorAll('img[src="x"]').length,
    oops: document.getElementById("oops") !== null,
    bold: [...document.querySelectorAll("b")].some((b) => b.textContent === "bold"),
  }));
  assert.deepEqual(ran, { pwned: null, images: 0, oops: false, bold: false }, page.url());
}

before(async () => {
  browser = await launch();
  app = await startApp();
  const created = JSON.parse(execFileSync(process.env.SWITCHBOARD_BIN, [
    "accounts", "create", "--database-url", process.env.SB_DB, "--email", EMAIL,
    "--password", PASSWORD, "--friendly-name", "Debug Shop", "--full", "--json",
  ], { encoding: "utf8" }));
  account = { sid: created.sid, token: created.auth_token };
  const bought = await api(`/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`,
    { AreaCode: "415", SmsUrl: app.url });
  assert.equal(bought.status, 201, await bought.clone().text());
  account.number = (await bought.json()).phone_number;

  // A handset texts it twice: the app fails each time, in its own way.
  for (const body of [FAILING, BROKEN]) {
    const sent = await api(`/switchboard/v1/Accounts/${account.sid}/InboundMessages.json`,
      { From: HANDSET, To: account.number, Body: body });
    assert.equal(sent.status, 201, await sent.clone().text());
  }
  const listed = await notifications(2);
  assert.deepEqual(listed.map((n) => n.error_code).sort(), ["11200", "12100"]);
  assert.equal(app.received.length, 2);
});

after(async () => {
  await browser?.close();
  await app?.close();
});

test("debugger: the app's failures are listed with their codes, and what they said stays text", async () => {
  const listed = await notifications(2);
  const failed = listed.find((n) => n.error_code === "11200");
  const broken = listed.find((n) => n.error_code === "12100");

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, EMAIL, PASSWORD);
  await visit(page, "/console/debugger", "debugger-list");
  await assertNothingRan(page);

  // Both, each with its code linking to Twilio's page about it.
  const rows = page.locator("table tbody tr");
  assert.equal(await rows.count(), 2);
  for (const n of [failed, broken]) {
    const row = rows.filter({ has: page.locator(`a[href="/console/debugger/${n.sid}"]`) });
    assert.equal(await row.count(), 1, n.sid);
    const code = row.getByRole("link", { name: n.error_code });
    assert.equal(await code.getAttribute("href"), `https://www.twilio.com/docs/errors/${n.error_code}`);
    assert.equal(await row.locator(".badge").textContent(), "error");
    assert.ok((await row.textContent()).includes(app.url), "the webhook's URL");
  }

  // The 500: its page opened shows the app's answer and the handset's words
  // as text.
  await page.locator(`a[href="/console/debugger/${failed.sid}"]`).click();
  await page.waitForURL(`${BASE}/console/debugger/${failed.sid}`);
  await checkPage(page);
  await assertNothingRan(page);
  assert.equal(await page.locator("pre.response-body").textContent(), ERROR_PAGE);
  const body = page.locator("tr", { has: page.locator("th", { hasText: /^Body$/ }) }).locator("td");
  assert.equal(await body.textContent(), FAILING);
  assert.ok((await page.locator("h1").textContent()).includes("11200"));
  await screenshot(page, "debugger-11200");

  // The TwiML that does not parse, likewise.
  await page.goto(`${BASE}/console/debugger/${broken.sid}`);
  await checkPage(page);
  await assertNothingRan(page);
  assert.equal(await page.locator("pre.response-body").textContent(), "<Response><Message>never closed</Response>");
  assert.equal(await body.textContent(), BROKEN);
  await screenshot(page, "debugger-12100");
});

/// Nothing reaches past a 390-pixel screen. (On a mobile viewport the
/// browser widens the layout to fit what overflows, so checkPage's own
/// comparison with the window cannot see it.)
async function assertFits(page, width = 390) {
  const wide = await page.evaluate((width) => {
    const out = [];
    if (document.documentElement.scrollWidth > width) out.push(`the page is ${document.documentElement.scrollWidth}px wide`);
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) out.push(`${el.tagName.toLowerCase()}.${el.className}: ${Math.round(r.right)}px`);
    }
    return out.slice(0, 10);
  }, width);
  assert.deepEqual(wide, [], page.url());
}

test("debugger: on a phone-sized screen the list and a notification fit", async () => {
  const [failed] = (await notifications(2)).filter((n) => n.error_code === "11200");
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  phone.setDefaultTimeout(10000);
  await signIn(phone, EMAIL, PASSWORD);
  // checkPage (in visit) refuses a page wider than the window.
  await visit(phone, "/console/debugger", "debugger-list-narrow");
  await assertFits(phone);
  await assertNothingRan(phone);
  const text = await phone.locator("main").textContent();
  assert.ok(text.includes("11200") && text.includes("12100"), text);
  await visit(phone, `/console/debugger/${failed.sid}`, "debugger-11200-narrow");
  await assertFits(phone);
  await assertNothingRan(phone);
  assert.equal(await phone.locator("pre.response-body").textContent(), ERROR_PAGE);
});
