// What the end-to-end tests and the browser benchmarks share: serving dist/ on loopback,
// launching Debian's headless Chromium, and a fresh context per test or run that records
// console errors and any request leaving the page's origin.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDist } from "./server.mjs";
import { RoofscalePage } from "./page.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..");
export const shots = join(root, "target", "e2e");

/** Serves dist/ (or DIST_DIR) and launches Chromium (or CHROMIUM); `close()` ends both. */
export async function start() {
  mkdirSync(shots, { recursive: true });
  const dist = resolve(process.env.DIST_DIR || join(root, "dist"));
  const { server, origin, url } = await serveDist(dist);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // Without the background-networking flags Chromium tries hosts this closed network refuses.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    // playwright-core gives every launch a fresh temporary profile (--user-data-dir).
  });
  const close = async () => {
    await browser.close();
    server.close();
  };
  return { browser, origin, url, close };
}

/** A fresh context and page, a desktop unless `phone` (390 × 844 CSS px at 3× with touch, as
 * an iPhone 12–14); `problems()` lists console errors and foreign requests. */
export async function openPage(browser, origin, url, { colorScheme = "light", phone = false } = {}) {
  const screen = phone
    ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }
    : { viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 };
  const context = await browser.newContext({ ...screen, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const consoleErrors = [];
  const foreignRequests = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:")) foreignRequests.push(u);
  });
  const problems = () => [
    ...consoleErrors.map((e) => `console error: ${e}`),
    ...foreignRequests.map((u) => `request outside the page's origin: ${u}`),
  ];
  return { context, page, app: new RoofscalePage(page, url), problems };
}
