// The consent screen and the flows around it, at 1280×800 and 390×844 (issue
// 24, items 4–7 and 13): upgrading from a consent page comes back to it with
// its query intact (and cannot be turned into a redirect elsewhere), the
// consent page shows only what the decision needs, "Switch account" signs out
// and comes back, new permissions are marked new and Authorized apps flags
// the app, a replay says what the app will receive, forms flag every mistake
// at once, and every error is a sentence in one voice.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";

import { BASE, checkPage, launch, screenshot, signIn, startReceiver } from "../lib/helpers.mjs";

const BIN = process.env.SWITCHBOARD_BIN;
const DB = process.env.SB_DB;
const stamp = Date.now();
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 }, isMobile: true },
];
const OWNER = { email: `consent-owner-${stamp}@example.com`, password: "consent owner password" };

let browser, receiver;
const apps = {};

function cli(...args) {
  return execFileSync(BIN, [...args, "--database-url", DB], { encoding: "utf8" });
}

function account(email, password, name, { full = true } = {}) {
  const made = JSON.parse(cli("accounts", "create", "--email", email, "--password", password,
    "--friendly-name", name, ...(full ? ["--full"] : []), "--json"));
  return { sid: made.sid, token: made.auth_token, email, password };
}

function app(name, permissions) {
  return JSON.parse(cli(
    "apps", "create", "--account", OWNER.sid, "--friendly-name", name,
    "--company-name", "Rossum Analytics", "--description", "Charts of your call logs.",
    "--authorize-redirect-url", `${receiver.url}/twilio/authorize`,
    "--deauthorize-callback-url", `${receiver.url}/twilio/deauthorize`,
    "--permissions", permissions, "--json",
  )).sid;
}

async function pageAt(size, who) {
  const context = await browser.newContext({ viewport: size.viewport, isMobile: !!size.isMobile });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  if (who) await signIn(page, who.email, who.password);
  return page;
}

/// Whether `url` is the consent page of `sid` with exactly `query` (whatever
/// the percent-encoding the server chose).
function consentUrl(sid, query) {
  return (url) => {
    const u = new URL(url);
    if (u.origin + u.pathname !== `${BASE}/authorize/${sid}`) return false;
    const got = Object.fromEntries(u.searchParams);
    return JSON.stringify(got) === JSON.stringify(query);
  };
}

/// The page's CSRF token (from any form on it).
async function csrf(page) {
  return page.locator('input[name="csrf_token"]').first().inputValue();
}

before(async () => {
  browser = await launch();
  receiver = await startReceiver();
  Object.assign(OWNER, account(OWNER.email, OWNER.password, "Rossum Analytics"));
  apps.reader = app("Call Reader", "get-all");
  apps.dialer = app("Power Dialer", "get-all,post-all");
  const number = await fetch(`${BASE}/2010-04-01/Accounts/${OWNER.sid}/IncomingPhoneNumbers.json`, {
    method: "POST",
    headers: {
      authorization: "Basic " + Buffer.from(`${OWNER.sid}:${OWNER.token}`).toString("base64"),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ AreaCode: "415" }),
  });
  assert.equal(number.status, 201);
  apps.number = (await number.json()).sid;
});

after(async () => {
  await browser?.close();
  await receiver?.close();
});

for (const size of SIZES) {
  const at = `${size.viewport.width}`;

  test(`${at}: upgrading from a consent page comes back to it, state and cb intact`, async () => {
    const trial = account(`consent-trial-${size.name}-${stamp}@example.com`, "trial password 123", "Trial Co", { full: false });
    const cb = `${receiver.url}/twilio/authorize?redirect_state=rs-${size.name}`;
    const query = { state: `tenant ${size.name}`, cb };
    const consent = `/authorize/${apps.dialer}?${new URLSearchParams(query)}`;
    const page = await pageAt(size);
    await page.goto(BASE + consent);
    await page.getByLabel("Email").fill(trial.email);
    await page.getByLabel("Password").fill(trial.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(consentUrl(apps.dialer, query));
    await checkPage(page, { nav: false });
    await page.getByRole("link", { name: "Upgrade your account" }).click();
    await page.waitForURL(/\/console\/upgrade\?return_to=/);
    await checkPage(page);
    assert.match(await page.locator("#return-note").textContent(), /go back to the app you were authorizing/);
    await screenshot(page, `${size.name}-upgrade-from-consent`);
    await page.getByRole("button", { name: "Upgrade to Full" }).click();
    await page.waitForURL(consentUrl(apps.dialer, { ...query, upgraded: "1" }));
    await checkPage(page, { nav: false });
    assert.match(await page.locator("#upgraded").textContent(), /now a Full account\. You can authorize Power Dialer below\./);
    await screenshot(page, `${size.name}-consent-after-upgrade`);
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.waitForURL(new RegExp(`^${receiver.url}/twilio/authorize`));
    const back = new URL(page.url());
    assert.equal(back.searchParams.get("state"), `tenant ${size.name}`);
    assert.equal(back.searchParams.get("redirect_state"), `rs-${size.name}`);
    assert.match(back.searchParams.get("AccountSid"), /^AC[0-9a-f]{32}$/);
    await page.context().close();
  });

  test(`${at}: the upgrade and sign-out return only to a consent page of this site`, async () => {
    const who = account(`consent-redirect-${size.name}-${stamp}@example.com`, "redirect password 1", "Redirect Co", { full: false });
    const page = await pageAt(size, who);
    await page.goto(`${BASE}/console/upgrade?return_to=${encodeURIComponent("https://evil.example/")}`);
    assert.equal(await page.locator("#return-note").count(), 0, "a foreign return_to is shown");
    const token = await csrf(page);
    const post = (path, form) => page.request.post(BASE + path, { form: { csrf_token: token, ...form }, maxRedirects: 0 });
    // Without a token, nothing happens.
    const forged = await page.request.post(`${BASE}/console/upgrade`, { form: { return_to: `/authorize/${apps.reader}` }, maxRedirects: 0 });
    assert.equal(forged.status(), 403);
    for (const evil of ["https://evil.example/", "//evil.example/authorize/x", "/\\evil.example", "/console/apps",
      `/authorize/${apps.reader}/../../console`, `https://evil.example/authorize/${apps.reader}`, "javascript:alert(1)"]) {
      const r = await page.request.get(`${BASE}/console/upgrade?return_to=${encodeURIComponent(evil)}`);
      assert.ok(!(await r.text()).includes("evil.example"), `${evil} is echoed on the upgrade page`);
    }
    // The upgrade itself: a foreign target is ignored (the dashboard), a
    // consent path is rebuilt from its app, state and cb alone.
    const upgraded = await post("/console/upgrade", { return_to: "https://evil.example/" });
    assert.equal(upgraded.status(), 303);
    assert.equal(upgraded.headers().location, "/console?done=upgraded");
    const again = await post("/console/upgrade", { return_to: `/authorize/${apps.reader}?state=s1&next=https://evil.example/&cb=x` });
    assert.equal(again.headers().location, `/authorize/${apps.reader}?state=s1&cb=x&upgraded=1`);
    // Signing out: only a consent page is returned to, through sign-in.
    const out = await post("/signout", { next: "https://evil.example/" });
    assert.equal(out.status(), 303);
    assert.equal(out.headers().location, "/signin");
    await page.context().close();
    const page2 = await pageAt(size, who);
    const out2 = await page2.request.post(`${BASE}/signout`, {
      form: { csrf_token: await csrf(page2), next: `/authorize/${apps.reader}?state=s2` }, maxRedirects: 0,
    });
    assert.equal(out2.headers().location, `/signin?next=${encodeURIComponent(`/authorize/${apps.reader}?state=s2`)}`);
    await page2.context().close();
  });

  test(`${at}: the consent page shows what matters, and Switch account comes back to it`, async () => {
    const customer = account(`consent-customer-${size.name}-${stamp}@example.com`, "customer password 1", `Customer ${size.name}`);
    const other = account(`consent-other-${size.name}-${stamp}@example.com`, "other password 12", `Other ${size.name}`);
    const page = await pageAt(size, customer);
    const consent = `${BASE}/authorize/${apps.reader}?state=st-${size.name}`;
    const isConsent = consentUrl(apps.reader, { state: `st-${size.name}` });
    await page.goto(consent);
    await checkPage(page, { nav: false });
    // No console navigation: Authorize is reached in a few Tab stops.
    assert.equal(await page.locator('nav[aria-label="Console"]').count(), 0);
    let stops = 0;
    for (; stops < 12; stops++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.textContent === "Authorize")) break;
    }
    assert.ok(stops < 8, `Authorize is ${stops + 1} Tab stops away`);
    const main = await page.locator("main").innerText();
    assert.match(main, /Call Reader/);
    assert.match(main, /by Rossum Analytics/);
    assert.match(main, new RegExp(`Customer ${size.name}`));
    assert.ok(main.includes(customer.sid), "the account's SID");
    assert.ok(main.includes(customer.email), "who is signed in");
    assert.match(main, /Read all account data/);
    // get-all only: nothing is billed.
    assert.equal(await page.locator("#billed").count(), 0, "billing warning without post-all");
    assert.match(await page.locator("#subaccount").textContent(), /creates a subaccount for it, Subaccount for ConnectApp: Call Reader/);
    assert.equal(await page.locator("#redirect-host").textContent(), `After you choose, you will be sent to ${new URL(receiver.url).host}.`);
    await screenshot(page, `${size.name}-consent-get-all`);
    await page.goto(`${BASE}/authorize/${apps.dialer}`);
    assert.match(await page.locator("#billed").textContent(), /billed to your account/);
    await screenshot(page, `${size.name}-consent-post-all`);

    // Not you? Switch account: signed out, then back to the same consent page.
    await page.goto(consent);
    await page.getByRole("button", { name: "Switch account" }).click();
    await page.waitForURL(/\/signin\?next=/);
    await checkPage(page, { nav: false });
    assert.match(await page.locator("main").innerText(), /Sign in to connect Call Reader/);
    await page.getByLabel("Email").fill(other.email);
    await page.getByLabel("Password").fill(other.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(isConsent);
    assert.ok((await page.locator("main").innerText()).includes(other.sid), "the other account is shown");
    await page.context().close();
  });

  test(`${at}: a permission asked for since the last approval is marked new; Authorized apps flags the app`, async () => {
    const customer = account(`consent-again-${size.name}-${stamp}@example.com`, "again password 12", `Again ${size.name}`);
    const sid = app(`Growing App ${size.name}`, "get-all");
    const page = await pageAt(size, customer);
    await page.goto(`${BASE}/authorize/${sid}?state=one`);
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.waitForURL(new RegExp(`^${receiver.url}/twilio/authorize`));
    const subaccount = new URL(page.url()).searchParams.get("AccountSid");
    // The owner asks for more.
    const response = await fetch(`${BASE}/2010-04-01/Accounts/${OWNER.sid}/ConnectApps/${sid}.json`, {
      method: "POST",
      headers: {
        authorization: "Basic " + Buffer.from(`${OWNER.sid}:${OWNER.token}`).toString("base64"),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ Permissions: "get-all,post-all" }),
    });
    assert.equal(response.status, 200, await response.text());

    await page.goto(`${BASE}/console/authorized-apps`);
    await checkPage(page);
    const row = page.locator("tbody tr", { hasText: `Growing App ${size.name}` });
    assert.match(await row.innerText(), /Waiting for re-approval/);
    assert.match(await row.innerText(), /It now also asks for post-all\./);
    await screenshot(page, `${size.name}-authorized-apps-reapproval`);
    await row.getByRole("link", { name: /Review/ }).click();
    await page.waitForURL(`${BASE}/authorize/${sid}`);
    await checkPage(page, { nav: false });
    assert.match(await page.locator("#asks-for-more").textContent(), /It now asks for more/);
    const items = await page.locator("ul.permissions li").allInnerTexts();
    assert.equal(items.length, 2, items.join("|"));
    assert.ok(!items.find((t) => t.includes("get-all")).includes("New"), "get-all is not new");
    assert.ok(items.find((t) => t.includes("post-all")).startsWith("New"), "post-all is new");
    assert.ok((await page.locator("#subaccount").textContent()).includes(subaccount), "the existing subaccount");
    await screenshot(page, `${size.name}-consent-asks-for-more`);
    await page.context().close();
  });

  test(`${at}: the new-app form flags every mistake at once, in one voice, keeping what was typed`, async () => {
    const page = await pageAt(size, OWNER);
    await page.goto(`${BASE}/console/apps/new`);
    // No hint about customers who authorized before: there are none yet.
    assert.ok(!(await page.locator("main").innerText()).includes("authorized before"));
    await page.getByLabel("App name").fill("Multi Error App");
    await page.getByLabel("Description").fill("Typed text stays.");
    await page.getByLabel("Homepage URL").fill("not a url");
    await page.getByLabel("Authorize redirect URL").fill("ftp://files.example.com/back");
    await page.getByLabel("Deauthorize callback URL").fill("https://user:pw@example.com/x");
    await page.getByRole("button", { name: "Create app" }).click();
    await page.locator("#homepage_url-error").waitFor();
    await checkPage(page);
    const errors = {};
    for (const f of ["company_name", "homepage_url", "authorize_redirect_url", "deauthorize_callback_url"]) {
      errors[f] = (await page.locator(`#${f}-error`).textContent()).trim();
      assert.equal(await page.locator(`#${f}`).getAttribute("aria-invalid"), "true", f);
      assert.equal(await page.locator(`#${f}`).getAttribute("aria-describedby"), `${f}-error`, f);
    }
    assert.equal(errors.company_name, "The company name is required: customers see it on the consent page.");
    assert.equal(errors.homepage_url, "The homepage URL must be an absolute http or https URL, such as https://example.com/.");
    assert.equal(errors.authorize_redirect_url, "The authorize redirect URL must be an absolute http or https URL, such as https://example.com/.");
    assert.match(errors.deauthorize_callback_url, /^The deauthorize callback URL must be .*without a user name or password in it\.$/);
    assert.equal(await page.locator("#friendly_name-error").count(), 0);
    assert.equal(await page.getByLabel("App name").inputValue(), "Multi Error App");
    assert.equal(await page.getByLabel("Description").inputValue(), "Typed text stays.");
    assert.equal(await page.getByLabel("Authorize redirect URL").inputValue(), "ftp://files.example.com/back");
    assert.match(await page.locator(".alert.error").first().textContent(), /^Nothing was created: correct the fields marked below/);
    await screenshot(page, `${size.name}-app-new-every-error`);
    // The edit form does the same.
    await page.goto(`${BASE}/console/apps/${apps.reader}`);
    await page.getByLabel("App name").fill("");
    await page.getByLabel("Terms of service URL").fill("mailto:legal@example.com");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#friendly_name-error").waitFor();
    assert.equal((await page.locator("#friendly_name-error").textContent()).trim(), "The app name must not be empty.");
    assert.match(await page.locator("#terms_of_service_url-error").textContent(), /^The terms of service URL must be an absolute http or https URL/);
    await checkPage(page);
    await screenshot(page, `${size.name}-app-edit-every-error`);
    await page.context().close();
  });

  test(`${at}: sign-up flags its three mistakes at once`, async () => {
    const page = await pageAt(size);
    await page.goto(`${BASE}/signup`);
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel(/Password/).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#email-error").waitFor();
    await checkPage(page, { nav: false });
    assert.equal((await page.locator("#friendly_name-error").textContent()).trim(), "The account name must not be empty.");
    assert.equal((await page.locator("#email-error").textContent()).trim(), "Enter a valid email address, like name@example.com.");
    assert.equal((await page.locator("#password-error").textContent()).trim(), "Password must be at least 8 characters long.");
    assert.equal(await page.getByLabel("Email").inputValue(), "not-an-email");
    await screenshot(page, `${size.name}-signup-every-error`);
    await page.context().close();
  });

  test(`${at}: the Phone page flags a bad handset number and an empty message at once`, async () => {
    const page = await pageAt(size, OWNER);
    await page.goto(`${BASE}/console/phone/${OWNER.sid}/${apps.number}`);
    await page.getByLabel(/Handset number/).fill("not a number");
    await page.getByRole("button", { name: "Send from handset" }).click();
    await page.locator("#body-error").waitFor();
    await checkPage(page);
    const handset = (await page.locator("#from-error").textContent()).trim();
    const body = (await page.locator("#body-error").textContent()).trim();
    assert.match(handset, /\.$/, handset);
    assert.equal(body, "A message is required.");
    assert.equal(await page.getByLabel(/Handset number/).inputValue(), "not a number");
    await screenshot(page, `${size.name}-phone-every-error`);
    await page.context().close();
  });

  test(`${at}: a replay asks first and says what the app will receive`, async () => {
    const customer = account(`consent-replay-${size.name}-${stamp}@example.com`, "replay password 12", `Replay ${size.name}`);
    const sid = app(`Replayed App ${size.name}`, "get-all");
    const page = await pageAt(size, customer);
    await page.goto(`${BASE}/authorize/${sid}`);
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.waitForURL(new RegExp(`^${receiver.url}/twilio/authorize`));
    const subaccount = new URL(page.url()).searchParams.get("AccountSid");
    await page.goto(`${BASE}/console/authorized-apps/${sid}/revoke`);
    await page.getByRole("button", { name: "Revoke access" }).click();
    await page.waitForURL(/revoked=/);
    await receiver.waitFor((r) => r.url.startsWith("/twilio/deauthorize") && r.body.includes(subaccount));
    await page.context().close();

    const owner = await pageAt(size, OWNER);
    const list = await (await fetch(`${BASE}/switchboard/v1/Accounts/${OWNER.sid}/Deliveries.json?PageSize=100`, {
      headers: { authorization: "Basic " + Buffer.from(`${OWNER.sid}:${OWNER.token}`).toString("base64") },
    })).json();
    const delivery = (list.deliveries || []).find((d) => d.connect_app_sid === sid);
    assert.ok(delivery, `no delivery for ${sid}: ${JSON.stringify(list).slice(0, 400)}`);
    const wd = delivery.sid;
    await owner.goto(`${BASE}/console/deliveries/${wd}/replay`);
    await checkPage(owner);
    const params = await owner.locator("table[aria-labelledby='replay-params']").innerText();
    assert.ok(params.includes("AccountSid") && params.includes(subaccount), params);
    assert.ok(params.includes("ConnectAppSid") && params.includes(sid), params);
    assert.match(await owner.locator("main").innerText(), /POST http:\/\/127\.0\.0\.1:\d+\/twilio\/deauthorize/);
    assert.match(await owner.locator("main").innerText(), /form-encoded in the body/);
    await screenshot(owner, `${size.name}-replay-confirm-params`);
    await owner.context().close();
  });
}
