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
  async text(id) {
    return (await this.testId(id).first().textContent())?.trim() ?? "";
  }
}
