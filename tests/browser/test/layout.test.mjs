// Every console page on a desktop (1280×800) and on phones (390×844 and
// 360×740): it fits the screen with nothing scrolling sideways or cut off,
// passes axe-core, and is kept as a screenshot at both sizes. Fixtures made
// with the command line and the API: an app owner whose Connect App's
// deauthorize callback cannot be reached (so a delivery fails with a long
// error), a customer who authorized it, a phone number, calls and messages.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";

import { BASE, checkPage, launch, screenshot, signIn, startReceiver } from "../lib/helpers.mjs";

const BIN = process.env.SWITCHBOARD_BIN;
const DB = process.env.SB_DB;
const stamp = Date.now();
const OWNER = { email: `layout-owner-${stamp}@example.com`, password: "layout owner password 1" };
const CUSTOMER = { email: `layout-customer-${stamp}@example-customer-with-a-long-domain.com`, password: "layout customer password 2" };
// A host that never resolves: the callback fails with a long DNS error.
const DEAD_CALLBACK = "http://deauthorize-callbacks.this-host-does-not-exist.invalid/twilio/connect/deauthorize?tenant=rossum-analytics-production";
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 }, isMobile: true },
  { name: "small-phone", viewport: { width: 360, height: 740 }, isMobile: true, shots: false },
];

let browser, receiver;
const state = {};

function cli(...args) {
  return execFileSync(BIN, [...args, "--database-url", DB], { encoding: "utf8" });
}

/// A POST to the API with the account's credentials; `path` follows the host.
async function api(account, path, params) {
  const response = await fetch(BASE + path.replace("{Sid}", account.sid), {
    method: "POST",
    headers: {
      authorization: "Basic " + Buffer.from(`${account.sid}:${account.token}`).toString("base64"),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(params),
  });
  const body = await response.json();
  assert.ok(response.status < 300, JSON.stringify(body));
  return body;
}

function account(email, password, name) {
  const made = JSON.parse(cli("accounts", "create", "--email", email, "--password", password, "--friendly-name", name, "--full", "--json"));
  return { sid: made.sid, token: made.auth_token, email, password };
}

async function pageAt(size, who, { javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ viewport: size.viewport, isMobile: !!size.isMobile, javaScriptEnabled });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  if (who) await signIn(page, who.email, who.password);
  return page;
}

before(async () => {
  browser = await launch();
  receiver = await startReceiver();
  Object.assign(OWNER, account(OWNER.email, OWNER.password, "Rossum Analytics International"));
  Object.assign(CUSTOMER, account(CUSTOMER.email, CUSTOMER.password, "Customer Company With A Long Name"));
  cli("seed", "--account", OWNER.sid, "--calls", "12", "--messages", "12", "--quiet");
  const app = JSON.parse(cli(
    "apps", "create", "--account", OWNER.sid, "--friendly-name", "Call Analytics Dashboard",
    "--company-name", "Rossum Analytics International Ltd", "--description", "Charts of your call logs.",
    "--authorize-redirect-url", `${receiver.url}/twilio/authorize`, "--deauthorize-callback-url", DEAD_CALLBACK,
    "--homepage-url", "https://app.example.com/", "--terms-of-service-url", "https://app.example.com/terms",
    "--permissions", "get-all,post-all", "--json",
  ));
  state.app = app.sid;
  // A number whose webhook cannot be reached: its messages make notifications.
  const number = await api(OWNER, "/2010-04-01/Accounts/{Sid}/IncomingPhoneNumbers.json", { AreaCode: "415", SmsUrl: DEAD_CALLBACK.replace("deauthorize", "sms"), FriendlyName: "Main line" });
  state.number = number.sid;
  const message = await api(OWNER, "/switchboard/v1/Accounts/{Sid}/InboundMessages.json", { From: "+14155550142", To: number.phone_number, Body: "Hello from a handset" });
  state.message = message.sid;
  // A call with inline TwiML, so its page has a timeline (long words included).
  const call = await api(OWNER, "/2010-04-01/Accounts/{Sid}/Calls.json", {
    From: number.phone_number, To: "+14155550142",
    Twiml: "<Response><Say>Thanks for calling Rossum Analytics International: your-reference-number-is-0123456789-0123456789-0123456789</Say><Pause length=\"2\"/><Hangup/></Response>",
  });
  state.call = call.sid;
  const sub = await api(OWNER, "/2010-04-01/Accounts.json", { FriendlyName: "Staging environment for the analytics pipeline" });
  state.subaccount = sub.sid;
});

after(async () => {
  await browser?.close();
  await receiver?.close();
});

test("the customer authorizes the app, revokes it (the callback fails), and authorizes it again", async () => {
  const page = await pageAt(SIZES[0], CUSTOMER);
  for (const step of ["authorize", "revoke", "authorize"]) {
    if (step === "authorize") {
      await page.goto(`${BASE}/authorize/${state.app}?state=layout`);
      await page.getByRole("button", { name: "Authorize" }).click();
      await page.waitForURL(new RegExp(`^${receiver.url}/twilio/authorize`));
      state.grantSubaccount = new URL(page.url()).searchParams.get("AccountSid");
    } else {
      await page.goto(`${BASE}/console/authorized-apps/${state.app}/revoke`);
      await page.getByRole("button", { name: "Revoke access" }).click();
      await page.waitForURL(/revoked=/);
    }
  }
  // The owner sees the failed deauthorize callback, with its error recorded.
  const owner = await pageAt(SIZES[0], OWNER);
  for (let i = 0; i < 40; i++) {
    await owner.goto(`${BASE}/console/deliveries`);
    if ((await owner.locator("tbody tr", { hasText: "deauthorize" }).count()) > 0
      && (await owner.locator("tbody tr td[data-label='Last answer'] .error-summary").count()) > 0) break;
    await owner.waitForTimeout(250);
  }
  const link = owner.locator("tbody tr", { hasText: "deauthorize" }).first().getByRole("link", { name: "deauthorize" });
  state.delivery = (await link.getAttribute("href")).split("/").pop();
  assert.match(state.delivery, /^WD[0-9a-f]{32}$/, state.delivery);
  await owner.context().close();
  await page.context().close();
});

test("a long delivery error is summarised in the list and given whole on the delivery's page", async () => {
  const page = await pageAt(SIZES[0], OWNER);
  await page.goto(`${BASE}/console/deliveries`);
  await checkPage(page);
  const row = page.locator("tbody tr", { hasText: "deauthorize" }).first();
  const summary = (await row.locator(".error-summary").textContent()).trim();
  assert.ok(summary.length <= 120, `summary too long: ${summary}`);
  assert.match(summary, /could not be resolved|DNS/i, summary);
  const replay = row.getByRole("button", { name: "Replay" });
  const box = await replay.boundingBox();
  assert.ok(box && box.x + box.width <= 1280, "Replay is off-screen");
  await page.goto(`${BASE}/console/deliveries/${state.delivery}`);
  await checkPage(page);
  const full = await page.locator("ol.attempts > li .field-error").first().textContent();
  assert.ok(full.includes("dns error") && full.includes("this-host-does-not-exist.invalid"), full);
});

/// Every console page, for who sees it.
function consolePages() {
  const app = `/console/apps/${state.app}`;
  return [
    ["owner", "/console", "dashboard"],
    ["owner", "/console/upgrade", "upgrade"],
    ["owner", "/console/tokens/create-secondary", "token-create"],
    ["owner", "/console/subaccounts", "subaccounts"],
    ["owner", `/console/subaccounts/${state.subaccount}`, "subaccount"],
    ["owner", `/console/subaccounts/${state.subaccount}/suspend`, "subaccount-suspend"],
    ["owner", "/console/apps", "apps"],
    ["owner", "/console/apps/new", "app-new"],
    ["owner", app, "app"],
    ["owner", `${app}/customers`, "app-customers"],
    ["owner", `${app}/customers/${state.grantSubaccount}/revoke`, "app-customer-revoke"],
    ["owner", `${app}/delete`, "app-delete"],
    ["owner", "/console/deliveries", "deliveries"],
    ["owner", `/console/deliveries?app=${state.app}&kind=deauthorize`, "deliveries-filtered"],
    ["owner", "/console/deliveries?since=soon", "deliveries-invalid", { status: 400 }],
    ["owner", `/console/deliveries/${state.delivery}`, "delivery"],
    ["owner", `/console/deliveries/${state.delivery}/replay`, "delivery-replay"],
    ["owner", "/console/phone", "phone-numbers"],
    ["owner", `/console/phone/${OWNER.sid}/${state.number}?handset=%2B14155550142`, "phone"],
    ["owner", "/console/logs", "logs-calls"],
    ["owner", "/console/logs?kind=messages", "logs-messages"],
    ["owner", "/console/logs?kind=calls&to=hello&since=yesterday", "logs-invalid", { status: 400 }],
    ["owner", `/console/logs/${OWNER.sid}/${state.call}`, "log-call"],
    ["owner", `/console/logs/${OWNER.sid}/${state.message}`, "log-message"],
    ["owner", "/console/debugger", "debugger"],
    ["owner", "/console/usage?days=7", "usage-7"],
    ["owner", "/console/usage", "usage-30"],
    ["owner", "/console/usage?days=365", "usage-365"],
    ["owner", "/console/audit", "audit"],
    ["customer", "/console/authorized-apps", "authorized-apps"],
    ["customer", `/console/authorized-apps/${state.app}/revoke`, "authorized-app-revoke"],
    ["customer", `/authorize/${state.app}?state=layout`, "consent", { nav: false }],
    ["customer", "/console/deliveries", "deliveries-customer"],
    ["anonymous", "/signin", "signin", { nav: false }],
    ["anonymous", "/signup", "signup", { nav: false }],
    ["anonymous", "/no-such-page", "not-found", { nav: false, status: 404 }],
  ];
}

for (const size of SIZES) {
  test(`every console page fits ${size.viewport.width}×${size.viewport.height} and passes axe`, async () => {
    const pages = {
      owner: await pageAt(size, OWNER),
      customer: await pageAt(size, CUSTOMER),
      anonymous: await pageAt(size),
    };
    const list = consolePages();
    // The debugger's first notification has a page of its own.
    await pages.owner.goto(`${BASE}/console/debugger`);
    const first = pages.owner.locator("tbody tr a[href^='/console/debugger/NO']").first();
    if (await first.count()) list.push(["owner", await first.getAttribute("href"), "debugger-detail"]);
    const problems = [];
    for (const [who, path, name, { nav = true, status = 200 } = {}] of list) {
      const page = pages[who];
      const response = await page.goto(BASE + path);
      assert.equal(response.status(), status, `${path} answered ${response.status()}`);
      try {
        await checkPage(page, { nav });
      } catch (e) {
        problems.push(e.message.split("\n")[0]);
      }
      // One date format everywhere (2026-12-06 16:10:54 UTC), never RFC 2822's.
      const rfc2822 = (await page.locator("body").innerText()).match(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4}[^\n]*/);
      if (rfc2822) problems.push(`${path}: a date in another format: ${rfc2822[0]}`);
      if (size.shots !== false) await screenshot(page, `${size.name}-${name}`);
    }
    assert.deepEqual(problems, []);
    for (const p of Object.values(pages)) await p.context().close();
  });
}

test("on a phone the navigation is one line with a menu that opens without JavaScript", async () => {
  for (const javaScriptEnabled of [false, true]) {
    const page = await pageAt(SIZES[1], OWNER, { javaScriptEnabled });
    await page.goto(`${BASE}/console/usage`);
    const bar = await page.locator("header.topbar").boundingBox();
    assert.ok(bar.height <= 72, `the top bar is ${bar.height} px high`);
    const logs = page.locator('nav[aria-label="Console"]').getByRole("link", { name: "Logs", exact: true });
    assert.equal(await logs.isVisible(), false, "the navigation is open before the menu is");
    await page.getByRole("link", { name: "Menu", exact: true }).click();
    await logs.waitFor({ state: "visible" });
    const link = await logs.boundingBox();
    assert.ok(link.height >= 32 && link.height <= 56, `a menu entry is ${link.height} px high`);
    await checkPage(page);
    await screenshot(page, `phone-menu-open${javaScriptEnabled ? "" : "-no-js"}`, false);
    await logs.click();
    await page.waitForURL(/\/console\/logs$/);
    assert.equal(await page.locator('nav[aria-label="Console"]').getByRole("link", { name: "Logs", exact: true }).isVisible(), false, "the menu stays open on the next page");
    await page.context().close();
  }
  // On a desktop the navigation is shown whole, with no menu.
  const desktop = await pageAt(SIZES[0], OWNER);
  await desktop.goto(`${BASE}/console`);
  assert.equal(await desktop.getByRole("link", { name: "Menu", exact: true }).isVisible(), false);
  assert.equal(await desktop.locator('nav[aria-label="Console"]').getByRole("link", { name: "Logs", exact: true }).isVisible(), true);
  await desktop.context().close();
});

test("on a phone, Authorized apps reads as one card per app with Revoke on screen", async () => {
  const page = await pageAt(SIZES[1], CUSTOMER);
  await page.goto(`${BASE}/console/authorized-apps`);
  await checkPage(page);
  const name = page.locator("tbody tr strong", { hasText: "Call Analytics Dashboard" });
  const box = await name.boundingBox();
  const lineHeight = await name.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 24);
  assert.ok(box.height <= lineHeight * 2 + 1, `the app name takes ${box.height} px (wrapped letter by letter?)`);
  const revoke = page.getByRole("link", { name: "Revoke…" });
  const r = await revoke.boundingBox();
  assert.ok(r.x >= 0 && r.x + r.width <= 390, `Revoke is off-screen at x=${r.x}`);
  await page.context().close();
});

test("on a desktop, Who authorized shows its Revoke… button whole", async () => {
  const page = await pageAt(SIZES[0], OWNER);
  await page.goto(`${BASE}/console/apps/${state.app}/customers`);
  await checkPage(page);
  const revoke = page.getByRole("link", { name: "Revoke…" });
  const r = await revoke.boundingBox();
  const card = await page.locator("section.card", { has: revoke }).boundingBox();
  assert.ok(r.x + r.width <= card.x + card.width, `Revoke… ends at ${r.x + r.width}, the card at ${card.x + card.width}`);
  await page.context().close();
});

test("on a phone, the usage chart's axis labels are readable", async () => {
  const page = await pageAt(SIZES[1], OWNER);
  await page.goto(`${BASE}/console/usage`);
  // A label's size on the screen: its font size, times the drawing's scale.
  const sizes = await page.locator(".chart .axis, .chart .chart-y span").evaluateAll((labels) => labels.map((l) => {
    const svg = l.closest("svg");
    const box = svg?.viewBox?.baseVal;
    const scale = box && box.width ? svg.getBoundingClientRect().width / box.width : 1;
    return parseFloat(getComputedStyle(l).fontSize) * scale;
  }));
  assert.ok(sizes.length > 0, "no axis labels");
  assert.ok(sizes.every((s) => s >= 11), `axis labels of ${Math.min(...sizes).toFixed(1)} px`);
  // And they do not overlap one another.
  const boxes = await page.locator(".chart .axis.x").evaluateAll((ls) => ls.map((l) => l.getBoundingClientRect()).map((b) => [b.left, b.right]));
  for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i][0] >= boxes[i - 1][1], `x labels ${i - 1} and ${i} overlap`);
  await screenshot(page, "phone-usage-chart", false);
  // A year is drawn per week, not as 365 slivers.
  await page.goto(`${BASE}/console/usage?days=365`);
  const weeks = await page.locator("svg rect.bar").count();
  assert.ok(weeks >= 52 && weeks <= 54, `${weeks} bars for a year`);
  assert.equal((await page.locator(".chart").locator("xpath=..").locator("h2").textContent()).trim(), "Spend per week");
  await screenshot(page, "phone-usage-year", false);
  await page.context().close();
});

test("money reads the same everywhere: two decimals for balances and totals, up to four for unit prices", async () => {
  const page = await pageAt(SIZES[0], OWNER);
  const TOTAL = /^-?\$\d+\.\d\d$/;
  await page.goto(`${BASE}/console/usage`);
  const totals = [
    await page.locator("#balance").textContent(),
    await page.locator("#total").textContent(),
    ...(await page.locator('td[data-label="Price"]').allTextContents()),
    ...(await page.locator(".compact-table td:nth-child(2)").allTextContents()),
    ...(await page.locator(".chart-y span").allTextContents()),
  ].map((t) => t.trim());
  assert.ok(totals.length > 4, totals.join(" "));
  for (const t of totals) assert.match(t, TOTAL);
  await page.goto(`${BASE}/console/logs?kind=messages`);
  const prices = (await page.locator('td[data-label="Price"]').allTextContents()).map((t) => t.trim()).filter(Boolean);
  assert.ok(prices.length > 0, "the seeded messages have prices");
  for (const p of prices) assert.match(p, /^-?\$\d+\.\d{2,4}$/);
  await page.context().close();

  // The customer's Authorized apps dates read like every other page's.
  const customer = await pageAt(SIZES[0], CUSTOMER);
  await customer.goto(`${BASE}/console/authorized-apps`);
  const authorized = await customer.locator('td[data-label="Authorized"]').first().innerText();
  assert.match(authorized.split("\n")[0], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
  await customer.context().close();
});

test("a balance under $5.00 is flagged on the dashboard and the usage page, and only then", async () => {
  // A new account has $15.50; ten local numbers ($1.15 each) leave $4.00.
  const thrifty = account(`layout-thrifty-${stamp}@example.com`, "layout thrifty password 3", "Thrifty");
  const page = await pageAt(SIZES[1], thrifty);
  for (const low of [false, true]) {
    for (const path of ["/console", "/console/usage"]) {
      await page.goto(BASE + path);
      const balance = Number((await page.locator("#balance").textContent()).replace("$", ""));
      assert.equal(balance < 5, low, `balance ${balance}`);
      assert.equal(await page.locator("#low-balance").count(), low ? 1 : 0, `${path} at ${balance}`);
      if (low) {
        assert.match(await page.locator("#low-balance").textContent(), /balance is low: \$4\.00, under \$5\.00/);
        await checkPage(page);
        await screenshot(page, `phone-low-balance${path.replaceAll("/", "-")}`, false);
      }
    }
    if (!low) {
      for (let i = 0; i < 10; i++) await api(thrifty, "/2010-04-01/Accounts/{Sid}/IncomingPhoneNumbers.json", { AreaCode: "415" });
    }
  }
  await page.context().close();
});

test("wording: no stray spaces before punctuation, no hint about earlier customers on the New app form, sign-in names the app", async () => {
  const page = await pageAt(SIZES[0], OWNER);
  await page.goto(`${BASE}/console/apps/new`);
  assert.equal(await page.getByText("Customers who authorized before").count(), 0);
  await page.goto(`${BASE}/console/apps/${state.app}`);
  assert.equal(await page.getByText("Customers who authorized before").count(), 1);
  for (const path of [`/console/apps/${state.app}/customers`, "/console/apps", "/console/authorized-apps"]) {
    await page.goto(BASE + path);
    const text = await page.locator("main").innerText();
    const stray = text.match(/\S+ [.,;:](?=\s|$)/);
    assert.equal(stray, null, `${path}: "${stray?.[0]}"`);
  }
  await page.context().close();

  // Sign-in says which app the visitor came to connect.
  const visitor = await pageAt(SIZES[1]);
  await visitor.goto(`${BASE}/authorize/${state.app}?state=layout`);
  await visitor.waitForURL(/\/signin\?next=/);
  await checkPage(visitor, { nav: false });
  assert.match(await visitor.locator("main").innerText(), /Sign in to connect Call Analytics Dashboard to your Switchboard account/);
  await screenshot(visitor, "phone-signin-for-app", false);
  await visitor.goto(`${BASE}/signin`);
  assert.equal(await visitor.getByText("Sign in to connect").count(), 0);
  await visitor.context().close();
});
