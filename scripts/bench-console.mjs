#!/usr/bin/env node
// `npm run bench:console`: the privacy console's two figures. The bundle the browser loads
// (JS + CSS of console/dist, each gzipped at level 9), and the time to interactive of the
// person page with the demo data: the system as `npm start` runs it (every service its own
// process, SQLite in a fresh data folder, the demo seed), headless Chromium (the system's,
// CHROME_PATH or /usr/bin/chromium), a tenant admin signed in on the development page, then
// for DGG_BENCH_PEOPLE (default 10) demo users: Find → the page's data table rendered.
// Prints the cold load of the sign-in page too. Needs `npm run build` first (the npm script does it).
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import common from "../packages/common/dist/index.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { seedDemo } from "./seed-demo.mjs";
import { ROOT, serviceEnvironment, startServices } from "./lib/processes.mjs";
import { freePortEnvironment } from "./lib/bench/postgres-process.mjs";
import { benchNumbers } from "./lib/bench/options.mjs";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");

const { PEOPLE } = benchNumbers({ PEOPLE: 10 });
const CHROMIUM = process.env.CHROME_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) throw new Error(`headless Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROME_PATH`);

const assets = join(ROOT, "console", "dist", "assets");
const size = { js: 0, css: 0, jsRaw: 0, cssRaw: 0 };
for (const name of readdirSync(assets)) {
  const bytes = readFileSync(join(assets, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  if (name.endsWith(".js")) {
    size.js += gz;
    size.jsRaw += bytes.length;
  } else if (name.endsWith(".css")) {
    size.css += gz;
    size.cssRaw += bytes.length;
  }
}
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
// What the console page itself loads (index.html's script, preloads and stylesheet); the rest
// (oidc-client-ts, the OIDC popup's page) loads only where OIDC sign-in is configured.
const html = readFileSync(join(ROOT, "console", "dist", "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.(?:js|css))"/g)].reduce(
  (sum, [, file]) => sum + gzipSync(readFileSync(join(ROOT, "console", "dist", file)), { level: 9 }).length,
  0,
);
console.log(`bundle: JS ${kib(size.js)} gzip (${kib(size.jsRaw)} raw), CSS ${kib(size.css)} gzip (${kib(size.cssRaw)} raw), total ${kib(size.js + size.css)} gzip; the page's initial load ${kib(initial)} gzip`);

const env = serviceEnvironment({
  ...process.env,
  DGG_DATA_DIR: mkdtempSync(join(tmpdir(), "dgg-bench-console-")),
  // A free port for every service of the registry, as the other benchmarks do.
  ...(await freePortEnvironment([...common.SERVICES, common.GATEWAY_SERVICE])),
});
common.ensureDevKeys(common.keyPathsFromEnv(env));
const services = await startServices(env, { log: () => {} });
let browser;
try {
  const seeded = Date.now();
  console.log(`demo data: ${await seedDemo(`${env.GATEWAY_URL}/graphql`, env)} in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  const demo = JSON.parse(readFileSync(join(common.dataDir(env), "demo-seed.json"), "utf8"));
  const tenant = demo.tenants[0];
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const coldStarted = Date.now();
  await page.goto(`${env.GATEWAY_URL}/console/`, { waitUntil: "load" });
  await page.waitForSelector("#role");
  const cold = Date.now() - coldStarted;
  await page.select("#role", "tenant-admin");
  await page.select("#tenant", tenant.id);
  await page.click("form.stack button[type=submit]");
  await page.waitForSelector("#person-search");
  const times = [];
  for (const user of tenant.users.slice(0, PEOPLE)) {
    await page.click("#person-search", { count: 3 });
    await page.type("#person-search", user.userPrincipalName);
    const started = Date.now();
    await page.keyboard.press("Enter");
    // Runs in the page (hence globalThis.document).
    await page.waitForFunction(
      (name) => {
        const doc = globalThis.document;
        return doc.querySelector("#person-title")?.textContent?.includes(name) && doc.querySelectorAll("section.person tbody tr").length === 4;
      },
      { timeout: 30_000 },
      user.userPrincipalName,
    );
    times.push(Date.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`sign-in page interactive (cold load): ${cold} ms`);
  console.log(`person page interactive after Find, ${times.length} demo users of ${tenant.name}: median ${median} ms, min ${times[0]} ms, max ${times.at(-1)} ms`);
} finally {
  await browser?.close();
  await services.stop();
}
