// End-to-end tests: serve dist/ on loopback, drive it in Debian's headless Chromium, assert on
// data-testid hooks, the console and the network; screenshots go to target/e2e/.
// No test asserts on elapsed time: responsiveness is measured by bench.mjs, which prints figures.
import { join } from "node:path";
import { start, openPage, shots } from "./browser.mjs";
import { tests as pageTests } from "./tests.mjs";
import { answerTests } from "./tests-answers.mjs";

const tests = [...pageTests, ...answerTests];

const { browser, origin, url, close } = await start();
const only = process.argv[2];
let passed = 0, failed = 0;
for (const t of tests.filter((t) => !only || t.name.includes(only))) {
  const { context, page, app, problems } = await openPage(browser, origin, url, { colorScheme: t.colorScheme, phone: t.phone });
  try {
    await t.run({ app, page, context, shots, origin, url });
    const found = problems();
    if (found.length) throw new Error(found.join("\n  "));
    passed++;
    console.log(`ok   ${t.name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${t.name}: ${e.message}`);
    await page.screenshot({ path: join(shots, `FAILED-${t.name.replace(/\W+/g, "_")}.png`) }).catch(() => {});
  }
  await context.close();
}
await close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
