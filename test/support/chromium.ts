/**
 * Opens a page in headless Chromium (puppeteer-core, the system's browser) with nothing but
 * the page itself reachable: every other request is recorded and aborted. Collects console
 * errors and warnings and page errors. Chromium comes from CHROME_PATH or /usr/bin/chromium
 * (.ci/run installs Debian's package); without it the test fails, saying so, never skips.
 */
import { existsSync } from "node:fs";
import puppeteer from "puppeteer-core";
import type { Browser, Page } from "puppeteer-core";

export const CHROMIUM = process.env.CHROME_PATH ?? "/usr/bin/chromium";

/** The address the page is served at; intercepted, so nothing goes on the network. */
const PAGE_URL = "https://archive.invalid/report.html";

export interface OpenedPage {
  page: Page;
  /** Console messages of type error or warning, and uncaught page errors. */
  problems: string[];
  /** Every request but the page's own, each aborted. */
  otherRequests: string[];
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `headless Chromium is needed to check report.html and was not found at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROME_PATH` +
        (process.env.CI === "true" ? " (CI must provide it)" : ""),
    );
  }
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
}

/** Serves `body` with `headers` as the only reachable resource and opens it. */
export async function openPage(browser: Browser, body: string, headers: Record<string, string>): Promise<OpenedPage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const otherRequests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warn") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${String(error)}`));
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    if (request.url() === PAGE_URL) {
      request.respond({ status: 200, headers, body }).catch((error: unknown) => problems.push(`respond: ${String(error)}`));
      return;
    }
    otherRequests.push(request.url());
    request.abort().catch((error: unknown) => problems.push(`abort: ${String(error)}`));
  });
  const response = await page.goto(PAGE_URL, { waitUntil: "load" });
  if (response?.status() !== 200) problems.push(`the page answered ${response?.status()}`);
  return { page, problems, otherRequests };
}
