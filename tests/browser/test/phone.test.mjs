// The Phone page in Debian's Chromium: an account (made with the command line)
// buys a number whose messaging webhook is a local app answering TwiML; in the
// console, its owner texts the number from a handset and sees the webhook's
// answer and the app's reply appear without the page reloading, on a desktop
// and on a phone-sized screen. Another number's voice URL is the same app,
// answering with a menu: the owner calls it from a handset, presses a key on
// the page's keypad and sees each verb run, then hangs up a second call.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { after, before, test } from "node:test";

import { BASE, checkPage, launch, screenshot, signIn, visit } from "../lib/helpers.mjs";

const EMAIL = `phone-${Date.now()}@example.com`;
const PASSWORD = "phone page password 7";
const HANDSET = "+14155550199";
const CALLER = "+14155550177";

let browser, app, account;

function xml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/// The customer's app: answers every incoming message with one reply, after a
/// short pause (so the page has to catch up with it). A call to `/voice` is
/// answered with a menu (a <Gather> for one key) only once the test lets it
/// (`answerCalls`), as a slow app would: on the instant clock a key must be
/// pressed before the <Gather> runs. The menu's action thanks the caller.
async function startApp() {
  const received = [];
  const chosen = [];
  let answerCalls;
  let callsAnswered = new Promise((r) => (answerCalls = r));
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const params = new URLSearchParams(body);
      const path = new URL(req.url, "http://app").pathname;
      const twiml = (xmlBody) => {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Response>${xmlBody}</Response>`);
      };
      if (path === "/voice") {
        callsAnswered.then(() => twiml('<Gather numDigits="1" action="/chosen"><Say>Press 1 for opening hours</Say></Gather><Say>Nothing was pressed</Say>'));
      } else if (path === "/chosen") {
        chosen.push(params);
        twiml(`<Say>You pressed ${xml(params.get("Digits") || "nothing")}: we open at 9</Say>`);
      } else {
        received.push(params);
        setTimeout(() => twiml(`<Message>Got it: ${xml(params.get("Body") || "")}</Message>`), 300);
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: `${base}/sms`,
    voiceUrl: `${base}/voice`,
    received,
    chosen,
    answerCalls: () => answerCalls(),
    holdCalls: () => { callsAnswered = new Promise((r) => (answerCalls = r)); },
    close: () => { answerCalls(); server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
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
  const voice = await fetch(`${BASE}/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`, {
    method: "POST",
    headers: {
      authorization: "Basic " + Buffer.from(`${account.sid}:${account.token}`).toString("base64"),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ AreaCode: "415", VoiceUrl: app.voiceUrl, FriendlyName: "Opening hours line" }),
  });
  assert.equal(voice.status, 201, await voice.clone().text());
  const line = await voice.json();
  account.voicePage = `/console/phone/${account.sid}/${line.sid}`;
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

test("phone: call a number from a handset, press a key and see each verb run without a reload", async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(10000);
  await signIn(page, EMAIL, PASSWORD);
  await visit(page, account.voicePage, "phone-call-empty");
  assert.ok((await page.locator("#call-part").textContent()).includes("No call from"));

  await page.evaluate(() => { window.stillHere = true; });
  await page.getByLabel("Calling number").fill(CALLER);
  await page.getByRole("button", { name: "Call from handset" }).click();
  const call = page.locator("#call-part");
  // The call rings while the app thinks: the keypad is there already, and
  // the key pressed now waits for the <Gather>.
  await call.locator('[data-live="true"]').waitFor();
  assert.ok(page.url().includes("handset=%2B14155550177"), page.url());
  assert.match(await call.locator(".call-status").textContent(), /ringing/);
  const pressed = page.waitForEvent("requestfinished", (r) => r.url().endsWith("/input"));
  await call.getByRole("group", { name: "Keypad" }).getByRole("button", { name: "1", exact: true }).click();
  await pressed;

  // The app answers: the <Gather> takes the key, its action is asked, and
  // the verbs appear in the timeline as they run.
  app.answerCalls();
  await call.locator("td", { hasText: "<Gather>" }).first().waitFor();
  await call.locator("td", { hasText: "You pressed 1: we open at 9" }).waitFor();
  await call.locator(".badge", { hasText: "completed" }).waitFor();
  assert.equal(await page.evaluate(() => window.stillHere), true, "the page reloaded");
  assert.equal(app.chosen.length, 1);
  assert.equal(app.chosen[0].get("Digits"), "1");
  assert.equal(app.chosen[0].get("From"), CALLER);
  const timeline = await call.locator("ol.timeline").textContent();
  assert.ok(timeline.indexOf("<Gather>") < timeline.indexOf("You pressed 1"), timeline);
  assert.ok(timeline.includes(app.voiceUrl), "where the first document came from");
  assert.equal(await call.locator("#keys").count(), 0, "no keypad once the call ended");
  await checkPage(page);
  await screenshot(page, "phone-call-timeline");

  // A second call, which the app keeps waiting: its keypad fits on a
  // phone-sized screen too; hung up from the page, both pages show it end.
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  phone.setDefaultTimeout(10000);
  await signIn(phone, EMAIL, PASSWORD);
  app.holdCalls();
  await page.getByRole("button", { name: "Call from handset" }).click();
  await call.locator('[data-live="true"]').waitFor();
  await checkPage(page);
  await screenshot(page, "phone-call-ringing");
  await visit(phone, `${account.voicePage}?handset=%2B14155550177`, "phone-call-narrow", 200, true);
  assert.equal(await phone.locator("#keys").isVisible(), true);
  await call.getByRole("button", { name: "Hang up" }).click();
  await call.locator('[data-live="false"] .badge', { hasText: "canceled" }).waitFor();
  await phone.locator('#call-part [data-live="false"] .badge', { hasText: "canceled" }).waitFor();
  assert.equal(await page.evaluate(() => window.stillHere), true, "the page reloaded");
  app.answerCalls();

  // A mistake is said next to its field, without leaving the page.
  await page.getByLabel("Calling number").fill("not a number");
  await page.getByRole("button", { name: "Call from handset" }).click();
  await page.locator("#call-from-error").waitFor();
  assert.equal(await page.getByLabel("Calling number").inputValue(), "not a number");
  assert.equal(await page.evaluate(() => window.stillHere), true);
  await checkPage(page);
});

test("phone: without scripts, a call's keys and hanging up post and come back", async () => {
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  page.setDefaultTimeout(10000);
  // Each form posts and the browser loads the page it is sent back to.
  const submit = (name) => Promise.all([page.waitForEvent("load"), page.getByRole("button", { name }).click()]);
  await signIn(page, EMAIL, PASSWORD);
  app.holdCalls();
  await page.goto(BASE + account.voicePage);
  await page.getByLabel("Calling number").fill(CALLER);
  await submit("Call from handset");
  assert.ok(page.url().includes("handset=%2B14155550177#call"), page.url());
  await checkPage(page);
  assert.match(await page.locator(".call-status").textContent(), /ringing/);
  await page.locator("#keys-digits").fill("2");
  await submit("Send to the call");
  assert.equal(await page.locator("#keys-digits").inputValue(), "");
  await submit("Hang up");
  assert.ok((await page.locator("#call-part").textContent()).includes("canceled"));
  assert.equal(await page.locator("#keys").count(), 0);
  app.answerCalls();
});
