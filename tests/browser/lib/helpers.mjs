// Shared by the browser journeys: the browser, a callback receiver, screenshots,
// and checks every console page must pass.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";

/// axe-core, pinned in package.json, injected into every page checked.
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export const BASE = process.env.SB_URL;
export const ARTIFACTS = process.env.ARTIFACTS;
if (!BASE || !ARTIFACTS) {
  throw new Error("run these tests with tests/browser/run.sh (SB_URL and ARTIFACTS unset)");
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/// A tiny HTTP server that records every request and answers 200.
export async function startReceiver() {
  const received = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>Example app</title><h1>Back at the app</h1>");
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    received,
    close: () => new Promise((r) => server.close(r)),
    /// Waits until `predicate` holds for some request; returns the matches.
    async waitFor(predicate, count = 1, ms = 15000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hits = received.filter(predicate);
        if (hits.length >= count) return hits;
        if (Date.now() > deadline) {
          throw new Error(`receiver: expected ${count} matching request(s), got ${hits.length}: ${JSON.stringify(received.map((r) => r.method + " " + r.url))}`);
        }
        await new Promise((r) => { waiters.push(r); setTimeout(r, 250); });
      }
    },
  };
}

let shot = 0;
/// A full-page screenshot in artifacts/, numbered in the order taken.
export async function screenshot(page, name, fullPage = true) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/// The accessibility violations of impact serious or critical axe-core finds
/// on the page as it is now, one line each (empty when there are none).
export async function accessibilityViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    // In a browser context without JavaScript, timers never fire, and axe waits
    // on them: run its callbacks as microtasks instead. No page script runs
    // there, so nothing else sees the change.
    await page.evaluate(() => {
      if (!matchMedia("(scripting: none)").matches) return;
      const soon = (f, ...args) => { Promise.resolve().then(() => f(...args)); return 0; };
      Object.assign(window, { setTimeout: soon, requestAnimationFrame: soon, requestIdleCallback: soon, clearTimeout() {} });
    });
    // Through the DevTools protocol, so the page's Content Security Policy
    // (scripts only from Switchboard) does not refuse it.
    await page.evaluate(`${AXE_SOURCE}\n;0`);
  }
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
    return violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `axe ${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")}${n.any[0]?.message ? ` [${n.any[0].message}]` : ""}`).join("; ")}${v.nodes.length > 4 ? ` and ${v.nodes.length - 4} more` : ""}`);
  });
}

/// What every console page must do: answer 200 with a title and the
/// navigation, label every field, carry a CSRF token in every form that
/// changes something, load nothing from elsewhere, fit the screen's width
/// with nothing cut off or sticking out of its card, and pass axe-core with no
/// serious or critical violation.
export async function checkPage(page, { nav = true } = {}) {
  // The screen's width as the test set it: on a mobile viewport the browser
  // widens window.innerWidth to fit a page that overflows, so it cannot judge.
  const screenWidth = page.viewportSize()?.width;
  const problems = await page.evaluate(([expectNav, screenWidth]) => {
    const out = [];
    if (!document.title.includes("Switchboard")) out.push("no title");
    if (expectNav && !document.querySelector('nav[aria-label="Console"]')) out.push("no console navigation");
    for (const el of document.querySelectorAll("input, select, textarea")) {
      if (el.type === "hidden") continue;
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label");
      if (!labelled) out.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
    }
    for (const form of document.querySelectorAll("form")) {
      if ((form.getAttribute("method") || "get").toLowerCase() !== "post") continue;
      if (!form.querySelector('input[name="csrf_token"]')?.value) out.push(`form to ${form.getAttribute("action")} without a CSRF token`);
    }
    for (const el of document.querySelectorAll("[src], link[href]")) {
      const url = new URL(el.getAttribute("src") || el.getAttribute("href"), location.href);
      if (url.origin !== location.origin && url.protocol !== "data:") out.push(`external resource ${url}`);
    }
    const width = Math.min(window.innerWidth, screenWidth || window.innerWidth);
    if (document.documentElement.scrollWidth > width + 1) {
      out.push(`wider than the screen: ${document.documentElement.scrollWidth} > ${width}`);
    }
    // A table scrolled sideways inside its box hides columns (and buttons);
    // content wider than its card sticks out of it.
    const describe = (el) => (el.querySelector("h1, h2, th")?.textContent || el.className).trim().slice(0, 40);
    for (const el of document.querySelectorAll(".table-scroll, .card")) {
      if (el.scrollWidth > el.clientWidth + 1) {
        out.push(`cut off or sticking out of its box (${describe(el)}): ${el.scrollWidth} > ${el.clientWidth}`);
      }
    }
    return out;
  }, [nav, screenWidth]);
  problems.push(...(await accessibilityViolations(page)));
  assert.deepEqual(problems, [], `${page.url()}: ${problems.join("; ")}`);
}

/// Opens a console page, checks it, and saves a screenshot.
export async function visit(page, pathname, name, expectStatus = 200, fullPage = true) {
  const response = await page.goto(BASE + pathname);
  assert.equal(response.status(), expectStatus, `${pathname} answered ${response.status()}`);
  await checkPage(page);
  await screenshot(page, name, fullPage);
  return response;
}

/// A real PNG, drawn by the browser itself.
export async function makePng(browser) {
  const page = await browser.newPage();
  await page.setContent(`<div id="l" style="width:128px;height:128px;border-radius:28px;
    background:linear-gradient(135deg,#2f6feb,#7c3aed);display:grid;place-items:center;
    color:#fff;font:700 64px system-ui">R</div>`);
  const png = await page.locator("#l").screenshot({ omitBackground: true });
  await page.close();
  return png;
}

export async function signIn(page, email, password) {
  await page.goto(BASE + "/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(BASE + "/console");
}
