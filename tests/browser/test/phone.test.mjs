// The Phone page in Debian's Chromium: an account (made with the command line)
// buys a number whose messaging webhook is a local app answering TwiML; in the
// console, its owner texts the number from a handset and sees the webhook's
// answer and the app's reply appear without the page reloading, on a desktop
// and on a phone-sized screen.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { after, before, test } from "node:test";

import { BASE, checkPage, launch, screenshot, signIn, visit } from "../lib/helpers.mjs";

const EMAIL = `phone-${Date.now()}@example.com`;
const PASSWORD = "phone page password 7";
const HANDSET = "+14155550199";

let browser, app, account;

function xml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/// The customer's app: answers every incoming message with one reply, after a
/// short pause (so the page has to catch up with it).
async function startApp() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const params = new URLSearchParams(body);
      received.push(params);
      setTimeout(() => {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>Got it: ${xml(params.get("Body") || "")}</Message></Response>`);
      }, 300);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/sms`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}

before(async () => {
  browser = await launch();
  app = await startApp();
  const created = JSON.parse(execFileSync(process.env.SWITCHBOARD_BIN, [
    "accounts", "create", "--database-url", process.env.SB_DB, "--email", EMAIL,
    "--password", PASSWORD, "--friendly-name", "Phone Shop", "--full", "--json",
  ], { encoding: "utf8" }));
  account = { sid: created.sid, token: created.auth_token };
  const bought = await fetch(`${BASE}/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`, {
    method: "POST",
    headers: {
      authorization: "Basic " + Buffer.from(`${account.sid}:${account.token}`).toString("base64"),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ AreaCode: "415", SmsUrl: app.url, FriendlyName: "Shop line" }),
  });
  assert.equal(bought.status, 201, await bought.clone().text());
  account.number = (await bought.json()).phone_number;
});

after(async () => {
  await browser?.close();
  await app?.close();
});

test("phone: text a number from a handset and watch the webhook and the reply arrive without a reload", async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, EMAIL, PASSWORD);
  await visit(page, "/console/phone", "phone-numbers");
  await page.getByRole("link", { name: account.number }).click();
  await checkPage(page);
  await screenshot(page, "phone-empty");

  // Anything the page does from now on happens in this document.
  await page.evaluate(() => { window.stillHere = true; });
  await page.getByLabel("Handset number").fill(HANDSET);
  await page.getByLabel("Message").fill("Table for two at 8?");
  await page.getByRole("button", { name: "Send from handset" }).click();

  const thread = page.locator("#thread");
  await thread.locator(".turn.app .text", { hasText: "Got it: Table for two at 8?" }).waitFor();
  await thread.locator(".latency").first().waitFor();
  assert.equal(await page.evaluate(() => window.stillHere), true, "the page reloaded");
  assert.equal(await page.locator("#live").isVisible(), true);
  assert.equal(await page.getByLabel("Message").inputValue(), "", "the sent text is cleared");
  assert.ok(page.url().includes("handset=%2B14155550199"), page.url());
  assert.equal(app.received.length, 1);
  assert.equal(app.received[0].get("From"), HANDSET);

  const text = await thread.textContent();
  assert.ok(text.includes("Table for two at 8?"), text);
  assert.ok(text.includes(app.url), "the webhook's URL");
  assert.match(text, /200\s+\d+ ms/, "the answer's status and latency");
  // The app's answer, opened, shows its TwiML as text.
  await thread.locator("details.attempt summary").first().click();
  assert.match(await thread.locator("pre.response-body").first().textContent(), /<Message>Got it: Table for two at 8\?<\/Message>/);
  // The reply reaches the handset: its status is updated in place.
  await thread.locator(".turn.app .badge", { hasText: "delivered" }).waitFor();
  assert.equal(await page.evaluate(() => window.stillHere), true, "the page reloaded");
  // The opened answer stays open while the thread refreshes.
  for (let i = 0; i < 2; i++) {
    await page.waitForResponse((r) => r.url().includes("/thread?"));
  }
  assert.equal(await thread.locator("details.attempt[open]").count(), 1);
  await checkPage(page);
  await screenshot(page, "phone-thread");

  // A mistake is shown next to its field, still without leaving the page.
  await page.getByLabel("Handset number").fill("not a number");
  await page.getByLabel("Message").fill("Hello?");
  await page.getByRole("button", { name: "Send from handset" }).click();
  await page.locator("#from-error").waitFor();
  assert.equal(await page.getByLabel("Message").inputValue(), "Hello?");
  assert.equal(await page.evaluate(() => window.stillHere), true);
  assert.equal(app.received.length, 1);

  // On a phone-sized screen, the same thread fits.
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await signIn(phone, EMAIL, PASSWORD);
  await visit(phone, new URL(page.url()).pathname + "?handset=%2B14155550199", "phone-thread-narrow", 200, true);
  assert.ok((await phone.locator("#thread").textContent()).includes("Got it: Table for two at 8?"));
});

test("phone: without scripts, sending reloads the page and shows the same thread", async () => {
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, EMAIL, PASSWORD);
  await page.goto(BASE + "/console/phone");
  await page.getByRole("link", { name: account.number }).click();
  await page.getByLabel("Handset number").fill(HANDSET);
  await page.getByLabel("Message").fill("Make it 9");
  await page.getByRole("button", { name: "Send from handset" }).click();
  await page.waitForURL(/handset=%2B14155550199/);
  await checkPage(page);
  // The reply comes after a pause: a reload shows it.
  for (let i = 0; i < 50 && !(await page.locator("#thread").textContent()).includes("Got it: Make it 9"); i++) {
    await page.waitForTimeout(200);
    await page.getByRole("link", { name: "Reload" }).click();
  }
  const text = await page.locator("#thread").textContent();
  assert.ok(text.includes("Table for two at 8?") && text.includes("Got it: Make it 9"), text);
  assert.equal(await page.locator("#live").isVisible(), false, "nothing claims to be live");
});
