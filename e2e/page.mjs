// Page object: how tests reach the app, by data-testid only.
export class RoofscalePage {
  constructor(page, url) {
    this.page = page;
    this.url = url;
  }
  testId(id) {
    return this.page.locator(`[data-testid="${id}"]`);
  }
  async open() {
    await this.page.goto(this.url, { waitUntil: "load" });
    await this.testId("app-root").waitFor({ state: "visible", timeout: 20000 });
  }
  /** Waits until the chart `id` has drawn its static layer more than `after` times. */
  async drawn(id, after = 0) {
    await this.page.waitForFunction(([sel, n]) => parseInt(document.querySelector(sel)?.dataset.draws ?? "0", 10) > n,
      [`[data-testid="${id}"]`, after], { timeout: 20000 });
  }
  async draws(id) {
    return parseInt((await this.testId(id).getAttribute("data-draws")) ?? "0", 10);
  }
  /** Resolves once the page has had two frames and a task (queued reactions have run), then
   * `quietMs` more of page time. */
  async settled(quietMs = 0) {
    await this.page.evaluate((ms) => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(ok, ms)))), quietMs);
  }
  async text(id) {
    return (await this.testId(id).first().textContent())?.trim() ?? "";
  }
}
