// The end-to-end test list. Each test gets the page object and must leave no console error and
// no request outside the page's origin (checked by run.mjs after every test).
import { join } from "node:path";

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export const tests = [
  {
    name: "app mounts from a sub-path and shows its shell",
    async run({ app, page, shots }) {
      const t0 = Date.now();
      await app.open();
      const title = await app.text("app-title");
      assert(title === "roofscale", `title is "${title}", expected "roofscale"`);
      assert(await app.testId("sidebar").isVisible(), "sidebar not visible");
      assert(await app.testId("main-area").isVisible(), "main area not visible");
      console.log(`     mounted in ${Date.now() - t0} ms`);
      await page.screenshot({ path: join(shots, "shell-light.png"), fullPage: true });
    },
  },
  {
    name: "dark theme follows the system setting",
    colorScheme: "dark",
    async run({ app, page, shots }) {
      await app.open();
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert(bg === "rgb(20, 23, 27)", `dark background expected, found ${bg}`);
      await page.screenshot({ path: join(shots, "shell-dark.png"), fullPage: true });
    },
  },
];
