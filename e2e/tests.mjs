// The end-to-end test list. Each test gets the page object and must leave no console error and
// no request outside the page's origin (checked by run.mjs after every test).
import { join } from "node:path";
import { readFileSync } from "node:fs";

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** The file a click on `id` downloads: its suggested name and its bytes. */
async function download(app, id) {
  const wait = app.page.waitForEvent("download", { timeout: 15000 });
  await app.testId(id).click();
  const d = await wait;
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

/** The [r, g, b] of a PNG's pixel (x, y), decoded by the page. */
async function pngPixel(page, bytes, x, y) {
  return page.evaluate(async ([b64, x, y]) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)];
  }, [bytes.toString("base64"), x, y]);
}

/** Pixels of a canvas that are not transparent (what the overlay has drawn). */
function paintedOverlay(page, id) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }, `[data-testid="${id}"] canvas.chart-overlay`);
}

export const tests = [
  {
    name: "app mounts from a sub-path and shows its shell",
    async run({ app, page, shots }) {
      await app.open();
      const title = await app.text("app-title");
      assert(title === "roofscale", `title is "${title}", expected "roofscale"`);
      assert(await app.testId("sidebar").isVisible(), "sidebar not visible");
      assert(await app.testId("main-area").isVisible(), "main area not visible");
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
  {
    name: "default roofline numbers for Qwen2.5-0.5B on Jetson AGX Orin",
    async run({ app, page, shots }) {
      await app.open();
      const params = (await app.text("model-params")).replace(/\s/g, "");
      assert(params === "494032768", `Qwen2.5-0.5B parameters shown as ${params}`);
      const prefill = await app.text("latency-prefill");
      const decode = await app.text("latency-decode");
      assert(/ms$/.test(prefill) && /ms$/.test(decode), `latencies ${prefill} / ${decode}`);
      // Decode is bandwidth-bound: 16 steps × ~0.99 GB / 204.8 GB/s ≈ 77 ms (method.md §3).
      const dec = parseFloat(decode);
      assert(dec > 70 && dec < 90, `decode ${decode} outside the bandwidth-bound estimate`);
      assert(await app.testId("ops-prefill").isVisible(), "prefill operator table missing");
      // Regression (13c): each total sits under its own column header (it used to put all
      // bytes under "KV"). Weights: every weight once, 494,032,768 × 2 B (tied LM head), plus
      // the embedding rows of the 1024 prompt tokens, 1024 × 896 × 2 B: 989.9 MB (reference.md).
      const totals = await page.evaluate(() => {
        const t = document.querySelector('[data-testid="ops-prefill"]');
        const heads = [...t.querySelectorAll("thead th")].map((c) => c.textContent.trim());
        const cells = [...t.querySelectorAll('[data-testid="ops-prefill-total"] > *')].map((c) => c.textContent.trim());
        return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
      });
      assert(Object.keys(totals).length === 12, `total row: ${JSON.stringify(totals)}`);
      assert(totals["bits/weight"] === "" && totals["runs in"] === "", `format totals: ${JSON.stringify(totals)}`);
      // Each row names its storage bits and the format it computes in: FP16 throughout.
      const head = await page.evaluate(() => {
        const t = document.querySelector('[data-testid="ops-prefill"]');
        const heads = [...t.querySelectorAll("thead th")].map((c) => c.textContent.trim());
        const row = [...t.querySelectorAll("tbody tr")].find((r) => r.cells[0].textContent.trim() === "LM head");
        return row && Object.fromEntries(heads.map((h, i) => [h, row.cells[i].textContent.trim()]));
      });
      assert(head && head["bits/weight"] === "16.00" && head["runs in"] === "FP16", `LM head row: ${JSON.stringify(head)}`);
      assert(totals.weights === "989.9 MB", `weights total: ${JSON.stringify(totals)}`);
      assert(/B$/.test(totals.activations) && /B$/.test(totals.KV) && totals.KV !== totals.weights, `byte totals: ${JSON.stringify(totals)}`);
      assert(/s$/.test(totals["time (all ×)"]) && totals.bound === "", `time/bound totals: ${JSON.stringify(totals)}`);
      await page.screenshot({ path: join(shots, "roofline-default.png"), fullPage: true });
    },
  },
  {
    name: "uploading a device CSV adds and selects it; a bad row is reported by line and column",
    async run({ app }) {
      await app.open();
      const csv = "name,memory_gb,bandwidth_gbps,fp16_tflops\nMy board,16,100,20\nBroken,8,fast,10\n";
      await app.testId("device-file").setInputFiles({ name: "boards.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await app.testId("device-loaded").waitFor({ timeout: 15000 });
      assert((await app.text("device-bandwidth")) === "100.0 GB/s", `bandwidth ${await app.text("device-bandwidth")}`);
      const errors = await app.text("device-errors");
      assert(errors.includes('boards.csv line 3, column "bandwidth_gbps":'), `device errors: ${errors}`);
    },
  },
  {
    name: "a failed upload keeps the current device and model",
    async run({ app }) {
      await app.open();
      const before = await app.text("latency-total");
      await app.testId("device-file").setInputFiles({ name: "junk.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
      await app.testId("device-errors").locator("li").first().waitFor({ timeout: 15000 });
      await app.testId("model-file").setInputFiles({ name: "junk.json", mimeType: "application/json", buffer: Buffer.from("[1,2]") });
      await app.testId("model-error").waitFor({ timeout: 15000 });
      assert((await app.text("latency-total")) === before, "latency changed after failed uploads");
      assert((await app.text("device-bandwidth")) === "204.8 GB/s", "device changed after a failed upload");
    },
  },
  {
    name: "importing a Hugging Face config.json shows its exact parameter count",
    async run({ app }) {
      await app.open();
      const json = readFileSync(new URL("../public/presets/models/llama-3.2-1b.json", import.meta.url));
      await app.testId("model-file").setInputFiles({ name: "llama.json", mimeType: "application/json", buffer: json });
      await app.page.waitForFunction(() => document.querySelector('[data-testid="model-params"]')?.textContent.replace(/\s/g, "") === "1235814400", null, { timeout: 15000 });
      // Regression (13d): named by the file, not by its class "LlamaForCausalLM".
      const chosen = await app.page.evaluate(() => { const s = document.querySelector('[data-testid="model-select"]'); return s.options[s.selectedIndex].textContent; });
      assert(chosen === "llama", `imported model named ${chosen}`);
    },
  },
  {
    name: "an invalid workload field is reported and the last valid workload is kept",
    async run({ app }) {
      await app.open();
      await app.testId("workload-sparsity").fill("1.5");
      assert((await app.text("workload-error")).startsWith("activation_sparsity"), `sparsity error: ${await app.text("workload-error")}`);
      await app.testId("workload-sparsity").fill("0");
      const before = await app.text("latency-prefill");
      await app.testId("workload-prompt").fill("12x");
      const err = await app.text("workload-error");
      assert(err === 'prompt tokens: expected a whole number, found "12x"', `workload error: ${err}`);
      assert((await app.text("latency-prefill")) === before, "latency changed on invalid input");
      await app.testId("workload-prompt").fill("2048");
      assert((await app.text("latency-prefill")) !== before, "latency did not follow a valid prompt length");
    },
  },
  {
    name: "fitting the synthetic example in the worker: progress, coefficients, R², intervals, charts",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("loss-example").click();
      await app.testId("loss-synthetic").waitFor({ timeout: 15000 });
      await app.testId("fit-run").click();
      await app.testId("fit-report").waitFor({ timeout: 60000 });
      const r2 = parseFloat(await app.text("fit-r2-train"));
      const r2h = parseFloat(await app.text("fit-r2-heldout"));
      assert(r2 > 0.9 && r2h > 0.8, `R² train ${r2}, held-out ${r2h}`);
      const linf = parseFloat(await app.text("fit-param-10"));
      assert(linf > 2.0 && linf < 3.0, `L_inf fitted as ${linf} (published 2.53)`);
      assert((await app.text("fit-ci-10")).startsWith("["), "no bootstrap interval for L_inf");
      await app.drawn("fit-chart");
      await app.drawn("residual-chart");
      // The example's KV-width term is not identified (its interval spans 1e-12 to 4e4):
      // the page says so and asks before the law drives the search.
      const concerns = await app.text("fit-concerns");
      assert(concerns.includes("κ_m is not identified"), `concerns: ${concerns}`);
      assert(await app.testId("fit-use").isDisabled(), "a doubtful law can be used without confirming");
      await app.testId("fit-use-confirm").check();
      await app.testId("fit-use").click();
      assert((await app.text("law-source")).includes("fitted to synthetic-losses.csv"), "fitted law not in use");
      await page.screenshot({ path: join(shots, "fit.png"), fullPage: true });
    },
  },
  {
    name: "a loss CSV with bad rows lists them by line and column and keeps the good ones",
    async run({ app }) {
      await app.open();
      const csv = "layers,hidden_size,ffn_ratio,loss\n8,1024,2,3.9\n8,1024,2,abc\n16,2048,1,3.5\n";
      await app.testId("loss-file").setInputFiles({ name: "runs.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await app.testId("loss-data").waitFor({ timeout: 15000 });
      const issues = await app.text("loss-issues");
      assert(issues.includes('runs.csv line 3, column "loss": expected a number, found "abc"'), `issues: ${issues}`);
    },
  },
  {
    name: "default view: the paper grid is searched and its frontier drawn, hover shows a tooltip",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.testId("search-rate").waitFor({ timeout: 15000 });
      assert((await app.text("candidate-count")).replace(/\s/g, "") === "9520", `count ${await app.text("candidate-count")}`);
      const size = parseInt(await app.text("frontier-size-decode-FP16"), 10);
      assert(size > 5, `decode FP16 frontier has ${size} points`);
      // The static layer must not be blank: sample its pixels.
      await app.drawn("frontier-chart");
      const painted = await page.evaluate(() => {
        const c = document.querySelector('[data-testid="frontier-chart"] canvas.chart-base');
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        const first = [d[0], d[1], d[2]];
        let differ = 0;
        for (let i = 0; i < d.length; i += 4 * 97) if (d[i] !== first[0] || d[i + 1] !== first[1] || d[i + 2] !== first[2]) differ++;
        return differ;
      });
      assert(painted > 100, `frontier canvas looks blank (${painted} differing samples)`);
      await page.screenshot({ path: join(shots, "frontier-default.png"), fullPage: false });
      // Hover the chart until a tooltip appears.
      const box = await app.testId("frontier-chart").locator("canvas.chart-overlay").boundingBox();
      let found = false;
      for (let fx = 0.15; fx < 0.9 && !found; fx += 0.05) {
        for (let fy = 0.1; fy < 0.9 && !found; fy += 0.05) {
          await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
          found = await app.testId("frontier-chart-tooltip").isVisible().catch(() => false);
        }
      }
      assert(found, "no tooltip anywhere over the frontier chart");
      const tip = await app.text("frontier-chart-tooltip");
      assert(/loss \d\.\d{4}/.test(tip) && tip.includes("decode"), `tooltip: ${tip}`);
      await page.screenshot({ path: join(shots, "frontier-hover.png"), fullPage: false });
      // Clicking the hovered point pins it: the comparison and its roofline chart appear.
      await page.mouse.down();
      await page.mouse.up();
      await app.testId("design-compare").waitFor({ timeout: 15000 });
      assert((await app.testId("design-compare").locator("th").count()) === 2, "one pinned design expected");
      await app.testId("roofline-chart").waitFor({ timeout: 15000 });
      await app.testId("roofline-chart").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, "pinned-roofline.png"), fullPage: false });
    },
  },
  {
    name: "reload restores the autosaved session",
    async run({ app, page }) {
      await app.open();
      await app.testId("workload-prompt").fill("2048");
      await app.testId("search-objective").selectOption("prefill");
      await page.waitForFunction(() => {
        const saved = localStorage.getItem("roofscale.session") || "";
        return saved.includes("2048") && saved.includes("prefill");
      }, null, { timeout: 15000 });
      await page.reload({ waitUntil: "load" });
      await app.testId("app-root").waitFor({ timeout: 20000 });
      const prompt = await app.testId("workload-prompt").inputValue();
      assert(prompt === "2048", `prompt after reload: ${prompt}`);
      const objective = await app.testId("search-objective").inputValue();
      assert(objective === "prefill", `objective after reload: ${objective}`);
    },
  },
  {
    name: "a shared link restores the view in a fresh browser",
    async run({ app, page, context, url }) {
      await app.open();
      await app.testId("workload-generated").fill("64");
      await app.testId("search-budget").fill("150");
      await app.testId("search-budget").press("Enter");
      await app.testId("session-link").click();
      const link = await app.text("session-link-text");
      assert(link.startsWith(url) && link.includes("#s="), `link: ${link}`);
      const fresh = await context.browser().newContext();
      const other = await fresh.newPage();
      await other.goto(link, { waitUntil: "load" });
      await other.locator('[data-testid="app-root"]').waitFor({ timeout: 20000 });
      const generated = await other.locator('[data-testid="workload-generated"]').inputValue();
      const budget = await other.locator('[data-testid="search-budget"]').inputValue();
      await fresh.close();
      assert(generated === "64" && budget === "150", `restored generated=${generated} budget=${budget}`);
    },
  },
  {
    name: "a corrupt saved session is reported and set aside, not a blank page",
    async run({ app, page }) {
      await page.addInitScript(() => {
        if (!sessionStorage.getItem("seeded")) {
          localStorage.setItem("roofscale.session", "{ this is not a session");
          sessionStorage.setItem("seeded", "1");
        }
      });
      await app.open();
      const msg = await app.text("session-message");
      assert(msg.includes("set aside"), `message: ${msg}`);
      const kept = await page.evaluate(() => localStorage.getItem("roofscale.session.corrupt"));
      assert(kept === "{ this is not a session", "corrupt session not kept aside");
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
    },
  },
  {
    name: "exports produce files: session JSON, frontier and feasible-region PNG and SVG, candidates CSV",
    async run({ app, page }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.testId("theory-heatmap").waitFor({ timeout: 20000 });
      await app.drawn("theory-heatmap");
      await app.drawn("frontier-chart");
      for (const [id, name] of [["session-download", "roofscale-session.json"], ["frontier-chart-png", "frontier-jetson-agx-orin-64gb-decode.png"], ["frontier-chart-svg", "frontier-jetson-agx-orin-64gb-decode.svg"],
        ["theory-heatmap-png", "feasible-region.png"], ["theory-heatmap-svg", "feasible-region.svg"], ["export-frontier-csv", null]]) {
        const wait = page.waitForEvent("download", { timeout: 10000 });
        await app.testId(id).click();
        const d = await wait;
        assert(name === null || d.suggestedFilename() === name, `${id} saved ${d.suggestedFilename()}`);
        const path = await d.path();
        const { statSync, readFileSync } = await import("node:fs");
        assert(statSync(path).size > 500, `${d.suggestedFilename()} is only ${statSync(path).size} bytes`);
        if (name === null) assert(readFileSync(path, "utf8").split("\n").length > 5, "frontier CSV has too few lines");
        if (name?.endsWith(".svg")) assert(readFileSync(path, "utf8").includes("<svg"), "SVG export is not SVG");
      }
    },
  },
  {
    name: "calibrating from the illustrative measurements recovers the fractions and moves the frontier",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      // Measurements of another device are not fitted to the selected one.
      const example = readFileSync(new URL("../public/examples/orin-nano-measurements.csv", import.meta.url));
      await app.testId("calib-file").setInputFiles({ name: "nano.csv", mimeType: "text/csv", buffer: example });
      const refusal = await app.text("calib-error");
      assert(refusal === "nano.csv: its measurements are for Jetson Orin Nano Super 8GB; select one of those devices to calibrate it", `calibration error: ${refusal}`);
      await app.testId("calib-example").click();
      await app.testId("calib-report").waitFor({ timeout: 15000 });
      const bw = parseFloat(await app.text("calib-bandwidth"));
      const cp = parseFloat(await app.text("calib-compute"));
      assert(Math.abs(bw - 0.58) < 0.01 && Math.abs(cp - 0.57) < 0.01, `fitted fractions ${bw}, ${cp}`);
      const before = await app.text("latency-decode");
      await app.testId("calib-add").click();
      await page.waitForFunction((b) => document.querySelector('[data-testid="latency-decode"]')?.textContent !== b, before, { timeout: 15000 });
      const bwShown = await app.text("device-bandwidth");
      assert(bwShown === `${(102 * bw).toFixed(1)} GB/s` || bwShown.startsWith("59."), `calibrated bandwidth shown as ${bwShown}`);
      await app.testId("calib-chart").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, "calibration.png"), fullPage: false });
    },
  },
  {
    name: "theory panel: regime, table, feasible region and trends; the paper's worked example gives η = 0.125",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      const regime = await app.text("theory-regime");
      // Default: no latency budget, so memory limits depth, and heading and rows say so (13b).
      assert(regime.startsWith("No latency budget is set") && regime.includes("set by the memory at every width"), `regime: ${regime}`);
      const rows = await app.testId("theory-table").locator("tbody tr").count();
      assert(rows >= 5, `theory table has ${rows} rows`);
      // Regression (13a): on the 64 GB Orin memory allows hundreds of layers at small widths,
      // beyond the paper grid's 4–32; such depths are marked and a note says why.
      const depths = await app.testId("theory-table").locator("tbody tr td:nth-child(3)").allTextContents();
      const outside = depths.filter((t) => t.endsWith("(outside the grid 4–32)"));
      assert(outside.length > 0 && outside.every((t) => { const l = parseFloat(t); return l < 4 || l > 32; }), `depths: ${depths}`);
      assert(depths.filter((t) => !t.includes("outside")).every((t) => { const l = parseFloat(t); return l >= 4 && l <= 32; }), `depths: ${depths}`);
      assert((await app.text("theory-outside-note")).includes("(4–32)"), "no note on depths outside the grid");
      // Canvases must not be blank: count samples that differ from the first pixel.
      const painted = (selector) => page.evaluate((sel) => {
        const c = document.querySelector(sel);
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let differ = 0;
        for (let i = 0; i < d.length; i += 4 * 97) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) differ++;
        return differ;
      }, selector);
      const heat = '[data-testid="theory-heatmap"] canvas';
      await app.drawn("trend-chart");
      await app.drawn("theory-heatmap");
      assert((await painted(heat)) > 200, "feasible-region heatmap looks blank");
      assert((await painted('[data-testid="trend-chart"] canvas.chart-base')) > 100, "trend chart looks blank");
      // Hovering the middle of the heatmap names a cell.
      await page.locator(heat).scrollIntoViewIfNeeded();
      const box = await page.locator(heat).boundingBox();
      await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.55);
      await app.testId("theory-heatmap-tooltip").waitFor({ timeout: 10000 });
      const tip = await app.text("theory-heatmap-tooltip");
      assert(/^d = \d+, l = \d+ · loss \d\.\d{4}/.test(tip), `heatmap tooltip: ${tip}`);
      await page.screenshot({ path: join(shots, "theory-hover.png") });
      await page.mouse.move(0, 0);
      await app.testId("theory-panel").screenshot({ path: join(shots, "theory-page.png") });

      await app.testId("theory-worked-example").click();
      await page.waitForFunction(() => document.querySelector('[data-testid="theory-eta"]')?.textContent.includes("0.125"), null, { timeout: 15000 });
      assert((await app.text("theory-eta")) === "η = 0.125", `eta: ${await app.text("theory-eta")}`);
      assert((await app.text("theory-bytes-per-token")) === "500.0 MB", `M̄d: ${await app.text("theory-bytes-per-token")}`);
      // Regression (13b): the paper's "memory-bound" regime, and the rows' binding in the heading.
      const worked = await app.text("theory-regime");
      assert(worked.startsWith("Regime η < 0.5 (the paper's “memory-bound”)") && worked.includes("set by the decode budget at every width"), `regime: ${worked}`);
      const bindings = await app.testId("theory-table").locator("tbody tr td:nth-child(4)").allTextContents();
      assert(bindings.length > 0 && bindings.every((b) => b === "decode budget"), `bindings: ${bindings}`);
      assert((await app.text("theory-setting")).includes("Paper worked example"), "worked example not in use");
      assert((await app.text("theory-prediction")).includes("decode budget binds"), `prediction: ${await app.text("theory-prediction")}`);
      assert((await painted(heat)) > 200, "worked-example heatmap looks blank");
      await app.testId("theory-panel").screenshot({ path: join(shots, "theory.png") });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.waitForFunction(() => document.querySelector('[data-testid="theory-heatmap"]')?.dataset.theme === "dark", null, { timeout: 15000 });
      assert((await painted(heat)) > 200, "dark heatmap looks blank");
      await app.testId("theory-panel").screenshot({ path: join(shots, "theory-dark.png") });
      await app.testId("theory-page-inputs").click();
      assert(!(await app.text("theory-setting")).includes("Paper worked example"), "page inputs not restored");
    },
  },
  {
    name: "paper buttons land on their view, say what they replace, and Back to your work restores every changed input",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      // The user's work: another device, model, precision, objective, workload, layers list,
      // and their own loss file.
      // (index 3: a preset without measured variants, so the pick is what is in use)
      await app.testId("device-select").selectOption("3");
      await app.testId("model-select").selectOption("1");
      await app.testId("precision-select").selectOption("INT8");
      await app.testId("search-objective").selectOption("total");
      await app.testId("workload-prompt").fill("2048");
      await app.testId("workload-prompt").press("Enter");
      await app.testId("space-layers").fill("4, 8, 12");
      await app.testId("space-layers").press("Enter");
      const csv = readFileSync(new URL("../public/examples/synthetic-losses.csv", import.meta.url), "utf8").split("\n").slice(0, 60).join("\n");
      await app.testId("loss-file").setInputFiles({ name: "my-losses.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await app.testId("loss-file-name").waitFor({ timeout: 15000 });
      const inputs = ["device-select", "model-select", "precision-select", "search-objective", "workload-prompt", "space-layers"];
      const values = () => Promise.all(inputs.map((id) => app.testId(id).inputValue()));
      const mine = await values();
      assert(JSON.stringify(mine) === JSON.stringify(["3", "1", "INT8", "total", "2048", "4, 8, 12"]), `inputs before: ${mine}`);
      assert((await app.text("loss-file-name")) === "my-losses.csv", "loss file not loaded");
      const idle = async () => { await app.settled(100); await page.waitForFunction(() => !document.querySelector('[data-testid="search-progress"]'), null, { timeout: 30000 }); };
      await idle();
      const evaluated = await app.text("search-evaluated");

      // Where a button landed: the element with keyboard focus, at the top of the window.
      const landed = (id) => page.waitForFunction((want) => {
        const el = document.activeElement;
        if (!el || el.id !== want) return false;
        const top = el.getBoundingClientRect().top;
        return top > -2 && top < 40;
      }, id, { timeout: 60000 });
      await app.testId("paper-view").locator("summary").click();
      assert((await app.text("paper-qwen-replaces")).includes("device, reference model, precision, workload, law"), "the panel does not say what is replaced");
      await page.screenshot({ path: join(shots, "paper-view.png"), fullPage: false });
      await app.testId("paper-qwen").click();
      await landed("matched-latency");
      assert((await app.text("matched-latency")).includes("Qwen2.5-0.5B"), "matched latency does not name Qwen2.5-0.5B");
      assert((await app.testId("device-select").inputValue()) === "0", "the paper setting did not select the AGX Orin");
      // Regression (8): the paper's measured perplexities beside the prediction, and what
      // "ppl" means.
      const measured = await app.text("matched-paper-measured");
      assert(measured.includes("perplexity 63.14 → 50.88 (−19.42 %)") && measured.includes("WikiText-2"), `measured: ${measured}`);
      assert(/^Predicted by the law: perplexity 32\.3\d → \d+\.\d\d \(−\d+\.\d\d %\)$/.test(await app.text("matched-predicted")), `predicted: ${await app.text("matched-predicted")}`);
      const meaning = await app.text("matched-ppl-meaning");
      assert(/^“ppl 32\.3\d” is exp\(predicted loss 3\.47\d\d\)/.test(meaning) && meaning.includes("10 B tokens") && meaning.includes("not Qwen2.5-0.5B's real perplexity"), `meaning: ${meaning}`);
      await page.screenshot({ path: join(shots, "paper-qwen.png"), fullPage: false });
      assert(await app.testId("paper-undo").isVisible(), "no way back to the user's work");

      // Regression (7): "Fit quality" landed on the trend chart; it lands on the fit panel.
      await app.testId("paper-fit").click();
      await app.testId("fit-report").waitFor({ timeout: 100000 });
      await landed("fit-h");
      await page.screenshot({ path: join(shots, "paper-fit.png"), fullPage: false });
      await app.testId("paper-trends").click();
      await landed("trend-h");
      await app.testId("paper-frontiers").click();
      await landed("frontier-h");
      // By keyboard: the worked example from its button, undo from the bar.
      await app.testId("paper-worked").focus();
      await page.keyboard.press("Enter");
      await landed("theory-h");
      assert((await app.text("theory-setting")).includes("Paper worked example"), "worked example not shown");
      await page.screenshot({ path: join(shots, "paper-worked.png"), fullPage: false });
      await app.testId("paper-undo").focus();
      await page.keyboard.press("Enter");
      await app.testId("paper-restored").waitFor({ timeout: 10000 });
      await app.settled(100);
      const back = await values();
      assert(JSON.stringify(back) === JSON.stringify(mine), `inputs after undo: ${back} (before: ${mine})`);
      assert((await app.text("loss-file-name")) === "my-losses.csv", `loss file after undo: ${await app.text("loss-file-name")}`);
      assert((await app.testId("fit-report").count()) === 0, "the paper's fit stayed after undo");
      assert(!(await app.text("theory-setting")).includes("Paper worked example"), "worked example stayed after undo");
      assert((await app.testId("paper-undo-bar").count()) === 0, "undo bar stayed");
      await idle();
      assert((await app.text("search-evaluated")) === evaluated, `search after undo: ${await app.text("search-evaluated")} candidates, before: ${evaluated}`);
      await page.screenshot({ path: join(shots, "paper-undone.png"), fullPage: false });
    },
  },
  {
    name: "comparing devices overlays their frontiers and shows each device's own best design",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.testId("devices-panel").locator("summary").click();
      await app.testId("search-budget").fill("100");
      await app.testId("search-budget").press("Enter");
      await app.testId("compare-device-0").check();
      await app.testId("compare-device-2").check();
      await app.testId("devices-best").waitFor({ timeout: 10000 });
      const rows = await app.testId("devices-best").locator("tbody tr").allTextContents();
      assert(rows.length === 2, `rows: ${rows.length}`);
      assert(rows[0] !== rows[1], "two devices, same answer?");
      await app.testId("devices-chart").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, "devices.png"), fullPage: false });
    },
  },
  {
    name: "a file over the size limit is refused with a clear message and nothing changes",
    async run({ app }) {
      await app.open();
      const big = Buffer.alloc(21 * 1024 * 1024, "1,2,3\n");
      await app.testId("loss-file").setInputFiles({ name: "huge.csv", mimeType: "text/csv", buffer: big });
      const msg = await app.text("loss-error");
      assert(msg === "huge.csv: 21.0 MiB is larger than the limit of 20 MiB; nothing was loaded", `message: ${msg}`);
      assert(!(await app.testId("loss-data").isVisible().catch(() => false)), "huge file was loaded");
    },
  },
  {
    name: "a parameter range and another FFN type change the frontier",
    async run({ app, page }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      const before = parseInt(await app.text("frontier-size-decode-FP16"), 10);
      await app.testId("space-params-max").fill("500M");
      await app.testId("space-params-max").press("Enter");
      await page.waitForFunction((b) => parseInt(document.querySelector('[data-testid="frontier-size-decode-FP16"]').textContent, 10) !== b, before, { timeout: 15000 });
      await app.testId("space-params-min").fill("lots");
      await app.testId("space-params-min").press("Enter");
      const err = await app.text("space-params-error");
      assert(err === 'parameters from: expected a parameter count such as 350M or 1.5B, found "lots"', `error: ${err}`);
      await app.testId("space-ffn-kind").selectOption("relu2");
      await page.waitForFunction(() => document.querySelector('[data-testid="search-evaluated"]'), null, { timeout: 10000 });
    },
  },
  {
    name: "colour by precision and a log loss axis redraw the frontier chart",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.testId("frontier-color-by").selectOption("precision");
      await app.testId("frontier-log-y").check();
      const keyOf = () => app.testId("frontier-chart").locator("xpath=following-sibling::p[contains(@class,'color-key')]").textContent();
      await page.waitForFunction(() => {
        const key = document.querySelector('[data-testid="frontier-chart"] ~ p.color-key')?.textContent ?? "";
        return key.includes("FP16") && key.includes("INT8");
      }, null, { timeout: 15000 }).catch(() => {});
      const key = await keyOf();
      assert(key.includes("FP16") && key.includes("INT8"), `colour key: ${key}`);
      await page.screenshot({ path: join(shots, "frontier-by-precision.png"), fullPage: false });
    },
  },
  {
    name: "a space over 10 million candidates is refused; one over 2 million is sampled",
    async run({ app, page }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.testId("space-layers").fill("1..4096");
      await app.testId("space-layers").press("Enter");
      await app.testId("space-headdim").fill("64, 128");
      await app.testId("space-headdim").press("Enter");
      await app.testId("space-experts").fill("1:1, 2:1, 4:1, 8:1, 8:2, 16:1, 16:2, 32:1, 32:2, 64:1");
      await app.testId("space-experts").press("Enter");
      const refused = await app.text("space-error");
      assert(/candidates, more than the limit 10000000; remove values from the longest lists$/.test(refused), `refusal: ${refused}`);
      await app.testId("space-reset").click();
      await app.testId("space-layers").fill("1..1500");
      await app.testId("space-layers").press("Enter");
      await app.testId("space-ffn").fill("0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8");
      await app.testId("space-ffn").press("Enter");
      const count = await app.text("candidate-count");
      assert(parseInt(count.replace(/\s/g, ""), 10) > 2000000, `count ${count}`);
      await page.waitForFunction(() => document.querySelector('[data-testid="search-evaluated"]')?.parentElement?.textContent.includes("(sampled)"), null, { timeout: 120000 });
    },
  },
  {
    name: "a million candidates: searched and drawn in the page with progress, cancellable",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      const set = async (id, value) => {
        await app.testId(id).fill(value);
        await app.testId(id).press("Enter");
      };
      // Small lists first, so the intermediate spaces stay small.
      await set("space-experts", "1:1, 4:1, 8:1, 8:2, 16:1, 16:2, 32:1, 32:2");
      await set("space-ffn", "0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 3.75, 4");
      await set("space-hidden", "512..5120/128");
      await page.waitForFunction(() => !document.querySelector('[data-testid="search-progress"]'), null, { timeout: 100000 });
      const drawsBefore = await app.draws("frontier-chart");
      await set("space-layers", "1..74");
      const count = parseInt((await app.text("candidate-count")).replace(/\s/g, ""), 10);
      assert(count === 1004032, `count ${count}`);
      await app.testId("search-progress").waitFor({ timeout: 15000 });
      await page.waitForFunction(() => document.querySelector('[data-testid="search-evaluated"]')?.textContent.replace(/\s/g, "") === "1004032", null, { timeout: 120000 });
      // Drawn: the chart's static layer has been repainted after the report arrived.
      await app.drawn("frontier-chart", drawsBefore);
      await page.screenshot({ path: join(shots, "frontier-million.png"), fullPage: false });
      // Cancel a running search: the progress bar goes and the finished report stays.
      await set("space-layers", "1..75");
      await app.testId("search-cancel").click({ timeout: 15000 });
      await app.testId("search-progress").waitFor({ state: "detached", timeout: 15000 });
      assert((await app.text("search-evaluated")).replace(/\s/g, "") === "1004032", "the finished report was lost on cancel");
    },
  },
  {
    name: "hover over more than 100,000 points shows tooltips",
    async run({ app, page }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      const drawsBefore = await app.draws("frontier-chart");
      await app.testId("space-hidden").fill("512..4096/128");
      await app.testId("space-hidden").press("Enter");
      await app.testId("space-layers").fill("1..40");
      await app.testId("space-layers").press("Enter");
      const count = parseInt((await app.text("candidate-count")).replace(/\s/g, ""), 10);
      await page.waitForFunction((n) => document.querySelector('[data-testid="search-evaluated"]')?.textContent.replace(/\s/g, "") === String(n), count, { timeout: 60000 });
      await app.drawn("frontier-chart", drawsBefore);
      const points = await page.evaluate(() => document.querySelector('[data-testid="frontier-thinned"]') === null);
      assert(count > 100000 && points, `expected over 100,000 candidates drawn unthinned, got ${count}`);
      // Pointer moves across the plot: most land near a candidate and show its tooltip.
      const box = await app.testId("frontier-chart").locator("canvas.chart-overlay").boundingBox();
      let tips = 0, tip = "";
      for (let k = 0; k < 40; k++) {
        await page.mouse.move(box.x + box.width * (0.1 + 0.8 * ((k * 37) % 40) / 40), box.y + box.height * (0.15 + 0.7 * ((k * 53) % 40) / 40));
        await app.settled();
        const tooltip = app.testId("frontier-chart-tooltip");
        if (await tooltip.count()) { tips++; tip = await tooltip.first().textContent(); }
      }
      assert(tips > 10, `only ${tips} of 40 pointer moves showed a tooltip`);
      assert(/loss \d\.\d{4}/.test(tip), `tooltip: ${tip}`);
    },
  },
  {
    name: "sliding-window and MLA attention kinds join the space and can colour the frontier",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.testId("space-attention").fill("full, swa:512/6, local");
      await app.testId("space-attention").press("Enter");
      const error = await app.text("space-error");
      assert(error === 'attention, item 3: expected "full", "swa:W/k" or "mla:R", found "local"', `error: ${error}`);
      // 9,520 full + 9,520 windowed + 2,520 MLA (one per width, not per KV-head count).
      await app.testId("space-attention").fill("full, swa:512/6, mla:256");
      await app.testId("space-attention").press("Enter");
      const count = (await app.text("candidate-count")).replace(/\s/g, "");
      assert(count === "21560", `count ${count}`);
      await page.waitForFunction(() => document.querySelector('[data-testid="search-evaluated"]')?.textContent.replace(/\s/g, "") === "21560", null, { timeout: 100000 });
      await app.testId("frontier-color-by").selectOption("attention");
      await page.waitForFunction(() => ["swa:512/6", "mla:256"].every((k) => document.querySelector(".color-key")?.textContent.includes(k)), null, { timeout: 15000 });
      await page.screenshot({ path: join(shots, "frontier-attention.png"), fullPage: false });
    },
  },
  {
    name: "legend and colours agree in exports: PNG and SVG carry the title, settings and colour key; a dark page exports light unless asked; CSVs carry settings, sorted by latency, with decode per token",
    colorScheme: "dark",
    async run({ app, page }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.drawn("frontier-chart");
      const svg = await download(app, "frontier-chart-svg");
      assert(svg.name === "frontier-jetson-agx-orin-64gb-decode.svg", `SVG saved as ${svg.name}`);
      const text = svg.bytes.toString("utf8");
      for (const part of ["Predicted loss vs decode latency", "Jetson AGX Orin 64GB", "batch 1", "FP16; INT8", "objective: decode", "law:", "colour: experts E", "FP16 candidates", "INT8 candidates"]) {
        assert(text.includes(part), `SVG export lacks "${part}"`);
      }
      assert(/<rect[^>]*fill="#FFFFFF"/.test(text), "SVG export of a dark page is not on white");
      const light = await download(app, "frontier-chart-png");
      assert(light.name === "frontier-jetson-agx-orin-64gb-decode.png", `PNG saved as ${light.name}`);
      const corner = await pngPixel(page, light.bytes, 2, 2);
      assert(corner.join() === "255,255,255", `PNG corner ${corner} on a dark page, expected white`);
      await app.testId("frontier-chart-dark-export").check();
      const dark = await download(app, "frontier-chart-png");
      const darkCorner = await pngPixel(page, dark.bytes, 2, 2);
      assert(darkCorner.join() === "18,20,24", `dark PNG corner ${darkCorner}`);
      const csv = await download(app, "export-frontier-csv");
      assert(csv.name === "frontier-jetson-agx-orin-64gb-decode.csv", `CSV saved as ${csv.name}`);
      const lines = csv.bytes.toString("utf8").trim().split("\n");
      const comments = lines.filter((l) => l.startsWith("#"));
      for (const want of ["# device: Jetson AGX Orin 64GB", "# objective: decode latency", "# precisions: FP16; INT8"]) {
        assert(comments.includes(want), `CSV settings lack "${want}": ${comments.join(" | ")}`);
      }
      const rows = lines.filter((l) => !l.startsWith("#"));
      const cols = rows[0].split(",");
      const decode = cols.indexOf("FP16_decode_ms"), perToken = cols.indexOf("FP16_decode_ms_per_token");
      assert(decode >= 0 && perToken >= 0, `CSV columns: ${rows[0]}`);
      const values = rows.slice(1).map((r) => r.split(",")).map((c) => [parseFloat(c[decode]), parseFloat(c[perToken])]);
      assert(values.length > 5, `${values.length} frontier rows`);
      for (let i = 1; i < values.length; i++) assert(values[i - 1][0] <= values[i][0], `rows not sorted by decode latency at ${i}`);
      for (const [d, t] of values) assert(Math.abs(t * 16 - d) < 1e-6 * d, `per-token decode ${t} for ${d} over 16 tokens`);
    },
  },
  {
    name: "on a 390-px phone the results are one tap away, nothing scrolls sideways, and a tap on the frontier shows a tooltip and pins",
    phone: true,
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.testId("ops-prefill").waitFor({ timeout: 20000 });
      await app.testId("theory-heatmap").waitFor({ timeout: 20000 });
      await app.settled(300);
      const skip = await app.testId("skip-to-results").boundingBox();
      assert(skip && skip.y + skip.height < 844, `jump-to-results link not on the first screen: ${JSON.stringify(skip)}`);
      const wide = await page.evaluate(() => ({
        page: document.scrollingElement.scrollWidth,
        // Past the right edge and not inside a box that scrolls or clips it.
        over: [...document.querySelectorAll("body *")].filter((e) => {
          if (e.getBoundingClientRect().right <= innerWidth + 1) return false;
          for (let a = e.parentElement; a; a = a.parentElement) if (getComputedStyle(a).overflowX !== "visible") return false;
          return true;
        }).map((e) => `${e.tagName}.${e.className}`).slice(0, 5),
      }));
      assert(wide.page <= 390 && wide.over.length === 0, `the page is ${wide.page} px wide; past the right edge: ${wide.over}`);
      // The operator table scrolls in its own box.
      const ops = await page.evaluate(() => {
        const t = document.querySelector('[data-testid="ops-prefill"]');
        return { box: t.getBoundingClientRect().right, overflow: getComputedStyle(t).overflowX };
      });
      assert(ops.box <= 390 && ops.overflow === "auto", `operator table: ${JSON.stringify(ops)}`);
      await page.screenshot({ path: join(shots, "phone-top.png") });
      await app.testId("skip-to-results").tap();
      await app.settled(200);
      const top = await page.evaluate(() => document.querySelector('[data-testid="main-area"]').getBoundingClientRect().top);
      assert(Math.abs(top) < 50, `after the jump the results start at ${top} px`);
      const canvas = app.testId("frontier-chart-canvas");
      await canvas.scrollIntoViewIfNeeded();
      await app.drawn("frontier-chart");
      const box = await canvas.boundingBox();
      let pinned = false;
      for (let fy = 0.35; fy < 0.95 && !pinned; fy += 0.04) {
        for (let fx = 0.12; fx < 0.9 && !pinned; fx += 0.04) {
          await page.touchscreen.tap(box.x + box.width * fx, box.y + box.height * fy);
          pinned = await app.testId("frontier-chart-tooltip").isVisible().catch(() => false);
        }
      }
      assert(pinned, "no tap on the frontier chart showed a tooltip");
      const tip = await app.text("frontier-chart-tooltip");
      assert(/loss \d\.\d{4}/.test(tip), `tooltip after a tap: ${tip}`);
      const tipBox = await app.testId("frontier-chart-tooltip").boundingBox();
      assert(tipBox.x >= 0 && tipBox.x + tipBox.width <= 391, `tooltip runs off the screen: ${JSON.stringify(tipBox)}`);
      await page.screenshot({ path: join(shots, "phone-tap.png") });
      await app.testId("design-compare").waitFor({ timeout: 15000 });
      assert((await app.testId("design-compare").locator("th").count()) === 2, "the tapped design is not pinned");
      // A tap away from every point (the title) puts the tooltip away.
      await page.touchscreen.tap(box.x + 5, box.y + 5);
      await app.testId("frontier-chart-tooltip").waitFor({ state: "detached", timeout: 5000 });
    },
  },
  {
    name: "keyboard: the frontier takes focus with a visible ring, arrows walk the frontier with a tooltip, Enter pins; template buttons say what they download",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.drawn("frontier-chart");
      const canvas = app.testId("frontier-chart-canvas");
      const label = await canvas.getAttribute("aria-label");
      assert(label.startsWith("Predicted loss vs decode latency") && label.includes("Enter pins"), `aria-label: ${label}`);
      // Tab from the SVG button lands on the chart.
      await app.testId("frontier-chart-svg").focus();
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => ({ id: document.activeElement?.dataset.testid, outline: getComputedStyle(document.activeElement).outlineStyle }));
      assert(focus.id === "frontier-chart-canvas" && focus.outline === "solid", `focus after Tab: ${JSON.stringify(focus)}`);
      await page.keyboard.press("ArrowRight");
      const first = await app.text("frontier-chart-tooltip");
      assert(first.startsWith("frontier: "), `first point: ${first}`);
      await page.keyboard.press("ArrowRight");
      const second = await app.text("frontier-chart-tooltip");
      assert(second.startsWith("frontier: ") && second !== first, `second point: ${second}`);
      const latency = (t) => t.match(/decode ([\d.]+) ms/)?.[1];
      assert(parseFloat(latency(second)) >= parseFloat(latency(first)), `Right moved to a faster design: ${first} → ${second}`);
      await page.keyboard.press("ArrowLeft");
      assert((await app.text("frontier-chart-tooltip")) === first, "Left did not come back");
      await page.screenshot({ path: join(shots, "keyboard-focus.png") });
      await page.keyboard.press("Enter");
      await app.testId("design-compare").waitFor({ timeout: 15000 });
      assert((await app.testId("design-compare").locator("th").count()) === 2, "Enter did not pin the design");
      for (const [name, file] of [["device template (JSON)", "device-template.json"], ["device template (CSV)", "device-template.csv"]]) {
        const wait = page.waitForEvent("download", { timeout: 10000 });
        await page.getByRole("button", { name }).click();
        assert((await wait).suggestedFilename() === file, `${name} saved another file`);
      }
    },
  },
  {
    name: "a pinned design's marker is drawn again after the window is resized",
    async run({ app, page }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.drawn("frontier-chart");
      await app.testId("frontier-chart-canvas").focus();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("Enter");
      await app.testId("design-compare").waitFor({ timeout: 15000 });
      // Escape hides the keyboard highlight: what stays on the overlay is the pin.
      await page.keyboard.press("Escape");
      await app.settled();
      const before = await paintedOverlay(page, "frontier-chart");
      assert(before > 50, `pin marker not drawn (${before} painted pixels)`);
      const draws = await app.draws("frontier-chart");
      await page.setViewportSize({ width: 1100, height: 900 });
      await app.drawn("frontier-chart", draws);
      await app.settled();
      const after = await paintedOverlay(page, "frontier-chart");
      assert(after > 50, `pin marker gone after the resize (${after} painted pixels)`);
    },
  },
  {
    name: "derivation: the chosen design's latency derived line by line, its totals are the comparison's",
    async run({ app, page, shots }) {
      await app.open();
      await app.testId("search-evaluated").waitFor({ timeout: 20000 });
      await app.testId("frontier-pin-Qwen2.5-0.5B").click();
      await app.testId("design-compare").waitFor({ timeout: 15000 });
      const details = app.testId("derivation");
      assert(!(await details.evaluate((d) => d.open)), "the derivation should start closed");
      // A summary opens from the keyboard.
      await details.locator("summary").focus();
      await page.keyboard.press("Enter");
      assert(await details.evaluate((d) => d.open), "Enter on the summary did not open the derivation");
      await app.testId("derivation-decode-total").waitFor({ timeout: 15000 });
      // The comparison's cell for `label` in the (only) design column.
      const cell = (label) => page.evaluate((label) => {
        const row = [...document.querySelectorAll('[data-testid="design-compare"] tbody tr')]
          .find((r) => r.cells[0].textContent.trim() === label);
        return row?.cells[1].textContent.trim();
      }, label);
      const check = async () => {
        const totals = await app.text("derivation-totals");
        const precision = totals.split(": prefill ")[0];
        for (const phase of ["prefill", "decode", "total"]) {
          const shown = await app.text(phase === "total" ? "derivation-total" : `derivation-${phase}-total`);
          const compared = await cell(`${precision} ${phase}`);
          assert(shown && shown === compared, `${precision} ${phase}: derivation ${shown}, comparison ${compared}`);
        }
        return precision;
      };
      const first = await check();
      // Each phase ends with its latency, and every operator says which bound applies.
      const last = (id) => page.evaluate((id) => {
        const rows = document.querySelectorAll(`[data-testid="${id}"] tr`);
        return rows[rows.length - 1].cells[0].textContent.trim();
      }, id);
      assert((await last("derivation-prefill-lines")) === "Prefill latency", "prefill lines end elsewhere");
      assert((await app.text("derivation-device")).includes("bandwidth fraction"), "no bandwidth fraction line");
      const bounds = await app.testId("derivation-decode-ops").locator("td.memory, td.compute").count();
      const rows = await app.testId("derivation-decode-ops").locator("tbody tr").count();
      assert(rows > 5 && bounds === rows, `decode operators ${rows}, with a bound ${bounds}`);
      await details.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, "derivation.png"), fullPage: false });
      // Another precision of the search: the totals follow it.
      const select = app.testId("derivation-precision");
      if (await select.count()) {
        await select.selectOption("1");
        await app.settled();
        const second = await check();
        assert(second !== first, `the precision stayed ${first}`);
      }
    },
  },
  {
    name: "published runs: the validation view scores them, and a measured device is offered and used (issue 16)",
    async run({ app, page, shots }) {
      await app.open();
      // The device list offers measured devices in their own group; choosing one shows its
      // per-step overhead and the chart subtitles name it.
      const groups = await app.testId("device-select").evaluate((el) => [...el.querySelectorAll("optgroup")].map((g) => g.label));
      assert(groups.length >= 3 && groups[0].startsWith("Rated") && groups[1].startsWith("Rated") && groups[2].startsWith("Measured"), `device groups: ${groups}`);
      const ratedCount = await app.testId("device-select").evaluate((el) => [...el.querySelectorAll("optgroup")].slice(0, 2).reduce((n, g) => n + g.children.length, 0));
      assert(ratedCount >= 30, `${ratedCount} rated devices`);
      // Picking a rated device that published runs calibrated uses it measured (the
      // default); its rated numbers are one click away, and back.
      const rated = await app.testId("device-select").evaluate((el) =>
        [...el.options].find((o) => o.textContent === "Jetson Orin Nano Super 8GB")?.value);
      await app.testId("device-select").selectOption(rated);
      await app.settled();
      const chosenName = () => app.testId("device-select").evaluate((el) => el.options[el.selectedIndex].textContent);
      let chosen = await chosenName();
      assert(chosen === "Jetson Orin Nano Super 8GB · MLC-LLM · CUDA (measured)", `picked rated, in use: ${chosen}`);
      assert((await app.text("device-variants")).startsWith("Measured, the default"), `variants: ${await app.text("device-variants")}`);
      await page.locator('section[aria-labelledby="device-h"]').screenshot({ path: join(shots, "device-measured-default.png") });
      // The frontier's caption names the device it used.
      await page.waitForFunction(() => (document.querySelector('[data-testid="frontier-chart-canvas"]')?.getAttribute("aria-label") || "").includes("Orin Nano Super 8GB · MLC-LLM · CUDA (measured)"), null, { timeout: 30000 });
      await app.testId("device-variant").filter({ hasText: "(rated)" }).click();
      await app.settled();
      chosen = await chosenName();
      assert(chosen === "Jetson Orin Nano Super 8GB", `rated button, in use: ${chosen}`);
      assert((await app.text("device-step-overhead")).startsWith("none"), "a rated device has no overhead");
      assert((await app.text("device-variants")).startsWith("Rated numbers"), "the rated device does not say so");
      const variant = app.testId("device-variant").filter({ hasText: "Jetson Orin Nano Super 8GB · MLC-LLM · CUDA (measured)" });
      await variant.waitFor({ timeout: 10000 });
      await variant.click();
      await app.settled();
      chosen = await chosenName();
      assert(chosen === "Jetson Orin Nano Super 8GB · MLC-LLM · CUDA (measured)", `chosen: ${chosen}`);
      assert((await app.text("device-variants")).startsWith("Measured"), "the measured device does not say so");
      const overhead = await app.text("device-step-overhead");
      assert(/µs per layer per step \(\d+\.\d+ ms a step at 32 layers, \d+\.\d+ ms at 80\), calibrated/.test(overhead), `overhead: ${overhead}`);
      // The user's own measurements (the calibration panel's example) join as a group.
      await app.testId("calib-example").click();
      await app.testId("calib-report").waitFor({ timeout: 20000 });
      // The validation view: closed until asked, then scored group by group.
      const section = app.testId("validation");
      await section.scrollIntoViewIfNeeded();
      await app.testId("validation-open").click();
      await page.waitForFunction(() => (document.querySelector('[data-testid="validation-progress"]')?.textContent || "").includes("groups;"), null, { timeout: 60000 });
      const progress = await app.text("validation-progress");
      const runs = Number(progress.split(" runs")[0]);
      assert(runs >= 100, `progress: ${progress}`);
      const overall = await app.text("validation-overall");
      assert(/decode\s*\d+/.test(overall) && overall.includes("%"), `overall: ${overall}`);
      const groups_rows = await app.testId("validation-groups").locator("tbody tr").count();
      assert(groups_rows >= 10, `${groups_rows} groups`);
      // A group of one model holds its overhead at the runtime's median and says so; a group
      // with formats measured apart shows their fractions.
      const cells = await app.testId("validation-groups").locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));
      const held = cells.find((c) => c[0].startsWith("RTX 3070") && c[1].startsWith("llama.cpp"));
      assert(held && held[held.length - 1].endsWith("(held)"), `RTX 3070 row: ${JSON.stringify(held)}`);
      // How far to trust it: the held-out targets met, and the groups above them marked.
      const targets = await app.text("validation-targets");
      const [, met, counted] = targets.match(/met in (\d+) of (\d+) group phases/) || [];
      assert(Number(counted) >= 20 && Number(met) >= 1 && Number(met) <= Number(counted), `targets: ${targets}`);
      const marked = cells.filter((c) => c.some((t) => t.endsWith("▲"))).length;
      assert(marked >= 1 && marked < cells.length, `${marked} of ${cells.length} groups marked above a target`);
      // Each group above its target says what its rows and fits show.
      const why = await app.testId("validation-caveats").textContent();
      const items = await app.testId("validation-caveats").locator("li").allTextContents();
      const [, missing] = why.match(/Why (\d+) groups? miss/) || [];
      assert(Number(missing) === items.length && items.length >= 1 && items.length <= marked, `caveats: ${why.slice(0, 300)}`);
      const item = (device) => items.find((t) => t.startsWith(device)) || "";
      const m1Max = item("Apple M1 Max (64GB) · llama.cpp · Metal");
      assert(/leave-one-model-out fits keep one model/.test(m1Max), `M1 Max caveat: ${m1Max}`);
      // A group missing both targets says what shows in each.
      const sxm = item("A100 80GB SXM · llama.cpp · CUDA");
      assert(/decode: [^]*not typical of its runtime[^]*prefill: [^]*set aside from the fit/.test(sxm), `A100 SXM caveat: ${sxm}`);
      const a40 = item("A40 48GB · llama.cpp · CUDA");
      assert(/line 93 \(4096 prompt tokens\) runs 1\.28× as many prefill tokens a second as line 92/.test(a40), `A40 caveat: ${a40}`);
      const m1max = cells.find((c) => c[0].startsWith("Apple M1 Max") && c[1].startsWith("llama.cpp"));
      assert(m1max && /\(FP16 0\.\d\d\)/.test(m1max[m1max.length - 1]), `M1 Max row: ${JSON.stringify(m1max)}`);
      const yours = await app.text("validation-yours");
      assert(/orin-nano-measurements\.csv/.test(yours) && /\d+\.\d %/.test(yours), `your row: ${yours}`);
      const label = await app.testId("validation-chart-canvas").getAttribute("aria-label");
      assert(label.includes("your measurements"), `the chart has no series of yours: ${label.slice(0, 400)}`);
      assert(label.includes("MAPE") && label.includes("y = x") && label.includes("±30 %"), `chart: ${label}`);
      // Held out and prefill redraw the chart with their own points.
      await app.testId("validation-which").selectOption("held out (leave one model out)");
      await app.testId("validation-phase").selectOption("prefill");
      await page.waitForFunction(() => (document.querySelector('[data-testid="validation-chart-canvas"]')?.getAttribute("aria-label") || "").includes("prefill"), null, { timeout: 20000 });
      assert((await app.text("validation-above-bound")).length > 0, "no word on runs above the roofline");
      // The published anomalies (the A100 SXM's F16 prefill, 6–11× slower than its Q4_K_M) are
      // left out of their group's fit and named by line.
      const setAside = await app.text("validation-set-aside");
      assert(setAside.includes("left out of their group's fit"), `set aside: ${setAside}`);
      const setAsideRows = await app.testId("validation-set-aside").locator("xpath=following-sibling::ul[1]/li").allTextContents();
      assert(setAsideRows.some((t) => /^line \d+ \(A100 80GB SXM · llama\.cpp · CUDA: Meta-Llama-3-8B, FP16, .*prefill\)/.test(t)), `set-aside rows: ${setAsideRows.join(" | ")}`);
      await section.screenshot({ path: join(shots, "validation.png") });
    },
  },
];
