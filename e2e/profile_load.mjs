// Profiles the page's main thread from navigation to the first frontier and names what runs in
// the longest busy stretches (the long tasks the browser benchmark reports). A tool for finding
// a long task, not a test: build with names first,
//   ROOFSCALE_KEEP_WASM_NAMES=1 trunk build --release --dist target/dist-prof
//   DIST_DIR=target/dist-prof node e2e/profile_load.mjs [stretches=8] [functions=12]
import { start, openPage } from "./browser.mjs";

const STRETCHES = parseInt(process.argv[2] || "8", 10);
const FUNCTIONS = parseInt(process.argv[3] || "12", 10);

const { browser, origin, url, close } = await start();
const { page } = await openPage(browser, origin, url);
const cdp = await page.context().newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
await cdp.send("Profiler.start");
await page.goto(url, { waitUntil: "commit" });
await page.waitForFunction(() => parseInt(document.querySelector('[data-testid="frontier-chart"]')?.dataset.draws ?? "0", 10) > 0
  && document.querySelector('[data-testid="search-evaluated"]') !== null, null, { timeout: 120000, polling: "raf" });
await page.waitForTimeout(1500);
const { profile } = await cdp.send("Profiler.stop");
await close();

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const name = (n) => n.callFrame.functionName || `(anonymous ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber})`;
// "(program)" is native work outside script (compiling wasm, style, layout): busy, as the Long
// Tasks API counts it.
const idle = new Set(["(idle)"]);

// Sample times (ms) and whether the thread was busy in script.
let t = profile.startTime;
const samples = profile.samples.map((id, i) => {
  t += profile.timeDeltas[i];
  const n = nodes.get(id);
  return { id, at: t / 1000, busy: !idle.has(n.callFrame.functionName) };
});

// Busy stretches: consecutive busy samples with gaps under 2 ms.
const stretches = [];
let cur = null;
for (const s of samples) {
  if (s.busy) {
    if (cur && s.at - cur.end < 2) { cur.end = s.at; cur.samples.push(s); }
    else { cur = { start: s.at, end: s.at, samples: [s] }; stretches.push(cur); }
  }
}
const t0 = profile.startTime / 1000;
// The longest stretches, in the order they ran.
const longest = [...stretches].sort((a, b) => (b.end - b.start) - (a.end - a.start)).slice(0, STRETCHES);
for (const st of longest.sort((a, b) => a.start - b.start)) {
  const ms = st.end - st.start;
  console.log(`\n== busy stretch ${ms.toFixed(0)} ms at ${(st.start - t0).toFixed(0)} ms after profiling began ==`);
  const inclusive = new Map();
  const self = new Map();
  const per = ms / st.samples.length;
  for (const s of st.samples) {
    const seen = new Set();
    let id = s.id;
    self.set(name(nodes.get(id)), (self.get(name(nodes.get(id))) || 0) + per);
    while (id !== undefined) {
      const nm = name(nodes.get(id));
      if (!seen.has(nm)) { inclusive.set(nm, (inclusive.get(nm) || 0) + per); seen.add(nm); }
      id = parent.get(id);
    }
  }
  // Our own functions and the browser's native work say most; wrappers are left out.
  const ours = (n) => n.startsWith("roofscale::") || n.startsWith("(") || n.includes("wasm.") || /^[a-z]+$/.test(n);
  const top = (m) => [...m.entries()].filter(([n]) => ours(n)).sort((a, b) => b[1] - a[1]).slice(0, FUNCTIONS);
    for (const [n, v] of top(inclusive)) console.log(`${v.toFixed(1).padStart(7)} ms  ${n.slice(0, 150)}`);
}
