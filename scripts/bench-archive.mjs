#!/usr/bin/env node
// `npm run bench:archive`: the archive of one user with 100,000 telemetry events on the embedded
// default (SQLite, every service its own process, as `npm start` runs them). Restricts
// processing for the user, then prints the size of each archive file, report.html, the
// manifest and the zip download (with each file's size inside the zip), the times (export,
// report rendering, zip download) and governance's memory while it exports and zips.
// The zip is read back with yauzl and every entry checked against the manifest's SHA-256.
// Options (environment): DGG_BENCH_TELEMETRY (default 100000), DGG_BENCH_DEVICES (default 20).
// Works in a temporary folder; needs `npm run build` first (the npm script does it).
import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import common from "../packages/common/dist/index.js";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchTenant, benchTokens, freePortEnvironment, gql, memoryOf } from "./lib/bench/postgres-process.mjs";
import { benchNumbers } from "./lib/bench/options.mjs";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");
const yauzl = require("yauzl");

const { TELEMETRY, DEVICES } = benchNumbers({ TELEMETRY: 100_000, DEVICES: 20 });
const BATCH = 5000;

const dataDir = mkdtempSync(join(tmpdir(), "dgg-bench-archive-"));
const env = serviceEnvironment({
  ...process.env,
  DGG_DATA_DIR: dataDir,
  DGG_SEED_DEMO: "false",
  PRIVACY_WORKERS: "1",
  PRIVACY_POLL_MS: "200",
  ...(await freePortEnvironment([...common.SERVICES, common.GATEWAY_SERVICE])),
});
const keys = common.keyPathsFromEnv(env);
common.ensureDevKeys(keys);

const kb = (bytes) => `${(bytes / 1024).toLocaleString("en", { maximumFractionDigits: 1 })} KiB`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toLocaleString("en", { maximumFractionDigits: 2 })} MiB`;
const size = (bytes) => (bytes >= 1024 * 1024 ? mb(bytes) : kb(bytes));
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** Every entry of a zip file on disk, streamed (yauzl checks CRC-32 and sizes): name → sizes and SHA-256. */
function zipEntries(path) {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true }, (error, zip) => {
      if (error) return reject(error);
      const entries = [];
      zip.on("error", reject);
      zip.on("end", () => resolve(entries));
      zip.on("entry", (entry) => {
        zip.openReadStream(entry, (openError, stream) => {
          if (openError) return reject(openError);
          const hash = createHash("sha256");
          stream.on("data", (chunk) => hash.update(chunk));
          stream.on("error", reject);
          stream.on("end", () => {
            entries.push({ file: entry.fileName, bytes: entry.uncompressedSize, compressed: entry.compressedSize, sha256: hash.digest("hex") });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

const services = await startServices(env, { log: () => {} });
try {
  const gateway = `${env.GATEWAY_URL}/graphql`;
  const token = await benchTokens(common, keys);
  const { tenantId, admin } = await benchTenant(gateway, token, { name: "Bench", region: "EUROPE" });
  const userId = (await gql(gateway, await admin(), `mutation($t: ID!) { createUser(input: { tenantId: $t, userPrincipalName: "big@bench.eu", displayName: "Big Bench", email: "big@bench.eu" }) { id } }`, { t: tenantId })).createUser.id;

  const seedStarted = Date.now();
  for (let d = 0; d < DEVICES; d += 1) {
    await gql(gateway, await admin(), `mutation($u: ID!, $n: String!, $s: String!) { enrollDevice(input: { userId: $u, deviceName: $n, operatingSystem: "Windows 11", serialNumber: $s }) { id } }`, {
      u: userId,
      n: `Big Bench's laptop ${d}`,
      s: `SN-BENCH-${d}`,
    });
  }
  // Spread over the last 20 days (well inside the 30-day telemetry window), newest first.
  const now = Date.now();
  const spacing = Math.floor((20 * common.DAY_MS) / TELEMETRY);
  const kinds = ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"];
  for (let from = 0; from < TELEMETRY; from += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, TELEMETRY - from) }, (_, k) => {
      const i = from + k;
      return { userId, kind: kinds[i % 3], occurredAt: new Date(now - i * spacing).toISOString(), payload: { seq: i, device: `SN-BENCH-${i % DEVICES}`, durationMs: (i * 37) % 5000, message: `operation ${i % 97} finished` } };
    });
    const { ingestTelemetry } = await gql(gateway, await admin(), `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, { e: events });
    if (ingestTelemetry.accepted !== events.length) throw new Error(`ingestion accepted ${ingestTelemetry.accepted} of ${events.length}`);
  }
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  console.log(`seeded ${TELEMETRY.toLocaleString("en")} telemetry events and ${DEVICES} devices in ${seedSeconds.toFixed(1)} s`);

  const governance = services.children.find(({ service }) => service.name === "governance").child;
  const idle = memoryOf(governance.pid).rss;
  let exportPeak = idle;
  const exportSampler = setInterval(() => (exportPeak = Math.max(exportPeak, memoryOf(governance.pid).rss)), 100);
  const filed = (await gql(gateway, await admin(), `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: userId })).restrictProcessing;
  let request;
  for (;;) {
    request = (await gql(gateway, await admin(), `query($id: ID!) { privacyRequest(id: $id) {
      status error export { location sha256 byteSize } steps { exportStartedAt exportVerifiedAt completedAt } } }`, { id: filed.id })).privacyRequest;
    if (request.status === "COMPLETED" || request.status === "FAILED") break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  clearInterval(exportSampler);
  if (request.status !== "COMPLETED") throw new Error(`request ended ${request.status}: ${request.error}`);

  // The report's own time: from the end of the files (FILES_WRITTEN) to its record (REPORT_WRITTEN).
  const governanceDb = new Database(join(dataDir, "governance.sqlite"), { readonly: true });
  const steps = Object.fromEntries(
    governanceDb.prepare("SELECT step, at FROM privacy_request_event WHERE request_id = ? ORDER BY seq").all(filed.id).map((row) => [row.step, Number(row.at)]),
  );
  governanceDb.close();
  const reportMs = steps.REPORT_WRITTEN - steps.FILES_WRITTEN;
  const exportMs = new Date(request.steps.exportVerifiedAt).getTime() - new Date(request.steps.exportStartedAt).getTime();

  const manifestBytes = readFileSync(fileURLToPath(request.export.location));
  const manifest = JSON.parse(manifestBytes.toString("utf8"));

  const link = (await gql(gateway, await admin(), `mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url } }`, { id: filed.id })).createPrivacyExportDownload.url;
  const zipPath = join(dataDir, "archive.zip");
  const zipIdle = memoryOf(governance.pid).rss;
  let zipPeak = zipIdle;
  const zipSampler = setInterval(() => (zipPeak = Math.max(zipPeak, memoryOf(governance.pid).rss)), 50);
  const zipStarted = Date.now();
  const response = await fetch(`${link}?format=zip`, { headers: { authorization: `Bearer ${await admin()}` } });
  if (response.status !== 200) throw new Error(`zip download answered ${response.status}: ${await response.text()}`);
  await pipeline(Readable.fromWeb(response.body), createWriteStream(zipPath));
  const zipMs = Date.now() - zipStarted;
  clearInterval(zipSampler);
  const zipBytes = statSync(zipPath).size;
  const entries = await zipEntries(zipPath);
  const expected = [{ file: "manifest.json", bytes: manifestBytes.length, sha256: sha256(manifestBytes) }, ...manifest.files, manifest.report];
  for (const entry of expected) {
    const found = entries.find((candidate) => candidate.file === entry.file);
    if (!found || found.sha256 !== entry.sha256 || found.bytes !== entry.bytes) throw new Error(`the zip's ${entry.file} does not match the manifest`);
  }
  if (entries.length !== expected.length) throw new Error(`the zip holds ${entries.length} entries, the manifest lists ${expected.length}`);

  const rows = expected.map((entry) => {
    const zipped = entries.find((candidate) => candidate.file === entry.file);
    return `| ${entry.file} | ${entry.records === undefined ? "" : entry.records.toLocaleString("en")} | ${size(entry.bytes)} | ${size(zipped.compressed)} |`;
  });
  const archiveBytes = expected.reduce((sum, entry) => sum + entry.bytes, 0);
  console.log(`
Archive of one user with ${TELEMETRY.toLocaleString("en")} telemetry events (SQLite, services as processes)

| file | records | size | in the zip (deflated) |
|---|---:|---:|---:|
${rows.join("\n")}
| **archive** (sum of the files) | ${manifest.totalRecords.toLocaleString("en")} | ${size(archiveBytes)} | |
| **archive.zip** (download) | | | ${size(zipBytes)} |

| step | time |
|---|---:|
| seeding (through the gateway) | ${seedSeconds.toFixed(1)} s |
| export, started → verified (all files, report, manifest, read-back) | ${(exportMs / 1000).toFixed(1)} s |
| of which report.html (FILES_WRITTEN → REPORT_WRITTEN) | ${(reportMs / 1000).toFixed(2)} s |
| zip download through the gateway (${size(zipBytes)}) | ${(zipMs / 1000).toFixed(2)} s |

governance RSS: idle ${mb(idle * 1024)}, peak while exporting ${mb(exportPeak * 1024)} (+${mb((exportPeak - idle) * 1024)}), peak while zipping ${mb(zipPeak * 1024)} (+${mb((zipPeak - zipIdle) * 1024)})
report.html shows ${Math.min(1000, TELEMETRY).toLocaleString("en")} of ${TELEMETRY.toLocaleString("en")} telemetry records; manifest SHA-256 ${request.export.sha256}
`);
} finally {
  await services.stop();
}
