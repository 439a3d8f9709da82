// End-to-end tests: serve dist/ on loopback, drive it in Debian's headless Chromium, assert on
// data-testid hooks, the console and the network; screenshots go to target/e2e/.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDist } from "./server.mjs";
import { RoofscalePage } from "./page.mjs";
import { tests } from "./tests.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const dist = resolve(process.env.DIST_DIR || join(root, "dist"));
const shots = join(root, "target", "e2e");
mkdirSync(shots, { recursive: true });

const { server, origin, url } = await serveDist(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  // playwright-core gives every launch a fresh temporary profile (--user-data-dir).
});

const only = process.argv[2];
let passed = 0, failed = 0;
for (const t of tests.filter((t) => !only || t.name.includes(only))) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1, colorScheme: t.colorScheme || "light" });
  const page = await context.newPage();
  const consoleErrors = [];
  const foreignRequests = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) foreignRequests.push(r.url()); });
  const app = new RoofscalePage(page, url);
  const started = Date.now();
  try {
    await t.run({ app, page, context, shots, origin, url });
    if (consoleErrors.length) throw new Error(`console errors:\n  ${consoleErrors.join("\n  ")}`);
    if (foreignRequests.length) throw new Error(`requests outside the page's origin:\n  ${foreignRequests.join("\n  ")}`);
    passed++;
    console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${t.name}: ${e.message}`);
    await page.screenshot({ path: join(shots, `FAILED-${t.name.replace(/\W+/g, "_")}.png`) }).catch(() => {});
  }
  await context.close();
}
await browser.close();
server.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
