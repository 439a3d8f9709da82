// End-to-end tests of "honest answers": each is named after the wrong or doubtful answer it
// guards against (issue 13). Same contract as tests.mjs: no console errors, no outside
// requests, no assertion on elapsed time.
import { join } from "node:path";
import { readFileSync } from "node:fs";

const fixtures = new URL("../tests/fixtures/", import.meta.url).pathname;

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Every figure the page shows, by data-testid (texts and form values), for comparing two
 * pages. Timing figures and the link itself differ between runs by nature and are left out. */
async function figures(page) {
  return page.evaluate(() => {
    const skip = new Set(["search-compute-ms", "search-rate", "session-link-text", "session-message",
      "app-root", "main-area", "sidebar"]);
    const out = {};
    for (const el of document.querySelectorAll("[data-testid]")) {
      const id = el.dataset.testid;
      if (skip.has(id) || el.tagName === "CANVAS") continue;
      let v;
      if (el.tagName === "INPUT") v = el.type === "checkbox" ? String(el.checked) : el.value;
      else if (el.tagName === "SELECT") v = el.value + " / " + [...el.options].map((o) => o.textContent).join("|");
      else if (el.querySelector("input,select,textarea,canvas")) continue;
      else v = el.textContent.trim();
      if (v.length > 400) v = v.slice(0, 400);
      out[id] = id in out ? out[id] + " ‖ " + v : v;
    }
    return out;
  });
}

async function searchDone(app) {
  await app.testId("search-evaluated").waitFor({ timeout: 30000 });
  await app.page.waitForFunction(() => !document.querySelector('[data-testid="search-progress"]'), null, { timeout: 60000 });
  await app.settled(50);
}

async function setField(app, id, value) {
  await app.testId(id).fill(value);
  await app.testId(id).press("Enter");
  await app.testId(id).blur();
}

/** Chooses a device by the start of its name. */
async function chooseDevice(app, name) {
  const value = await app.testId("device-select").evaluate((el, n) => [...el.options].find((o) => o.textContent.startsWith(n))?.value, name);
  assert(value !== undefined, `no device ${name}`);
  await app.testId("device-select").selectOption(value);
}

/** Fits `csv` with the form chosen; returns after the report shows. */
async function fitCsv(app, name, csv, form, formula, params) {
  await app.testId("loss-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await app.testId("loss-data").waitFor({ timeout: 15000 });
  await app.testId("law-form").selectOption(form);
  if (formula) {
    await setField(app, "law-formula", formula);
    await setField(app, "law-params", params);
  }
  await app.testId("fit-run").click();
  await app.testId("fit-report").waitFor({ timeout: 100000 });
}

/** Rows of the published law over a grid (a deterministic stand-in for training results). */
function paperRows(maxHidden, count) {
  let text = "layers,hidden_size,ffn_ratio,num_attention_heads,num_key_value_heads,head_dim,loss\n";
  let n = 0;
  for (const l of [4, 8, 12, 16, 20, 24, 28, 32]) {
    for (const d of [768, 1024, 1536, 2048, 2560, 3072]) {
      if (d > maxHidden) continue;
      for (const r of [0.5, 1, 2, 4]) {
        if (n >= count) break;
        const loss = 2.5 + 3.0 / Math.pow(l, 0.4) + 40 / (Math.pow(r, 0.3) * Math.pow(d, 0.5)) + 0.01 * Math.sin(n);
        text += `${l},${d},${r},${d / 128},2,128,${loss.toFixed(5)}\n`;
        n++;
      }
    }
  }
  return text;
}

export const answerTests = [
  {
    name: "a custom law over column names drives the search (it used to show 'in use' and keep the published law)",
    async run({ app, page, shots }) {
      await app.open();
      await searchDone(app);
      const before = await app.text("matched-ref-loss");
      await fitCsv(app, "my-losses.csv", paperRows(3072, 160), "custom",
        "L0 + a/layers^b + c/(ffn_ratio^g * hidden_size^e)", "L0, a, b, c, g, e");
      if (await app.testId("fit-use-confirm").count()) await app.testId("fit-use-confirm").check();
      await app.testId("fit-use").click();
      assert((await app.text("law-source")).includes("fitted to my-losses.csv"), `source: ${await app.text("law-source")}`);
      const bindings = await app.text("law-bindings");
      assert(bindings.includes("layers = layers") && bindings.includes("hidden_size = hidden size"), `bindings: ${bindings}`);
      await page.waitForFunction((b) => {
        const t = document.querySelector('[data-testid="matched-ref-loss"]')?.textContent.trim();
        return t && t !== b;
      }, before, { timeout: 60000 });
      const after = await app.text("matched-ref-loss");
      assert(after !== before && after !== "3.4754", `reference loss still ${after}`);
      await page.screenshot({ path: join(shots, "custom-law-in-use.png"), fullPage: false });
    },
  },
  {
    name: "every input survives a shared link and a session file (measured bandwidth used to be lost)",
    async run({ app, page, context }) {
      await app.open();
      await searchDone(app);
      await chooseDevice(app, "Jetson Orin Nano Super");
      // The pick is used measured (published runs calibrated it); the measured-bandwidth
      // box belongs to its rated numbers, one click away.
      await app.testId("device-variant").filter({ hasText: "(rated)" }).click();
      await app.testId("device-use-measured").check();
      await setField(app, "device-usable-input", "7");
      await setField(app, "workload-generated", "32");
      await app.testId("precision-select").selectOption("INT8");
      await app.testId("workload-fused-attention").check();
      await app.testId("precision-lm-head").selectOption("q6_k");
      await setField(app, "space-params-min", "300M");
      await app.testId("search-budget-basis").selectOption("per_token");
      await setField(app, "search-budget", "25");
      await searchDone(app);
      const bw = await app.text("device-bandwidth");
      assert(bw === "59.4 GB/s", `measured bandwidth shown as ${bw}`);
      const mine = await figures(page);
      await app.testId("session-link").click();
      const link = await app.text("session-link-text");
      const download = page.waitForEvent("download");
      await app.testId("session-download").click();
      const file = await (await download).path();
      for (const how of ["link", "file"]) {
        const fresh = await context.browser().newContext();
        const other = await fresh.newPage();
        const { RoofscalePage } = await import("./page.mjs");
        const them = new RoofscalePage(other, link.split("#")[0]);
        if (how === "link") {
          await other.goto(link, { waitUntil: "load" });
          await them.testId("app-root").waitFor({ timeout: 20000 });
        } else {
          await them.open();
          await them.testId("session-file").setInputFiles(file);
          await them.testId("session-message").waitFor({ timeout: 15000 });
        }
        await searchDone(them);
        const theirs = await figures(other);
        await fresh.close();
        const diff = Object.keys({ ...mine, ...theirs }).filter((k) => mine[k] !== theirs[k]);
        assert(diff.length === 0, `${how}: figures differ: ${diff.map((k) => `${k}: "${mine[k]}" vs "${theirs[k]}"`).join("; ")}`);
      }
    },
  },
  {
    name: "a per-token budget is read with its unit and bad budget text is an error, not ignored",
    async run({ app, page, shots }) {
      await app.open();
      await searchDone(app);
      await setField(app, "search-budget", "25 ms/token");
      assert(await app.testId("search-budget-basis").inputValue() === "per_token", "the unit did not switch to per token");
      const meaning = await app.text("budget-meaning");
      assert(meaning === "In use: 25 ms per generated token (400 ms of decode for 16 tokens)", `meaning: ${meaning}`);
      const best = await app.text("best-under-budget");
      assert(best.includes("25 ms per generated token"), `best: ${best}`);
      for (const bad of ["abc", "-5", "0"]) {
        await setField(app, "search-budget", bad);
        const err = await app.text("search-budget-error");
        assert(err.startsWith("latency budget: ") && err.includes(`found "${bad}"`), `${bad}: ${err}`);
        assert(await app.testId("search-budget").getAttribute("aria-invalid") === "true", "field not marked invalid");
        assert((await app.text("budget-meaning")).includes("the last valid budget"), "the old budget is shown as if read");
        assert(await app.testId("budget-stale").isVisible(), "frontier does not say the budget text was not read");
      }
      await setField(app, "search-budget", "40 tok/s");
      assert((await app.text("budget-meaning")).startsWith("In use: 25 ms per generated token"), await app.text("budget-meaning"));
      assert(await app.testId("search-budget-error").count() === 0, "error stays after a good budget");
      await page.screenshot({ path: join(shots, "budget-per-token.png"), fullPage: false });
    },
  },
  {
    name: "one precision for every figure (the frontier used to keep another precision than the cards)",
    async run({ app }) {
      await app.open();
      await searchDone(app);
      assert((await app.text("frontier-precision")).startsWith("Figures use FP16"), await app.text("frontier-precision"));
      await app.testId("precision-select").selectOption("INT8");
      await searchDone(app);
      await app.page.waitForFunction(() => document.querySelector('[data-testid="frontier-precision"]')?.textContent.startsWith("Figures use INT8"), null, { timeout: 30000 });
      const box = app.testId("search-precision-INT8");
      assert(await box.isChecked() && await box.isDisabled(), "the workload precision is not the search's fixed one");
      await setField(app, "search-budget", "20");
      const best = await app.text("best-under-budget");
      assert(best.includes("(INT8)"), `best: ${best}`);
      assert((await app.text("matched-latency")).includes("(INT8)"), "matched latency in another precision");
    },
  },
  {
    name: "designs fit in usable memory, state their size, and a best design on the grid's edge is flagged",
    async run({ app }) {
      await app.open();
      await searchDone(app);
      await chooseDevice(app, "Jetson Orin Nano Super");
      const usable = await app.text("device-usable-memory");
      assert(usable.startsWith("6") && usable.includes("kept for the OS"), `usable: ${usable}`);
      for (const budget of ["20", "100", "2000"]) {
        await setField(app, "search-budget", budget);
        await searchDone(app);
        const best = await app.text("best-under-budget");
        if (best.startsWith("No design")) continue;
        assert(best.includes("usable (weights + KV cache)") && best.includes("params"), `best: ${best}`);
        const m = best.split("·").at(-1).match(/([\d.]+) (GB|MB)/);
        const mem = parseFloat(m[1]) / (m[2] === "MB" ? 1000 : 1);
        const l = parseInt(best.match(/l=(\d+)/)[1], 10);
        const d = parseInt(best.match(/d=(\d+)/)[1], 10);
        const edge = await app.testId("best-on-grid-edge").count();
        if (l === 32 || d === 3072) {
          assert(edge > 0, `l=${l} d=${d}: no grid-edge warning`);
          assert((await app.text("best-on-grid-edge")).includes("widen"), "no advice to widen");
        }
        assert(!(mem > 6.0), `best design takes ${mem} of 6 GB usable`);
      }
      const size = await app.text("matched-best-size");
      assert(/\d+(\.\d)?× Qwen2\.5-0\.5B's/.test(size), `matched size: ${size}`);
    },
  },
  {
    name: "a thin fit needs a confirmation and the search says where it extrapolates",
    async run({ app, page, shots }) {
      await app.open();
      await searchDone(app);
      await fitCsv(app, "thin.csv", paperRows(2048, 30), "paper");
      const concerns = await app.text("fit-concerns");
      assert(concerns.includes("training rows for 11 parameters"), `concerns: ${concerns}`);
      assert(await app.testId("fit-use").isDisabled(), "a doubtful law can be used without confirming");
      await app.testId("fit-use-confirm").check();
      await app.testId("fit-use").click();
      await app.testId("law-concerns").waitFor({ timeout: 10000 });
      await app.testId("search-extrapolates").waitFor({ timeout: 60000 });
      const ex = await app.text("search-extrapolates");
      assert(ex.includes("d = 768–3072, beyond the data's 768–2048"), `extrapolation: ${ex}`);
      assert(await app.testId("frontier-law-concerns").isVisible(), "frontier does not say the law is doubtful");
      await page.screenshot({ path: join(shots, "fit-concerns.png"), fullPage: false });
    },
  },
];

answerTests.push({
  name: "reference models are designs: several on the chart, pinnable, named in the comparison (they used to be one unpinnable marker)",
  async run({ app, page, shots }) {
    await app.open();
    await searchDone(app);
    const boxes = app.testId("frontier-references").locator('input[type="checkbox"]');
    const n = await boxes.count();
    assert(n >= 2, `only ${n} reference models offered`);
    assert(await boxes.nth(0).isChecked() && await boxes.nth(0).isDisabled(), "the selected model is not always shown");
    const before = await app.draws("frontier-chart");
    await boxes.nth(1).check();
    await app.drawn("frontier-chart", before);
    const second = (await boxes.nth(1).locator("xpath=..").textContent()).trim();
    await app.testId("frontier-pin-Qwen2.5-0.5B").click();
    await app.testId("frontier-pin-" + second).click();
    await app.testId("design-compare").waitFor({ timeout: 15000 });
    // On the rated device the page opens on, the latencies are the pure roofline's.
    const ratedTrust = await app.text("design-trust");
    assert(/: Rated numbers: the pure roofline, a lower bound on real times/.test(ratedTrust), `design trust: ${ratedTrust}`);
    const heads = await app.testId("design-compare").locator("thead th").allTextContents();
    assert(heads.some((h) => h.includes("Qwen2.5-0.5B (reference)")) && heads.some((h) => h.includes(`${second} (reference)`)),
      `comparison heads: ${heads.join(" | ")}`);
    assert(!heads.some((h) => /design #\d/.test(h)), "pins are still named by index");
    await app.testId("roofline-chart").waitFor({ timeout: 15000 });
    assert((await app.text("frontier-pin-Qwen2.5-0.5B")) === "unpin", "pin button does not show the pinned state");
    await page.screenshot({ path: join(shots, "references-pinned.png"), fullPage: false });
  },
});

/** Waits until the text of `id` is no longer `before`; returns the new text. */
async function changed(app, id, before) {
  await app.page.waitForFunction(([sel, b]) => {
    const t = document.querySelector(sel)?.textContent.trim();
    return t !== undefined && t !== b;
  }, [`[data-testid="${id}"]`, before], { timeout: 15000 });
  return app.text(id);
}

answerTests.push({
  name: "deployment formats: fused attention, custom bits per weight and the LM head's own format change the figures (issue 15)",
  async run({ app, page, shots }) {
    await app.open();
    await searchDone(app);
    const fused = app.testId("workload-fused-attention");
    assert(!(await fused.isChecked()), "fused attention is on by default (the paper runs without it)");
    assert((await fused.locator("xpath=..").getAttribute("title")).includes("without writing the score matrix"), "no tooltip on fused attention");
    const prefill = await app.text("latency-prefill");
    await fused.check();
    const fusedPrefill = await changed(app, "latency-prefill", prefill);
    assert(parseFloat(fusedPrefill) < parseFloat(prefill), `fused prefill ${fusedPrefill} not below ${prefill}`);

    // The LM head (tied to the embedding in Qwen2.5-0.5B) in its own format.
    const fp16Weights = await app.text("memory-weights");
    assert((await app.testId("precision-lm-head").inputValue()) === "", "the LM head is not 'same as weights' by default");
    await app.testId("precision-lm-head").selectOption("int4");
    const smaller = await changed(app, "memory-weights", fp16Weights);
    await app.testId("precision-lm-head").selectOption("");
    await changed(app, "memory-weights", smaller);
    assert((await app.text("memory-weights")) === fp16Weights, "'same as weights' does not restore the weights' size");

    // Custom bits per weight: typed, checked by the core, a bad value keeps the last good one.
    assert(await app.testId("precision-custom-bits").count() === 0, "the bits field shows before Custom… is chosen");
    await app.testId("precision-weights").selectOption("custom");
    await app.testId("precision-custom-bits").fill("4.25");
    const custom = await changed(app, "memory-weights", fp16Weights);
    assert((await app.testId("precision-weights").inputValue()) === "custom", "the weights select left Custom…");
    await app.testId("precision-custom-bits").fill("abc");
    await app.testId("precision-custom-error").waitFor({ timeout: 5000 });
    const message = await app.text("precision-custom-error");
    assert(message === "Custom bits per weight: 'custom:abc' is not a custom weight format (expected custom:N with N bits per weight above 0 and at most 32, e.g. custom:4.25)", `message: ${message}`);
    assert((await app.text("memory-weights")) === custom, "a bad custom value changed the weights");
    await app.testId("precision-custom-bits").scrollIntoViewIfNeeded();
    await fused.locator("xpath=ancestor::section").screenshot({ path: join(shots, "deploy-workload-panel.png") });
    await app.testId("precision-custom-bits").fill("5");
    await app.testId("precision-custom-error").waitFor({ state: "detached", timeout: 5000 });
    await changed(app, "memory-weights", custom);

    // The paper panel says the paper keeps fused attention off, and its setting turns it off.
    await app.testId("paper-view").locator("summary").click();
    assert((await app.text("paper-fused-attention")).startsWith("Reproducing the paper keeps fused attention off"), "the paper panel does not mention fused attention");
    await app.testId("paper-view").screenshot({ path: join(shots, "deploy-paper-fused.png") });
    await app.testId("paper-qwen").click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="workload-fused-attention"]').checked, null, { timeout: 15000 });
    assert((await app.testId("precision-weights").inputValue()) === "fp16", "the paper setting kept the custom weights");
  },
});

answerTests.push({
  name: "a GGUF file gives its model from the header alone; a non-GGUF or truncated file is named and loses nothing (issue 15)",
  async run({ app, page, shots }) {
    await app.open();
    const options = () => app.testId("model-select").locator("option").allTextContents();
    const before = (await options()).length;
    const header = readFileSync(join(fixtures, "gguf", "llama2-7b-q4_0.gguf"));
    // Header plus 3 MiB standing for the tensor data: only the first 1 MiB slice is read.
    const big = Buffer.concat([header, Buffer.alloc(3 * 1024 * 1024)]);
    await app.testId("gguf-file").setInputFiles({ name: "llama-2-7b.Q4_0.gguf", mimeType: "application/octet-stream", buffer: big });
    await app.testId("gguf-report").waitFor({ timeout: 15000 });
    assert((await options()).length === before + 1, "the GGUF model was not added");
    const selected = await app.testId("model-select").evaluate((el) => el.options[el.selectedIndex].textContent);
    assert(selected === "llama2-7b-q4_0", `selected model: ${selected}`);
    const grouped = (n) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
    assert((await app.text("gguf-bytes-read")) === `${grouped(1048576)} B`, `bytes read: ${await app.text("gguf-bytes-read")}`);
    const headerBytes = parseInt((await app.text("gguf-header-bytes")).replace(/\u2009/g, ""), 10);
    assert(headerBytes > 1000 && headerBytes <= header.length, `header: ${await app.text("gguf-header-bytes")}`);
    assert((await app.text("gguf-file-type")).startsWith("Q4_0"), `file type: ${await app.text("gguf-file-type")}`);
    assert((await app.text("gguf-keys")).includes("llama.block_count"), "keys used not shown");
    assert((await app.text("model-params")).startsWith("6\u20097"), `parameters: ${await app.text("model-params")}`);
    await app.testId("gguf-use-format").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="precision-weights"]').value === "q4_0", null, { timeout: 5000 });
    await app.testId("gguf-report").scrollIntoViewIfNeeded();
    await app.testId("gguf-file").locator("xpath=ancestor::section").screenshot({ path: join(shots, "deploy-gguf-import.png") });

    const kept = async (what) => {
      assert((await options()).length === before + 1, `${what}: the model list changed`);
      const still = await app.testId("model-select").evaluate((el) => el.options[el.selectedIndex].textContent);
      assert(still === "llama2-7b-q4_0", `${what}: selection moved to ${still}`);
    };
    await app.testId("gguf-file").setInputFiles({ name: "notes.gguf", mimeType: "text/plain", buffer: Buffer.from("hello, not a model\n") });
    await app.testId("gguf-error").waitFor({ timeout: 15000 });
    let message = await app.text("gguf-error");
    assert(message === 'notes.gguf, byte 0: not a GGUF file (expected the magic bytes "GGUF", found "hell")', `message: ${message}`);
    await kept("not GGUF");
    await app.testId("gguf-file").setInputFiles({ name: "cut.gguf", mimeType: "application/octet-stream", buffer: header.subarray(0, 300) });
    await page.waitForFunction(() => document.querySelector('[data-testid="gguf-error"]')?.textContent.startsWith("cut.gguf"), null, { timeout: 15000 });
    message = await app.text("gguf-error");
    assert(message.startsWith("cut.gguf: truncated: the file ends at byte 300, inside its header"), `message: ${message}`);
    await kept("truncated");
    const v9 = Buffer.from(header);
    v9.writeUInt32LE(9, 4);
    await app.testId("gguf-file").setInputFiles({ name: "future.gguf", mimeType: "application/octet-stream", buffer: v9 });
    await page.waitForFunction(() => document.querySelector('[data-testid="gguf-error"]')?.textContent.startsWith("future.gguf"), null, { timeout: 15000 });
    message = await app.text("gguf-error");
    assert(message.includes("GGUF version 9 is not supported"), `message: ${message}`);
    await kept("unknown version");
    // Another family from its header: Qwen2.5 in Q8_0.
    await app.testId("gguf-file").setInputFiles(join(fixtures, "gguf", "qwen2.5-0.5b-q8_0.gguf"));
    await page.waitForFunction(() => !document.querySelector('[data-testid="gguf-error"]'), null, { timeout: 15000 });
    assert((await app.text("gguf-file-type")).startsWith("Q8_0"), `file type: ${await app.text("gguf-file-type")}`);
    assert((await options()).length === before + 2, "the second GGUF model was not added");
  },
});

answerTests.push({
  name: "llama-bench and Ollama output pasted or dropped become measurement rows of a page model; an unknown layout lists the forms read (issue 15)",
  async run({ app, page, shots }) {
    await app.open();
    await app.testId("gguf-file").setInputFiles(join(fixtures, "gguf", "llama2-7b-q4_0.gguf"));
    await app.testId("gguf-report").waitFor({ timeout: 15000 });
    await app.testId("bench-paste").locator("summary").click();
    const model = await app.testId("bench-model").evaluate((el) => el.options[el.selectedIndex].textContent);
    assert(model === "llama2-7b-q4_0", `runs' model: ${model}`);
    const rows = () => app.testId("calib-rows").locator("tbody tr").count();
    await app.testId("bench-text").fill(readFileSync(join(fixtures, "bench", "llama-bench-md.txt"), "utf8"));
    await app.testId("bench-add").click();
    await app.testId("calib-report").waitFor({ timeout: 30000 });
    const first = await rows();
    assert(first === 2, `${first} rows from pp 512 and tg 128`);
    assert((await app.testId("calib-report").locator("p.hint").first().textContent()).includes("pasted output (llama2-7b-q4_0)"), "the report does not name the pasted runs");
    // llama-bench's type column gave Q4_0; Ollama's timings name no format: the one chosen.
    const labels = () => app.testId("calib-rows").locator("tbody tr td:nth-child(2)").allTextContents();
    assert((await labels()).every((l) => l.includes("Q4_0")), `llama-bench rows: ${await labels()}`);
    await app.testId("bench-format").selectOption("q4_k_m");
    await app.testId("bench-file").setInputFiles(join(fixtures, "bench", "ollama-verbose.txt"));
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="calib-rows"] tbody tr').length > n, first, { timeout: 30000 });
    const both = await rows();
    const ollama = (await labels()).filter((l) => !l.includes("Q4_0"));
    assert(ollama.length === both - first && ollama.every((l) => l.includes("Q4_K_M")), `Ollama rows: ${ollama}`);
    await app.testId("bench-text").fill("hello\nworld\n");
    await app.testId("bench-add").click();
    await app.testId("bench-error").waitFor({ timeout: 5000 });
    const message = await app.text("bench-error");
    assert(message.startsWith("pasted output: not a benchmark output this page reads (expected llama-bench's markdown table, -o json, -o jsonl or -o csv, or the timings ollama run --verbose prints"), `message: ${message}`);
    assert((await rows()) === both, "a refused paste changed the measurements");
    await app.testId("bench-paste").scrollIntoViewIfNeeded();
    await app.testId("bench-paste").locator("xpath=ancestor::section").screenshot({ path: join(shots, "deploy-bench-paste.png") });
  },
});

answerTests.push({
  name: "GGUF formats join the frontier beside the presets, each with its own colour, at most 8 in one search (issue 15)",
  async run({ app, page, shots }) {
    await app.open();
    await searchDone(app);
    const legend = () => app.testId("frontier-chart-canvas").getAttribute("aria-label");
    const legendHas = (name, yes) => page.waitForFunction(([n, y]) =>
      (document.querySelector('[data-testid="frontier-chart-canvas"]')?.getAttribute("aria-label") || "").includes(`${n} frontier`) === y,
    [name, yes], { timeout: 60000 });
    await app.testId("search-precision-add").selectOption("q4_k_m");
    await searchDone(app);
    const box = app.testId("search-precision-Q4_K_M");
    assert(await box.isChecked() && !(await box.isDisabled()), "the added format is not a ticked, removable box");
    await legendHas("Q4_K_M", true);
    assert((await app.testId("search-precision-add").inputValue()) === "", "the add select kept its choice");
    // The page's own precision stays first and fixed; unticking an added format removes it.
    await box.click();
    await legendHas("Q4_K_M", false);
    assert(await app.testId("search-precision-Q4_K_M").count() === 0, "an unticked added format stays listed");
    // Eight precisions fill a search: the add select turns off and says why.
    const add = app.testId("search-precision-add");
    for (const f of ["q4_0", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "iq4_xs", "q4f16_1"]) {
      if (await add.isDisabled()) break;
      await add.selectOption(f);
      await searchDone(app);
    }
    await app.testId("search-precision-full").waitFor({ timeout: 10000 });
    assert(await add.isDisabled(), "the add select stays on with 8 precisions");
    await page.waitForFunction(() => {
      const label = document.querySelector('[data-testid="frontier-chart-canvas"]')?.getAttribute("aria-label") || "";
      return (label.split("Legend: ")[1] || "").split(". ")[0].split(", ").filter((n) => n.endsWith(" frontier")).length === 8;
    }, null, { timeout: 60000 });
    const names = (await legend()).split("Legend: ")[1].split(". ")[0].split(", ").filter((n) => n.endsWith(" frontier"));
    assert(names.length === 8 && new Set(names).size === 8 && names.includes("Q4_0 frontier"), `frontiers in the legend: ${names}`);
    // A preset left unticked cannot be ticked past the limit.
    for (const preset of ["INT8", "W8A16", "W4A16"]) {
      const b = app.testId(`search-precision-${preset}`);
      if (!(await b.isChecked())) assert(await b.isDisabled(), `${preset} can still be ticked past the limit`);
    }
    await app.testId("frontier-chart").screenshot({ path: join(shots, "deploy-frontier-formats.png") });
  },
});

// Issue 16, as a new user would try it: the Orin Nano Super with llama.cpp, Q4_K_M, 512 prompt
// and 128 generated tokens, a 25 ms per-token budget. The frontier, the best design and
// Qwen2.5-0.5B's latency use the measured device, and the validation view says how close
// such predictions came on published runs.
answerTests.push({
  name: "Orin Nano Super · llama.cpp, Q4_K_M, 512/128, 25 ms per token: every figure uses the measured device (issue 16's journey)",
  async run({ app, page, shots }) {
    await app.open();
    await searchDone(app);
    const measured = "Jetson Orin Nano Super 8GB · llama.cpp · CUDA (measured)";
    await chooseDevice(app, measured);
    await app.testId("precision-weights").selectOption("q4_k_m");
    await setField(app, "workload-prompt", "512");
    await setField(app, "workload-generated", "128");
    await setField(app, "search-budget", "25 ms/token");
    await searchDone(app);
    const chosen = await app.testId("device-select").evaluate((el) => el.options[el.selectedIndex].textContent);
    assert(chosen === measured, `device in use: ${chosen}`);
    // The device panel names the calibration: its source, and an overhead per layer.
    assert((await app.text("device-step-overhead")).includes("per layer per step"), await app.text("device-step-overhead"));
    // Its published Q8_0 runs were fitted apart: the panel states that format's own bandwidth.
    const bw = await app.text("device-bandwidth");
    assert(/for other formats; Q8_0 \d+\.\d GB\/s \(fraction 0\.\d+\)/.test(bw), `device bandwidth: ${bw}`);
    assert((await app.text("budget-meaning")).startsWith("In use: 25 ms per generated token"), await app.text("budget-meaning"));
    await page.waitForFunction((m) => (document.querySelector('[data-testid="frontier-chart-canvas"]')?.getAttribute("aria-label") || "").includes(m), measured, { timeout: 30000 });
    const best = await app.text("best-under-budget");
    assert(best.includes("25 ms per generated token"), `best: ${best}`);
    // How far to trust it: the device's held-out errors, and the best design's margin under
    // the budget against the decode error.
    const heldOut = await app.text("device-held-out");
    assert(/^decode \d+\.\d %, prefill \d+\.\d %$/.test(heldOut), `held out: ${heldOut}`);
    const margin = await app.text("budget-margin");
    assert(/^It is \d+\.\d % under the budget; this device's predictions of published decode runs were off by \d+\.\d % on average/.test(margin), `margin: ${margin}`);
    // Qwen2.5-0.5B (the reference model) on the measured device, then on its rated numbers:
    // About half the rated bandwidth and an overhead per layer: decode over 1.5× the rated.
    const seconds = (t) => parseFloat(t) * (t.endsWith(" ms") ? 1e-3 : t.endsWith(" µs") ? 1e-6 : 1);
    const onMeasured = seconds(await app.text("latency-decode"));
    await app.testId("frontier-pin-Qwen2.5-0.5B").click();
    await app.testId("design-compare").waitFor({ timeout: 15000 });
    const trust = await app.text("design-trust");
    assert(trust.startsWith(`How far to trust these latencies (${measured}): Off by decode`), `design trust: ${trust}`);
    const details = app.testId("derivation");
    await details.locator("summary").click();
    await app.testId("derivation-decode-total").waitFor({ timeout: 15000 });
    const deviceLines = await app.text("derivation-device");
    // The measured fraction (about 0.5 on this board, fitted from the shipped rows) and the
    // overhead of Qwen2.5-0.5B's 24 layers.
    const fraction = parseFloat((deviceLines.match(/bandwidth fraction (0\.\d+)/) || [])[1]);
    assert(fraction > 0.3 && fraction < 0.8 && deviceLines.includes("24 layers ×"), `derivation device lines: ${deviceLines}`);
    await details.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, "journey-orin-nano-llama.png"), fullPage: false });
    await app.testId("device-variant").filter({ hasText: "(rated)" }).click();
    await app.settled(50);
    const onRated = seconds(await app.text("latency-decode"));
    assert(onMeasured > 1.5 * onRated, `decode: measured ${onMeasured} s, rated ${onRated} s`);
    // The validation view scores this device and runtime on its published runs.
    await chooseDevice(app, measured);
    await app.testId("validation-open").click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="validation-progress"]')?.textContent || "").includes("groups;"), null, { timeout: 60000 });
    const row = await page.evaluate(() => {
      const r = [...document.querySelectorAll('[data-testid="validation-groups"] tbody tr')]
        .find((r) => r.cells[0].textContent.startsWith("Jetson Orin Nano Super 8GB") && r.cells[1].textContent.startsWith("llama.cpp"));
      return r && [...r.cells].map((c) => c.textContent.trim());
    });
    assert(row && /^\d+\.\d %$/.test(row[6]), `validation row: ${JSON.stringify(row)}`);
  },
});
