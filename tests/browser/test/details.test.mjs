// Issue 24 items 9–11 and issue 23's call page, at 1280×800 and 390×844:
// the Logs' filters read phone numbers as people type them and say when a
// value is wrong, filter by date, and open each call's page (its TwiML
// timeline: each request, the document, each verb with its simulated start
// time) and each message's page (its webhook and reply); the dashboard shows
// this month's spend, recent activity and copy buttons, and a new secondary
// token at once; a subaccount's page shows its credentials; Deliveries
// filter by app, status, kind and date, and a delivery's page shows each
// attempt's request and response headers and the start of the answer.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { after, before, test } from "node:test";

import { BASE, checkPage, launch, screenshot, signIn } from "../lib/helpers.mjs";

const BIN = process.env.SWITCHBOARD_BIN;
const DB = process.env.SB_DB;
const stamp = Date.now();
const OWNER = { email: `details-${stamp}@example.com`, password: "details owner password 1" };
const HANDSET = "+14155551181";
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 }, isMobile: true },
];
const VOICE = '<?xml version="1.0"?><Response><Say>Hello caller, this is the <b>details</b> test</Say><Pause length="2"/><Hangup/></Response>';
const TODAY = new Date().toISOString().slice(0, 10);
const TOMORROW = new Date(Date.now() + 86400000).toISOString().slice(0, 10);

let browser, server, receiverUrl;
const state = {};

function cli(...args) {
  return execFileSync(BIN, [...args, "--database-url", DB], { encoding: "utf8" });
}

async function api(path, params, method = "POST") {
  const response = await fetch(BASE + path.replace("{Sid}", OWNER.sid), {
    method,
    headers: {
      authorization: "Basic " + Buffer.from(`${OWNER.sid}:${OWNER.token}`).toString("base64"),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: method === "POST" ? new URLSearchParams(params) : undefined,
  });
  const body = await response.json();
  assert.ok(response.status < 300, JSON.stringify(body));
  return body;
}

async function pageAt(size, { javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ viewport: size.viewport, isMobile: !!size.isMobile, javaScriptEnabled });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  await signIn(page, OWNER.email, OWNER.password);
  return page;
}

async function open(page, path, expectStatus = 200) {
  const response = await page.goto(BASE + path);
  assert.equal(response.status(), expectStatus, `${path} answered ${response.status()}`);
  await checkPage(page);
}

async function waitUntil(what, check, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  browser = await launch();
  // The app: TwiML for the call and the message, and a status callback
  // answered with a header and a body the delivery page shows.
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.url.startsWith("/voice")) {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(VOICE);
      } else if (req.url.startsWith("/sms")) {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end("<Response><Message>Thanks, we got it</Message></Response>");
      } else {
        res.writeHead(200, { "content-type": "text/plain", "x-receiver": "details-test" });
        res.end("status noted <ok>");
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${server.address().port}`;
  const made = JSON.parse(cli("accounts", "create", "--email", OWNER.email, "--password", OWNER.password,
    "--friendly-name", "Details Owner With A Rather Long Company Name Limited", "--full", "--json"));
  Object.assign(OWNER, { sid: made.sid, token: made.auth_token });
  const app = JSON.parse(cli("apps", "create", "--account", OWNER.sid, "--friendly-name", "Details App", "--company-name", "Details Ltd",
    "--authorize-redirect-url", `${receiverUrl}/authorize`, "--permissions", "get-all", "--json"));
  state.app = app.sid;
  const number = await api("/2010-04-01/Accounts/{Sid}/IncomingPhoneNumbers.json", {
    AreaCode: "415", SmsUrl: `${receiverUrl}/sms`, VoiceUrl: `${receiverUrl}/voice`,
  });
  state.number = number.phone_number;
  const call = await api("/2010-04-01/Accounts/{Sid}/Calls.json", {
    From: number.phone_number, To: HANDSET, Url: `${receiverUrl}/voice`, StatusCallback: `${receiverUrl}/status`,
  });
  state.call = call.sid;
  const message = await api("/switchboard/v1/Accounts/{Sid}/InboundMessages.json", {
    From: HANDSET, To: number.phone_number, Body: "Hello <from> the handset",
  });
  state.message = message.sid;
  const sub = await api("/2010-04-01/Accounts.json", { FriendlyName: "Details staging" });
  state.subaccount = sub;
  // The call runs its document to the end on the instant clock.
  await waitUntil("the call to complete", async () => {
    const c = await api(`/2010-04-01/Accounts/{Sid}/Calls/${state.call}.json`, {}, "GET");
    return c.status === "completed";
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server.close(r));
});

for (const size of SIZES) {
  test(`logs filters read typed numbers and dates (${size.name})`, async () => {
    const page = await pageAt(size);
    for (const typed of ["+1 415 555 1181", "(415) 555-1181"]) {
      await open(page, `/console/logs?kind=calls&to=${encodeURIComponent(typed)}`);
      assert.equal(await page.locator(`a[href*="${state.call}"]`).count(), 1, `the call is found by ${typed}`);
      assert.equal(await page.getByLabel("To").inputValue(), HANDSET);
    }
    await screenshot(page, `details-logs-typed-${size.name}`);
    await open(page, `/console/logs?kind=messages&from=${encodeURIComponent("(415) 555-1181")}`);
    assert.equal(await page.locator(`a[href*="${state.message}"]`).count(), 1);

    // A wrong value is flagged next to its field, kept as typed.
    await open(page, `/console/logs?kind=calls&to=hello&since=yesterday`, 400);
    const to = page.getByLabel("To");
    assert.equal(await to.getAttribute("aria-invalid"), "true");
    assert.equal(await to.inputValue(), "hello");
    assert.match(await page.locator("#to-error").textContent(), /phone number/);
    assert.equal(await page.locator("#filter-invalid").count(), 1);
    await screenshot(page, `details-logs-invalid-${size.name}`);

    // Dates: today has the call, tomorrow nothing.
    await open(page, `/console/logs?kind=calls&since=${TODAY}&until=${TODAY}`);
    assert.equal(await page.locator(`a[href*="${state.call}"]`).count(), 1);
    await open(page, `/console/logs?kind=calls&since=${TOMORROW}`);
    assert.equal(await page.locator(`a[href*="${state.call}"]`).count(), 0);

    // The account shown is never cut off: the picker's label fits on a
    // desktop, and on every screen the chosen account's whole name and SID
    // are written out beside it, wrapping.
    const shown = page.locator("#account-shown");
    assert.match(await shown.textContent(), /Details Owner With A Rather Long Company Name Limited[\s\S]*AC[0-9a-f]{32}/);
    assert.ok(await shown.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth));
    if (size.name !== "desktop") return page.context().close();
    const cut = await page.locator("#account").evaluate((select) => {
      const style = getComputedStyle(select);
      const ctx = document.createElement("canvas").getContext("2d");
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = select.options[select.selectedIndex].text;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
      return ctx.measureText(text).width > room ? `${ctx.measureText(text).width} > ${room}` : null;
    });
    assert.equal(cut, null, "the Account picker's label is cut off");
    await page.context().close();
  });

  test(`a call's page shows its TwiML timeline (${size.name})`, async () => {
    const page = await pageAt(size);
    await open(page, `/console/logs?kind=calls`);
    await page.locator(`a[href*="${state.call}"]`).first().click();
    await page.waitForURL(`**/console/logs/${OWNER.sid}/${state.call}`);
    await checkPage(page);
    const timeline = page.locator("#timeline");
    const verbs = await timeline.locator("table.verbs tbody tr").allTextContents();
    assert.equal(verbs.length, 3, verbs.join(" | "));
    assert.match(verbs[0], /\+0 s[\s\S]*<Say>[\s\S]*Hello caller, this is the details test/);
    assert.match(verbs[1], /\+\d+ s[\s\S]*<Pause>[\s\S]*2 s/);
    assert.match(verbs[2], /<Hangup>/);
    // Each verb's start is later than the one before it, on the call's clock.
    const offsets = verbs.map((v) => Number(v.match(/\+(\d+) s/)[1]));
    assert.ok(offsets[0] < offsets[1] && offsets[1] < offsets[2], offsets.join(","));
    await timeline.locator("summary").first().click();
    assert.match(await timeline.locator("pre").first().textContent(), /<Say>Hello caller/);
    const requests = await page.locator("#requests li").allTextContents();
    assert.ok(requests.some((r) => /Answer: the call's URL/.test(r) && r.includes(`${receiverUrl}/voice`)), requests.join(" | "));
    assert.ok(requests.some((r) => /Status callback/.test(r)), requests.join(" | "));
    await screenshot(page, `details-call-${size.name}`);
    await page.context().close();
  });

  test(`a message's page shows its webhook and reply (${size.name})`, async () => {
    const page = await pageAt(size);
    await open(page, `/console/logs?kind=messages`);
    await page.locator(`a[href*="${state.message}"]`).first().click();
    await page.waitForURL(`**/console/logs/${OWNER.sid}/${state.message}`);
    await checkPage(page);
    assert.equal(await page.locator(".message-body").textContent(), "Hello <from> the handset");
    assert.match(await page.locator("#webhooks").textContent(), /Webhook[\s\S]*delivered/);
    await waitUntil("the reply", async () => {
      await page.reload();
      return (await page.locator("#replies").textContent()).includes("Thanks, we got it");
    });
    await checkPage(page);
    await screenshot(page, `details-message-${size.name}`);
    await page.context().close();
  });

  test(`the dashboard shows spend, recent activity and copy buttons (${size.name})`, async () => {
    const page = await pageAt(size);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
    await open(page, "/console");
    assert.match(await page.locator("#month-spend").textContent(), /^\$\d+\.\d\d/);
    assert.equal(await page.locator(`#recent a[href*="${state.call}"]`).count(), 1);
    assert.equal(await page.locator(`#recent a[href*="${state.message}"]`).count(), 1);
    const copy = page.getByRole("button", { name: "Copy the Account SID" });
    await copy.click();
    // The button says so once the clipboard has it (writeText is a promise):
    // reading its text at once raced it on a loaded machine.
    await copy.filter({ hasText: "Copied" }).waitFor({ timeout: 10000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), OWNER.sid);
    await screenshot(page, `details-dashboard-${size.name}`);

    // A new secondary token is shown at once, and only once.
    await open(page, "/console/tokens/create-secondary");
    await page.getByRole("button", { name: "Create secondary token" }).click();
    await page.locator("#fresh-secondary-token").waitFor();
    await checkPage(page);
    const fresh = (await page.locator("#fresh-secondary-token").textContent()).trim();
    assert.match(fresh, /^[0-9a-f]{32}$/);
    const works = await fetch(`${BASE}/2010-04-01/Accounts/${OWNER.sid}.json`, {
      headers: { authorization: "Basic " + Buffer.from(`${OWNER.sid}:${fresh}`).toString("base64") },
    });
    assert.equal(works.status, 200, "the token shown is the secondary token");
    await screenshot(page, `details-fresh-token-${size.name}`);
    await open(page, "/console");
    assert.equal(await page.locator("#fresh-secondary-token").count(), 0);
    assert.equal(await page.getByText(fresh).count(), 0);
    await page.context().close();

    // Without scripts the SID is text and no copy button shows.
    const plain = await pageAt(size, { javaScriptEnabled: false });
    await open(plain, "/console");
    assert.equal(await plain.locator("#account-sid").textContent(), OWNER.sid);
    assert.equal(await plain.getByRole("button", { name: "Copy the Account SID" }).count(), 0);
    await plain.context().close();
  });

  test(`a subaccount's page shows its credentials to the owner (${size.name})`, async () => {
    const page = await pageAt(size);
    await open(page, `/console/subaccounts/${state.subaccount.sid}`);
    assert.equal(await page.locator("#account-sid").textContent(), state.subaccount.sid);
    await page.getByRole("button", { name: "Reveal auth token" }).click();
    await page.locator("#auth-token").waitFor();
    await checkPage(page);
    assert.equal((await page.locator("#auth-token").textContent()).trim(), state.subaccount.auth_token);
    await screenshot(page, `details-subaccount-${size.name}`);
    await page.context().close();
  });

  test(`deliveries filter and show each attempt's headers (${size.name})`, async () => {
    const page = await pageAt(size);
    await open(page, `/console/deliveries?kind=call-status&status=delivered&since=${TODAY}&until=${TODAY}`);
    const rows = page.locator("table.stack tbody tr");
    assert.ok((await rows.count()) >= 1);
    for (const text of await rows.allTextContents()) assert.match(text, /call-status/);
    await screenshot(page, `details-deliveries-filtered-${size.name}`);
    await open(page, `/console/deliveries?kind=incoming-message`);
    for (const text of await rows.allTextContents()) assert.match(text, /incoming-message/);
    await open(page, `/console/deliveries?since=${TOMORROW}`);
    assert.equal(await rows.count(), 0);
    await open(page, `/console/deliveries?since=soon`, 400);
    assert.equal(await page.getByLabel("Made from").getAttribute("aria-invalid"), "true");

    // The app page's Deliveries button opens that app's (none: nobody
    // authorized it), with the app chosen.
    await open(page, `/console/apps/${state.app}`);
    await page.locator("#content").getByRole("link", { name: "Deliveries", exact: true }).click();
    await page.waitForURL(`**/console/deliveries?app=${state.app}`);
    await checkPage(page);
    assert.equal(await page.getByLabel("Connect App").inputValue(), state.app);
    assert.equal(await rows.count(), 0);

    // A status callback's attempt: what was sent, and what came back.
    await open(page, `/console/deliveries?kind=call-status`);
    await page.locator("table.stack tbody tr a").first().click();
    await page.waitForURL(/\/console\/deliveries\/WD/);
    await checkPage(page);
    const attempt = page.locator("#attempt-1");
    const request = await attempt.locator(".request-headers").textContent();
    assert.match(request, /X-Twilio-Signature\s*[A-Za-z0-9+/=]{20,}/);
    assert.match(request, /I-Twilio-Idempotency-Token\s*WD/);
    const response = await attempt.locator(".response-headers").textContent();
    assert.match(response, /Status\s*200/);
    assert.match(response, /x-receiver\s*details-test/);
    assert.equal(await attempt.locator(".response-body").textContent(), "status noted <ok>");
    await screenshot(page, `details-delivery-${size.name}`);
    await page.context().close();
  });
}
