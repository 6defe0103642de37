#!/usr/bin/env node
// `npm run bench:privacy`: restricts one user with 1,000,000 telemetry events, 1,000 devices
// and 10,000 audit entries end to end on PostgreSQL, every service as its own process (as
// `npm start` runs them), and reports the time, records per second and the governance
// process's memory (peak RSS from /proc, growth over its idle RSS). Fails if the growth
// reaches 100 MB. Options (environment): DGG_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432),
// DGG_BENCH_TELEMETRY / DGG_BENCH_DEVICES / DGG_BENCH_AUDIT (default 1000000 / 1000 / 10000),
// DGG_BENCH_TRAFFIC: telemetry events per second the user's managed device keeps sending
// through the gateway while the request runs (default 0; the freeze refuses them), in
// requests of DGG_BENCH_TRAFFIC_BATCH events each (default 1: one request per event).
// Creates and empties databases named dgg_bench_*; needs `npm run build` first (the npm script does it).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchTenant, benchTokens, cpuMsOf, gql, memoryOf, seedBigUser } from "./lib/bench/postgres-process.mjs";

const require = createRequire(import.meta.url);
const common = require("../packages/common/dist/index.js");

const TELEMETRY = Number(process.env.DGG_BENCH_TELEMETRY ?? 1_000_000);
const DEVICES = Number(process.env.DGG_BENCH_DEVICES ?? 1000);
const AUDIT = Number(process.env.DGG_BENCH_AUDIT ?? 10_000);
const TRAFFIC = Number(process.env.DGG_BENCH_TRAFFIC ?? 0);
const TRAFFIC_BATCH = Number(process.env.DGG_BENCH_TRAFFIC_BATCH ?? 1);
const LIMIT_MB = 100;







const dataDir = mkdtempSync(join(tmpdir(), "dgg-bench-"));
// Users, telemetry and audit keep one store per region; the benchmark's tenant lives in EUROPE.
const HOME_REGION = "EUROPE";
const { env, keys, home: urls } = await benchEnvironment({
  prefix: "dgg_bench",
  homeRegion: HOME_REGION,
  dataDir,
  regions: common.REGIONS,
  serviceEnvironment,
  common,
  extra: { PRIVACY_WORKERS: "1", PRIVACY_POLL_MS: "200" },
});

const services = await startServices(env, { log: () => {} });
const stop = () => services.stop();
try {
  const gateway = `${env.GATEWAY_URL}/graphql`;
  const token = await benchTokens(common, keys);
  const tenant = await benchTenant(gateway, token, { name: "Bench", region: HOME_REGION });
  const { tenantId } = tenant;
  const admin = await tenant.admin();
  const userId = (await gql(gateway, admin, `mutation($t: ID!) { createUser(input: { tenantId: $t, userPrincipalName: "big@bench.eu", displayName: "Big" }) { id } }`, { t: tenantId })).createUser.id;

  const seconds = await seedBigUser(urls, { userId, tenantId, devices: DEVICES, telemetry: TELEMETRY, audit: AUDIT, common, env, region: HOME_REGION });
  console.log(`seeded ${TELEMETRY} telemetry events, ${DEVICES} devices, ${AUDIT} audit entries in ${seconds.toFixed(1)} s`);

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
  console.log(`
restrictProcessing on PostgreSQL: ${records.toLocaleString("en")} records (${request.export.counts.map((c) => `${c.category} ${c.records}`).join(", ")})
  mutation answered (RECEIVED)        ${answeredMs} ms
  end to end (received → completed)   ${(totalMs / 1000).toFixed(1)} s   ${Math.round(records / (totalMs / 1000)).toLocaleString("en")} records/s
  export + verify                     ${(exportMs / 1000).toFixed(1)} s   ${Math.round(records / (exportMs / 1000)).toLocaleString("en")} records/s
  erasure                             ${(eraseMs / 1000).toFixed(1)} s
  archive                             ${(request.export.byteSize / 1024 / 1024).toFixed(1)} MB, manifest SHA-256 ${request.export.sha256}
  erased                              ${request.erasures.map((e) => `${e.category} ${e.erased}`).join(", ")}
  device traffic                      ${TRAFFIC} events/s in requests of ${TRAFFIC_BATCH}: ${device.accepted} accepted (before the freeze), ${device.rejected} refused (frozen), ${device.failed} refused after erasure
  CPU used during the request         ${cpuDuring}
  governance RSS idle ${(idle.rss / 1024).toFixed(1)} MB, peak ${(peakKb / 1024).toFixed(1)} MB, growth ${growthMb.toFixed(1)} MB (limit ${LIMIT_MB} MB)`);
  if (growthMb >= LIMIT_MB) {
    console.error(`FAIL: governance memory grew by ${growthMb.toFixed(1)} MB, at or over the ${LIMIT_MB} MB limit`);
    process.exitCode = 1;
  }
} finally {
  await stop();
}
