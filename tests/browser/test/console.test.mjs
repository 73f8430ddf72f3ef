// The console's journeys in Debian's Chromium: an app owner (made with the CLI
// by run.sh) and a customer (who signs up here). The steps depend on each
// other and run in order.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  BASE, checkPage, launch, makePng, screenshot, signIn, startReceiver, visit,
} from "../lib/helpers.mjs";

const OWNER_EMAIL = process.env.OWNER_EMAIL;
const OWNER_PASSWORD = process.env.OWNER_PASSWORD;
const OWNER_SID = process.env.OWNER_SID;
const CUSTOMER_EMAIL = `customer-${Date.now()}@example.com`;
const CUSTOMER_PASSWORD = "customer password 42";

let browser, receiver, owner, customer;
const state = {};

before(async () => {
  browser = await launch();
  receiver = await startReceiver();
  // The owner's browser runs the pages' small script; the customer's does not,
  // which proves the customer journey needs no JavaScript.
  owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  customer = await (await browser.newContext({
    viewport: { width: 1280, height: 900 }, javaScriptEnabled: false,
  })).newPage();
  for (const p of [owner, customer]) p.setDefaultTimeout(10000);
});

after(async () => {
  await browser?.close();
  await receiver?.close();
});

test("the app owner signs in and sees the dashboard with the token hidden until revealed", async () => {
  await signIn(owner, OWNER_EMAIL, OWNER_PASSWORD);
  await checkPage(owner);
  assert.equal(await owner.locator("#account-sid").textContent(), OWNER_SID);
  assert.equal(await owner.locator("#primary-token").count(), 0, "token shown before reveal");
  await screenshot(owner, "dashboard");
  await owner.getByRole("button", { name: "Reveal auth tokens" }).click();
  const token = (await owner.locator("#primary-token").textContent()).trim();
  assert.match(token, /^[0-9a-f]{32}$/);
  state.ownerToken = token;
  await screenshot(owner, "dashboard-revealed");
});

test("the app owner creates a Connect App; a bad field is flagged next to it with the typed values kept", async () => {
  await visit(owner, "/console/apps", "apps-empty");
  await owner.getByRole("link", { name: "New Connect App" }).click();
  await checkPage(owner);
  await owner.getByLabel("App name").fill("Call Analytics <script>alert(1)</script>");
  await owner.getByLabel("Company name").fill("Rossum Inc");
  await owner.getByLabel("Description").fill("Charts of your call logs.");
  await owner.getByLabel("Homepage URL").fill("not a url");
  await owner.getByLabel("Terms of service URL").fill("https://app.example.com/terms");
  await owner.getByLabel("Authorize redirect URL").fill(`${receiver.url}/twilio/authorize`);
  await owner.getByLabel("Deauthorize callback URL").fill(`${receiver.url}/twilio/deauthorize`);
  await owner.getByLabel("Deauthorize callback method").selectOption("POST");
  await owner.getByRole("button", { name: "Create app" }).click();
  await checkPage(owner);
  const error = owner.locator("#homepage_url-error");
  await error.waitFor();
  assert.match(await error.textContent(), /homepage URL/i);
  assert.equal(await owner.getByLabel("Homepage URL").getAttribute("aria-invalid"), "true");
  assert.equal(await owner.getByLabel("Company name").inputValue(), "Rossum Inc", "typed value lost");
  assert.equal(await owner.getByLabel("Description").inputValue(), "Charts of your call logs.");
  await screenshot(owner, "app-new-error");

  await owner.getByLabel("Homepage URL").fill("https://app.example.com/");
  await owner.getByRole("button", { name: "Create app" }).click();
  await owner.waitForURL(/\/console\/apps\/CN[0-9a-f]{32}\?done=created$/);
  await checkPage(owner);
  state.appSid = owner.url().match(/CN[0-9a-f]{32}/)[0];
  // The name is shown as text, never run as markup.
  assert.equal(
    await owner.getByRole("heading", { level: 1 }).textContent(),
    "Call Analytics <script>alert(1)</script>",
  );
});

test("the app owner uploads a logo, sees it previewed, and copies the Connect button HTML", async () => {
  const png = await makePng(browser);
  await owner.getByLabel("Upload a logo").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: png });
  await owner.locator("#logo-preview").waitFor({ state: "visible" });
  await owner.getByRole("button", { name: "Upload logo" }).click();
  await owner.waitForURL(/done=logo$/);
  await checkPage(owner);
  const logo = owner.locator("#current-logo");
  await logo.waitFor();
  assert.ok(await logo.evaluate((img) => img.complete && img.naturalWidth > 0), "the logo does not load");

  // A file that is not an image is refused next to the field.
  await owner.getByLabel("Upload a logo").setInputFiles({ name: "evil.svg", mimeType: "image/svg+xml", buffer: Buffer.from("<svg onload=alert(1)>") });
  await owner.getByRole("button", { name: "Upload logo" }).click();
  await owner.locator("#logo-error").waitFor();
  assert.match(await owner.locator("#logo-error").textContent(), /PNG, JPEG, GIF or WebP/);
  await screenshot(owner, "app-logo-error");

  await owner.goto(`${BASE}/console/apps/${state.appSid}`);
  const snippet = await owner.getByLabel("Button HTML").inputValue();
  assert.ok(snippet.includes(`${BASE}/authorize/${state.appSid}?state=YOUR_STATE`), snippet);
  assert.ok(snippet.includes(`${BASE}/assets/connect-button.svg`), snippet);
  await owner.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  await owner.getByRole("button", { name: "Copy HTML" }).click();
  await owner.getByRole("button", { name: "Copied" }).waitFor();
  const copied = await owner.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, snippet);
  state.snippet = snippet;
  const preview = owner.locator(".button-preview img");
  assert.ok(await preview.evaluate((img) => img.complete && img.naturalWidth > 0), "button image broken");
  await screenshot(owner, "app-detail");
});

test("a customer follows the button, signs up, upgrades and authorizes the app", async () => {
  // The link exactly as the snippet has it, with the app's own state.
  const href = state.snippet.match(/href="([^"]+)"/)[1].replaceAll("&amp;", "&").replace("YOUR_STATE", "tenant-7");
  await customer.goto(href);
  await customer.waitForURL(/\/signin\?next=/);
  await checkPage(customer, { nav: false });
  await customer.getByRole("link", { name: "Create one" }).click();
  await customer.getByLabel(/Account name/).fill("Customer Co");
  await customer.getByLabel("Email").fill(CUSTOMER_EMAIL);
  await customer.getByLabel(/Password/).fill(CUSTOMER_PASSWORD);
  await screenshot(customer, "signup");
  await customer.getByRole("button", { name: "Create account" }).click();
  await customer.waitForURL(new RegExp(`/authorize/${state.appSid}`));
  // The consent page shows no console navigation.
  await checkPage(customer, { nav: false });
  // A Trial account is told to upgrade first.
  assert.equal(await customer.getByRole("button", { name: "Authorize" }).count(), 0);
  await screenshot(customer, "consent-trial");
  await customer.getByRole("link", { name: "Upgrade your account" }).click();
  await checkPage(customer);
  await screenshot(customer, "upgrade");
  await customer.getByRole("button", { name: "Upgrade to Full" }).click();
  // Back on the consent page, its state intact, with a message.
  await customer.waitForURL((url) => {
    const u = new URL(url);
    return u.pathname === `/authorize/${state.appSid}` && u.searchParams.get("state") === "tenant-7"
      && u.searchParams.get("upgraded") === "1";
  });
  assert.match(await customer.locator("#upgraded").textContent(), /now a Full account/);
  await customer.goto(BASE + "/console");
  assert.ok((await customer.locator("dl.facts").first().textContent()).includes("Full"));

  await customer.goto(href);
  await checkPage(customer, { nav: false });
  assert.ok(await customer.locator("img.logo").evaluate((img) => img.naturalWidth > 0), "logo on the consent page");
  await screenshot(customer, "consent");
  await customer.getByRole("button", { name: "Authorize" }).click();
  await customer.waitForURL(new RegExp(`^${receiver.url}/twilio/authorize`));
  const back = new URL(customer.url());
  assert.equal(back.searchParams.get("state"), "tenant-7");
  state.subaccount = back.searchParams.get("AccountSid");
  assert.match(state.subaccount, /^AC[0-9a-f]{32}$/);
});

test("the customer sees the app in Authorized apps with its logo, company, permissions and date", async () => {
  await visit(customer, "/console/authorized-apps", "authorized-apps");
  const row = customer.locator("tbody tr", { hasText: "Call Analytics" });
  await row.waitFor();
  const text = await row.textContent();
  assert.ok(text.includes("Rossum Inc"), text);
  assert.ok(text.includes("get-all"), text);
  assert.ok(text.includes(state.subaccount), text);
  assert.match(text, /\d{4}/, "an authorization date");
  assert.ok(await row.locator("img.logo").evaluate((img) => img.naturalWidth > 0));
});

test("the app owner sees the customer in Who authorized my app, flagged after asking for more", async () => {
  await owner.goto(`${BASE}/console/apps/${state.appSid}`);
  await owner.getByRole("link", { name: "Who authorized this app" }).click();
  await checkPage(owner);
  const row = owner.locator("tbody tr", { hasText: state.subaccount });
  await row.waitFor();
  assert.ok((await row.textContent()).includes("Customer Co"));
  assert.equal(await row.getByText("must authorize again").count(), 0);
  await screenshot(owner, "app-customers");

  // Ask for post-all too: the customer keeps what they granted, flagged.
  await owner.goto(`${BASE}/console/apps/${state.appSid}`);
  await owner.getByLabel(/post-all/).check();
  await owner.getByRole("button", { name: "Save changes" }).click();
  await owner.waitForURL(/done=saved$/);
  await owner.goto(`${BASE}/console/apps/${state.appSid}/customers`);
  const flagged = owner.locator("tbody tr", { hasText: state.subaccount });
  assert.equal(await flagged.getByText("must authorize again").count(), 1);
  await screenshot(owner, "app-customers-flagged");
});

test("the customer revokes the app after a confirmation; the deauthorize callback arrives", async () => {
  await customer.goto(`${BASE}/console/authorized-apps`);
  await customer.getByRole("link", { name: "Revoke…" }).click();
  await checkPage(customer);
  await screenshot(customer, "revoke-confirm");
  await customer.getByRole("button", { name: "Revoke access" }).click();
  await customer.waitForURL(/\/console\/authorized-apps\?revoked=/);
  assert.ok((await customer.getByRole("status").textContent()).includes("was revoked"));
  assert.equal(await customer.locator("tbody tr").count(), 0);
  await screenshot(customer, "authorized-apps-after-revoke");
  const [hook] = await receiver.waitFor((r) => r.url === "/twilio/deauthorize");
  assert.equal(hook.method, "POST");
  const params = new URLSearchParams(hook.body);
  assert.equal(params.get("AccountSid"), state.subaccount);
  assert.equal(params.get("ConnectAppSid"), state.appSid);
  state.idempotency = hook.headers["i-twilio-idempotency-token"];
  assert.ok(state.idempotency);
});

test("the app owner sees the deauthorize delivery with its attempt, and replays it", async () => {
  await owner.goto(`${BASE}/console/apps/${state.appSid}/customers`);
  assert.equal(await owner.locator("tbody tr", { hasText: state.subaccount }).count(), 0, "revoked customer still listed");
  await visit(owner, "/console/deliveries", "deliveries");
  const row = owner.locator("tbody tr", { hasText: "deauthorize" }).first();
  assert.ok((await row.textContent()).includes("/twilio/deauthorize"));
  await row.getByRole("link", { name: "deauthorize" }).click();
  await checkPage(owner);
  // Only each attempt's status badge: a random SID in the parameters table may contain "200".
  const okAttempts = () => owner.locator("ol.attempts > li > h3 .badge", { hasText: /^\s*200\s*$/ }).count();
  for (let i = 0; i < 20 && (await okAttempts()) === 0; i++) {
    await owner.waitForTimeout(250);
    await owner.reload();
  }
  assert.equal(await okAttempts(), 1, "the attempt with status 200");
  assert.ok((await owner.locator("dl.facts").textContent()).includes("delivered"));
  await screenshot(owner, "delivery");
  // Every replay is confirmed first; this grant is still revoked, so no warning.
  await owner.getByRole("link", { name: "Replay…" }).click();
  await owner.waitForURL(/\/replay$/);
  await checkPage(owner);
  assert.equal(await owner.getByText("grant is active again").count(), 0);
  await screenshot(owner, "delivery-replay-confirm");
  await owner.getByRole("button", { name: "Replay callback" }).click();
  await owner.waitForURL(/replayed=1$/);
  const hooks = await receiver.waitFor((r) => r.url === "/twilio/deauthorize", 2);
  assert.equal(hooks[1].headers["i-twilio-idempotency-token"], state.idempotency, "same idempotency token on replay");
  for (let i = 0; i < 20 && (await okAttempts()) < 2; i++) {
    await owner.waitForTimeout(250);
    await owner.reload();
  }
  assert.equal(await okAttempts(), 2, "two attempts after the replay");
  await screenshot(owner, "delivery-replayed");
});

test("subaccounts: create (escaped), rename with a field error, suspend, reactivate, close", async () => {
  await visit(owner, "/console/subaccounts", "subaccounts-empty");
  await owner.getByLabel(/New subaccount name/).fill("Staging <b>bold</b>");
  await owner.getByRole("button", { name: "Create subaccount" }).click();
  await owner.waitForURL(/\/console\/subaccounts\/AC[0-9a-f]{32}\?done=created$/);
  await checkPage(owner);
  assert.equal(await owner.getByRole("heading", { level: 1 }).textContent(), "Staging <b>bold</b>");
  const sub = owner.url().match(/AC[0-9a-f]{32}/)[0];

  await owner.getByLabel("Name").fill("   ");
  await owner.getByRole("button", { name: "Save name" }).click();
  await owner.locator("#friendly_name-error").waitFor();
  assert.match(await owner.locator("#friendly_name-error").textContent(), /must not be empty/);
  await screenshot(owner, "subaccount-error");
  await owner.getByLabel("Name").fill("Staging");
  await owner.getByRole("button", { name: "Save name" }).click();
  await owner.waitForURL(/done=renamed$/);

  await owner.getByRole("link", { name: "Suspend…" }).click();
  await checkPage(owner);
  await screenshot(owner, "subaccount-suspend-confirm");
  await owner.getByRole("button", { name: "Suspend subaccount" }).click();
  await owner.waitForURL(/done=suspended$/);
  await owner.getByRole("link", { name: "Reactivate…" }).click();
  await owner.getByRole("button", { name: "Reactivate" }).click();
  await owner.waitForURL(/done=reactivated$/);
  await owner.getByRole("link", { name: "Close…" }).click();
  await owner.getByRole("button", { name: "Close subaccount" }).click();
  await owner.waitForURL(/done=closed$/);
  assert.ok((await owner.locator("dl.facts").textContent()).includes("closed"));
  await visit(owner, "/console/subaccounts", "subaccounts");
  assert.ok((await owner.locator("tbody").textContent()).includes(sub));
});

test("token rotation: create a secondary token, promote it, delete another, each confirmed", async () => {
  await owner.goto(BASE + "/console");
  await owner.getByRole("link", { name: "Create secondary token…" }).click();
  await checkPage(owner);
  await screenshot(owner, "token-create-confirm");
  // The new token is shown in the answer at once, without a Reveal click.
  await owner.getByRole("button", { name: "Create secondary token" }).click();
  await owner.locator("#fresh-secondary-token").waitFor();
  await checkPage(owner);
  const secondary = (await owner.locator("#fresh-secondary-token").textContent()).trim();
  assert.notEqual(secondary, state.ownerToken);
  await owner.goto(BASE + "/console");
  await owner.getByRole("link", { name: "Promote secondary to primary…" }).click();
  await owner.getByRole("button", { name: "Promote to primary" }).click();
  await owner.waitForURL(/done=promoted$/);
  await owner.getByRole("button", { name: "Reveal auth tokens" }).click();
  assert.equal((await owner.locator("#primary-token").textContent()).trim(), secondary);
  await owner.goto(BASE + "/console");
  await owner.getByRole("link", { name: "Create secondary token…" }).click();
  await owner.getByRole("button", { name: "Create secondary token" }).click();
  await owner.getByRole("link", { name: "Delete secondary token…" }).click();
  await owner.getByRole("button", { name: "Delete secondary token" }).click();
  await owner.waitForURL(/done=deleted$/);
  assert.equal(await owner.getByRole("link", { name: "Delete secondary token…" }).count(), 0);
});

test("logs: calls and messages of the account, filtered by status, To and From, paged", async () => {
  await visit(owner, "/console/logs", "logs-calls");
  const first = await owner.locator("tbody tr").count();
  assert.equal(first, 25, "a full first page of the 50 seeded calls");
  await owner.getByRole("link", { name: "Next page →" }).click();
  await checkPage(owner);
  assert.equal(await owner.locator("tbody tr").count(), 25);
  await owner.getByRole("link", { name: /previous/ }).click();
  assert.equal(await owner.locator("tbody tr").count(), 25);

  await owner.getByLabel("Status").selectOption("completed");
  await owner.getByRole("button", { name: "Filter" }).click();
  const statuses = await owner.locator("tbody tr .badge").allTextContents();
  assert.ok(statuses.length > 0 && statuses.every((s) => s === "completed"), statuses.join(","));
  await screenshot(owner, "logs-calls-completed");

  const to = (await owner.locator("tbody tr td:nth-child(3)").first().textContent()).trim();
  await owner.goto(BASE + "/console/logs");
  await owner.getByLabel("To").fill(to);
  await owner.getByRole("button", { name: "Filter" }).click();
  const tos = await owner.locator("tbody tr td:nth-child(3)").allTextContents();
  assert.ok(tos.length > 0 && tos.every((t) => t.trim() === to));

  await owner.getByRole("link", { name: "Messages" }).click();
  await checkPage(owner);
  await owner.getByLabel("To").fill("");
  await owner.getByRole("button", { name: "Filter" }).click();
  assert.equal(await owner.locator("tbody tr").count(), 20, "the 20 seeded messages");
  const from = (await owner.locator("tbody tr td:nth-child(2)").first().textContent()).trim();
  await owner.getByLabel("From", { exact: true }).fill(from);
  await owner.getByRole("button", { name: "Filter" }).click();
  const froms = await owner.locator("tbody tr td:nth-child(2)").allTextContents();
  assert.ok(froms.length > 0 && froms.every((f) => f.trim() === from));
  await screenshot(owner, "logs-messages");

  await owner.getByLabel("From", { exact: true }).fill("");
  await owner.getByLabel("Status").selectOption("delivered");
  await owner.getByRole("button", { name: "Filter" }).click();
  await checkPage(owner);
  const delivered = await owner.locator("tbody tr .badge").allTextContents();
  assert.ok(delivered.length > 0 && delivered.every((s) => s === "delivered"), delivered.join(","));
  assert.equal(await owner.getByLabel("Status").inputValue(), "delivered", "the filter shows what it filters by");
  await screenshot(owner, "logs-messages-delivered");
});

test("usage: spend per category and per day drawn as a chart, and the balance", async () => {
  await visit(owner, "/console/usage", "usage");
  assert.match(await owner.locator("#balance").textContent(), /^-?\$\d+\.\d\d/);
  assert.notEqual(await owner.locator("#total").textContent(), "$0.00", "seeded usage costs something");
  const bars = await owner.locator("svg rect.bar").count();
  assert.equal(bars, 30);
  const drawn = await owner.locator("svg rect.bar").evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute("height")) > 0).length);
  assert.ok(drawn > 0, "some days have spend");
  // Categories in words, with the API's name beside them, and units.
  const categories = await owner.locator('tbody td[data-label="Category"]').allTextContents();
  assert.ok(categories.some((c) => c.startsWith("Outbound calls") && c.includes("calls-outbound")), categories.join(","));
  assert.ok(categories.some((c) => /^(Outbound|Inbound) SMS/.test(c)), categories.join(","));
  const counts = await owner.locator('tbody td[data-label="Count"]').allTextContents();
  assert.ok(counts.every((c) => /^\d+ (call|message|number|recording)s?$/.test(c.trim())), counts.join(","));
  const usage = await owner.locator('tbody td[data-label="Usage"]').allTextContents();
  assert.ok(usage.every((u) => /^[\d.]+ (minute|segment|number)s?$/.test(u.trim())), usage.join(","));
  await owner.getByRole("link", { name: "7 days" }).click();
  assert.equal(await owner.locator("svg rect.bar").count(), 7);
});

test("audit log: sign-ins, app changes, token rotations and subaccount changes are recorded", async () => {
  await visit(owner, "/console/audit", "audit");
  const text = await owner.locator("tbody").textContent();
  for (const action of ["console.sign_in", "connect_app.create", "connect_app.permissions_changed", "token.secondary_created", "token.promoted", "token.secondary_deleted", "subaccount.close"]) {
    assert.ok(text.includes(action), `audit log lacks ${action}`);
  }
  await visit(customer, "/console/audit", "audit-customer");
  const theirs = await customer.locator("tbody").textContent();
  for (const action of ["account.sign_up", "account.upgrade", "connect.authorize", "connect.revoke"]) {
    assert.ok(theirs.includes(action), `customer's audit log lacks ${action}`);
  }
});

test("every console page renders, and pages of other accounts answer 404", async () => {
  const pages = [
    ["/console", "dashboard-final"],
    ["/console/upgrade", "upgrade-full"],
    ["/console/subaccounts", "subaccounts-final"],
    ["/console/apps", "apps"],
    ["/console/apps/new", "app-new"],
    [`/console/apps/${state.appSid}`, "app-final"],
    [`/console/apps/${state.appSid}/customers`, "app-customers-final"],
    [`/console/apps/${state.appSid}/delete`, "app-delete-confirm"],
    ["/console/authorized-apps", "authorized-apps-owner"],
    ["/console/deliveries", "deliveries-final"],
    ["/console/logs?kind=messages", "logs-messages-final"],
    ["/console/usage?days=90", "usage-90"],
    ["/console/audit", "audit-final"],
  ];
  for (const [p, name] of pages) await visit(owner, p, name);
  // The customer reaching for the owner's app and deliveries sees nothing of them.
  for (const p of [`/console/apps/${state.appSid}`, `/console/apps/${state.appSid}/customers`]) {
    await visit(customer, p, "not-found", 404);
  }
  // Readable on a phone: the same pages in a narrow window.
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await signIn(phone, OWNER_EMAIL, OWNER_PASSWORD);
  for (const [p, name] of [["/console", "phone-dashboard"], [`/console/apps/${state.appSid}`, "phone-app"], ["/console/logs", "phone-logs"], ["/console/usage", "phone-usage"], ["/console/deliveries", "phone-deliveries"]]) {
    // What a phone shows first; the full pages are the desktop shots above.
    await visit(phone, p, name, 200, false);
  }
});
