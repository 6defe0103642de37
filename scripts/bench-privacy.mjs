#!/usr/bin/env node
// `npm run bench:privacy`: restricts one user with 1,000,000 telemetry events, 1,000 devices
// and 10,000 audit entries end to end, on PostgreSQL and on SQLite (the embedded default),
// every service as its own process (as `npm start` runs them), and reports the time, records
// per second and the governance process's memory (peak RSS from /proc, growth over its idle
// RSS). Fails if the growth reaches 100 MB. In the same run and on the same data (a twin
// user seeded with the same rows) it times the raw baseline: the database's own tool exports
// the rows as JSON to files (psql's \copy of row_to_json, or the sqlite3 shell's -json
// output), sha256sum hashes them, and a DELETE removes them. Options (environment):
// DGG_BENCH_ENGINES (default postgres,sqlite), DGG_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432),
// DGG_BENCH_TELEMETRY / DGG_BENCH_DEVICES / DGG_BENCH_AUDIT (default 1000000 / 1000 / 10000),
// DGG_BENCH_TRAFFIC: telemetry events per second the user's managed device keeps sending
// through the gateway while the request runs (default 0; the freeze refuses them), in
// requests of DGG_BENCH_TRAFFIC_BATCH events each (default 1: one request per event).
// DGG_BENCH_CPU_PROF=<folder> runs every service under --cpu-prof, profiles in <folder>/<engine>.
// Writes docs/benchmarks/results/privacy-<date>.md. Creates and empties databases named
// dgg_bench_*; needs `npm run build` first (the npm script does it), psql and sqlite3.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import common from "../packages/common/dist/index.js";
import { ROOT, serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchSession, cpuMsOf, gql, memoryOf, seedBigUser } from "./lib/bench/postgres-process.mjs";
import { rawPostgres, rawSqlite, seedBigUserSqlite } from "./lib/bench/raw-baseline.mjs";
import { benchList, benchNumbers } from "./lib/bench/options.mjs";

const ENGINES = benchList("ENGINES", "postgres,sqlite");
const { TELEMETRY, DEVICES, AUDIT, TRAFFIC, TRAFFIC_BATCH } = benchNumbers({ TELEMETRY: 1_000_000, DEVICES: 1000, AUDIT: 10_000, TRAFFIC: 0, TRAFFIC_BATCH: 1 });
const LIMIT_MB = 100;
// Users, telemetry and audit keep one store per region; the benchmark's tenant lives in EUROPE.
const HOME_REGION = "EUROPE";

async function runEngine(engine) {
  const dataDir = mkdtempSync(join(tmpdir(), "dgg-bench-"));
  const { env, keys, home: urls } = await benchEnvironment({
    engine,
    prefix: "dgg_bench",
    homeRegion: HOME_REGION,
    dataDir,
    regions: common.REGIONS,
    serviceEnvironment,
    common,
    extra: { PRIVACY_WORKERS: "1", PRIVACY_POLL_MS: "200" },
  });

  // DGG_BENCH_CPU_PROF=<folder>: every service under --cpu-prof (read them with scripts/lib/bench/cpu-profile.mjs).
  const profiling = process.env.DGG_BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.DGG_BENCH_CPU_PROF}/${engine}`] : [];
  const services = await startServices(env, { log: () => {}, nodeArgs: profiling });
  const stop = () => services.stop();
  try {
    const { gateway, token, tenantId, admin } = await benchSession(env, common, keys, { name: "Bench", region: HOME_REGION });
    const createUser = async (name) => (await gql(gateway, admin, `mutation($t: ID!, $n: String!) { createUser(input: { tenantId: $t, userPrincipalName: $n, displayName: "Big" }) { id } }`, { t: tenantId, n: name })).createUser.id;
    const userId = await createUser("big@bench.eu");
    // The raw baseline's twin: the same rows under another user, so both start from the same data.
    const twinId = await createUser("twin@bench.eu");
    const sqliteFiles = Object.fromEntries(["users", "telemetry", "audit"].map((store) => [store, common.regionalDatabaseConfigsFromEnv(store.toUpperCase(), store, env)[HOME_REGION].file]));
    const seed = (id) =>
      engine === "postgres"
        ? seedBigUser(urls, { userId: id, tenantId, devices: DEVICES, telemetry: TELEMETRY, audit: AUDIT, common, env, region: HOME_REGION })
        : seedBigUserSqlite(sqliteFiles, { userId: id, tenantId, devices: DEVICES, telemetry: TELEMETRY, audit: AUDIT, common, env, region: HOME_REGION });
    const seeded = await seed(userId);
    const twin = await seed(twinId);
    console.log(`${engine}: seeded ${TELEMETRY} telemetry events, ${DEVICES} devices, ${AUDIT} audit entries for the user and for its twin in ${(seeded.seconds + twin.seconds).toFixed(1)} s`);

    const governance = services.children.find(({ service }) => service.name === "governance").child;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = memoryOf(governance.pid);
    let sampledPeak = idle.rss;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, memoryOf(governance.pid).rss);
    }, 100);

    // The user's device, still enrolled, keeps sending: one event every 1000/TRAFFIC ms, before and during the request.
    const device = { accepted: 0, rejected: 0, failed: 0, inFlight: new Set() };
    const sendOne = () => {
      const sent = gql(gateway, admin, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted rejected { code } } }`, {
        e: Array.from({ length: TRAFFIC_BATCH }, () => ({ userId, kind: "SERVICE_LOG", occurredAt: new Date().toISOString(), payload: { from: "device" } })),
      }).then(
        ({ ingestTelemetry }) => {
          device.accepted += ingestTelemetry.accepted;
          device.rejected += ingestTelemetry.rejected.length;
        },
        () => {
          device.failed += TRAFFIC_BATCH;
        },
      );
      device.inFlight.add(sent);
      void sent.finally(() => device.inFlight.delete(sent));
    };
    // At the set rate whatever the answers' latency, as a real device would.
    const deviceTimer = TRAFFIC > 0 ? setInterval(sendOne, (1000 * TRAFFIC_BATCH) / TRAFFIC) : null;
    await new Promise((resolve) => setTimeout(resolve, TRAFFIC > 0 ? 1000 : 0));

    const cpuBefore = services.children.map(({ service, child }) => ({ name: service.name, pid: child.pid, ms: cpuMsOf(child.pid) }));
    const started = Date.now();
    const filed = (await gql(gateway, admin, `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, { u: userId })).restrictProcessing;
    const answeredMs = Date.now() - started;
    let request;
    for (;;) {
      request = (await gql(gateway, await token({ role: "tenant-admin", subject: "bench@admin", tenantId, userId: null }), `query($id: ID!) { privacyRequest(id: $id) {
        status error attempts export { sha256 byteSize counts { category records } } erasures { category erased }
        steps { receivedAt exportStartedAt exportVerifiedAt erasureStartedAt completedAt } } }`, { id: filed.id })).privacyRequest;
      if (request.status === "COMPLETED" || request.status === "FAILED") break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const totalMs = Date.now() - started;
    const cpuDuring = cpuBefore.map(({ name, pid, ms }) => `${name} ${((cpuMsOf(pid) - ms) / 1000).toFixed(1)} s`).join(", ");
    if (deviceTimer) clearInterval(deviceTimer);
    await Promise.all(device.inFlight);
    clearInterval(sampler);
    const after = memoryOf(governance.pid);
    if (request.status !== "COMPLETED") throw new Error(`request ended ${request.status}: ${request.error}`);

    const records = request.export.counts.reduce((sum, count) => sum + count.records, 0);
    const at = (name) => new Date(request.steps[name]).getTime();
    const exportMs = at("exportVerifiedAt") - at("exportStartedAt");
    const eraseMs = at("completedAt") - at("erasureStartedAt");
    const peakKb = Math.max(after.peak, sampledPeak);
    const growthMb = (peakKb - idle.rss) / 1024;
    const raw = engine === "postgres" ? await rawPostgres(urls, twin.stored) : await rawSqlite(sqliteFiles, twin.stored);
    console.log(`
  restrictProcessing on ${engine}: ${records.toLocaleString("en")} records (${request.export.counts.map((c) => `${c.category} ${c.records}`).join(", ")})
    mutation answered (RECEIVED)        ${answeredMs} ms
    end to end (received → completed)   ${(totalMs / 1000).toFixed(1)} s   ${Math.round(records / (totalMs / 1000)).toLocaleString("en")} records/s
    export + verify                     ${(exportMs / 1000).toFixed(1)} s   ${Math.round(records / (exportMs / 1000)).toLocaleString("en")} records/s
    erasure                             ${(eraseMs / 1000).toFixed(1)} s
    archive                             ${(request.export.byteSize / 1024 / 1024).toFixed(1)} MB, manifest SHA-256 ${request.export.sha256}
    erased                              ${request.erasures.map((e) => `${e.category} ${e.erased}`).join(", ")}
    device traffic                      ${TRAFFIC} events/s in requests of ${TRAFFIC_BATCH}: ${device.accepted} accepted (before the freeze), ${device.rejected} refused (frozen), ${device.failed} refused after erasure
    CPU used during the request         ${cpuDuring}
    governance RSS idle ${(idle.rss / 1024).toFixed(1)} MB, peak ${(peakKb / 1024).toFixed(1)} MB, growth ${growthMb.toFixed(1)} MB (limit ${LIMIT_MB} MB)
    raw baseline (twin user)            ${raw.total.toFixed(1)} s: export ${raw.export.toFixed(1)} s, sha256sum ${raw.hash.toFixed(1)} s, DELETE ${raw.delete.toFixed(1)} s; service / raw ${(totalMs / 1000 / raw.total).toFixed(1)}x`);
    if (growthMb >= LIMIT_MB) {
      console.error(`FAIL: governance memory grew by ${growthMb.toFixed(1)} MB, at or over the ${LIMIT_MB} MB limit`);
      process.exitCode = 1;
    }
    return { engine, records, totalS: totalMs / 1000, exportS: exportMs / 1000, eraseS: eraseMs / 1000, growthMb, raw };
  } finally {
    await stop();
    // The archives and SQLite files of a run at 1,000,000 events take hundreds of MB.
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
for (const engine of ENGINES) results.push(await runEngine(engine));
const table = `| engine | records | end to end (s) | records/s | export + verify (s) | erasure (s) | governance memory growth (MB) | raw: export, sha256sum, DELETE (s) | end to end / raw |
|---|---|---|---|---|---|---|---|---|
${results
  .map((r) => `| ${r.engine} | ${r.records.toLocaleString("en")} | ${r.totalS.toFixed(1)} | ${Math.round(r.records / r.totalS).toLocaleString("en")} | ${r.exportS.toFixed(1)} | ${r.eraseS.toFixed(1)} | ${r.growthMb.toFixed(1)} | ${r.raw.total.toFixed(1)} (${r.raw.export.toFixed(1)}, ${r.raw.hash.toFixed(1)}, ${r.raw.delete.toFixed(1)}) | ${(r.totalS / r.raw.total).toFixed(1)}x |`)
  .join("\n")}`;
console.log(`\n${table}`);
const date = new Date().toISOString().slice(0, 10);
mkdirSync(join(ROOT, "docs", "benchmarks", "results"), { recursive: true });
const file = join(ROOT, "docs", "benchmarks", "results", `privacy-${date}.md`);
writeFileSync(file, `# restrictProcessing end to end and the raw baseline\n\n${date}, one user with ${TELEMETRY.toLocaleString("en")} telemetry events, ${DEVICES.toLocaleString("en")} devices and ${AUDIT.toLocaleString("en")} audit entries; the raw baseline on a twin user with the same rows, in the same run.\n\n${table}\n`);
console.log(`written: ${file}`);
