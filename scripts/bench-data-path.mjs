#!/usr/bin/env node
// `npm run bench:data-path`: the speed of the everyday data path through the gateway, every
// service as its own process on PostgreSQL (as `npm start` runs them):
//   - ingestion: telemetry in requests of DGG_BENCH_BATCH events (default 500) from
//     DGG_BENCH_INGESTERS concurrent clients (default 4) for DGG_BENCH_SECONDS (default 20);
//   - reads: the whole personalData query (account, devices, 50 telemetry events, retention,
//     residency) for users cycling, from DGG_BENCH_READERS concurrent clients (default 8).
// Reports events/s, reads/s, p50/p99 latency and CPU per read for each process. Everything is
// written through the API (so stored as production stores it, sealed: docs/decisions/0044).
// Users: DGG_BENCH_USERS (default 200), each with 2 devices and 60 events seeded first.
// Creates and empties databases named dgg_bdp_*; needs `npm run build` first (the npm script does it).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchTenant, benchTokens, cpuMsOf, gql } from "./lib/bench/postgres-process.mjs";

const require = createRequire(import.meta.url);
const common = require("../packages/common/dist/index.js");

const USERS = Number(process.env.DGG_BENCH_USERS ?? 200);
const BATCH = Number(process.env.DGG_BENCH_BATCH ?? 500);
const INGESTERS = Number(process.env.DGG_BENCH_INGESTERS ?? 4);
const READERS = Number(process.env.DGG_BENCH_READERS ?? 8);
const SECONDS = Number(process.env.DGG_BENCH_SECONDS ?? 20);

const READ = `query($u: ID!) { personalData(user: $u) {
  account { userPrincipalName displayName email managementState }
  devices(first: 10) { totalCount edges { node { deviceName serialNumber operatingSystem } } }
  telemetry(first: 50) { totalCount edges { node { id kind occurredAt payload } } }
  retention { category purgeAfter } residency { region } } }`;
const INGEST = `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Runs `clients` loops of `call` for `seconds`; returns the count and the sorted latencies (ms). */
async function closedLoop(clients, seconds, call) {
  const until = Date.now() + seconds * 1000;
  const latencies = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (Date.now() < until) {
        const started = performance.now();
        await call(client, n++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return { count: latencies.length, latencies: latencies.sort((a, b) => a - b) };
}

const dataDir = mkdtempSync(join(tmpdir(), "dgg-bench-data-path-"));
const { env, keys } = await benchEnvironment({ prefix: "dgg_bdp", homeRegion: "EUROPE", dataDir, regions: common.REGIONS, serviceEnvironment, common });
const services = await startServices(env, { log: () => {} });
try {
  const gateway = `${env.GATEWAY_URL}/graphql`;
  const token = await benchTokens(common, keys);
  const tenant = await benchTenant(gateway, token, { name: "Bench", region: "EUROPE" });
  const { tenantId } = tenant;
  const admin = await tenant.admin();
  const userIds = [];
  for (let i = 0; i < USERS; i += 1) {
    const { createUser } = await gql(gateway, admin, `mutation($t: ID!, $n: String!, $d: String!, $m: EmailAddress) { createUser(input: { tenantId: $t, userPrincipalName: $n, displayName: $d, email: $m }) { id } }`, {
      t: tenantId,
      n: `user${i}@bench.example`,
      d: `Bench User ${i}`,
      m: `user${i}@bench.example`,
    });
    userIds.push(createUser.id);
    for (let d = 0; d < 2; d += 1) {
      await gql(gateway, admin, `mutation($u: ID!, $n: String!, $s: String!) { enrollDevice(input: { userId: $u, deviceName: $n, operatingSystem: "Windows 11", serialNumber: $s }) { id } }`, {
        u: createUser.id,
        n: `Bench User ${i}'s laptop ${d}`,
        s: `SN-${i}-${d}`,
      });
    }
  }
  const event = (userId, n) => ({ userId, kind: ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"][n % 3], occurredAt: new Date(Date.now() - (n % 86_400) * 1000).toISOString(), payload: { sequence: n, message: `event ${n} of the benchmark`, durationMs: n % 997 } });
  for (let start = 0; start < USERS; start += 8) {
    const chunk = userIds.slice(start, start + 8);
    await gql(gateway, admin, INGEST, { e: chunk.flatMap((userId) => Array.from({ length: 60 }, (_, n) => event(userId, n))) });
  }
  console.log(`seeded ${USERS} users, ${USERS * 2} devices, ${USERS * 60} events through the API`);

  const cpu = () => Object.fromEntries(services.children.map(({ service, child }) => [service.name, cpuMsOf(child.pid)]));
  // Warm-up, then reads alone.
  await closedLoop(READERS, 3, (_, n) => gql(gateway, admin, READ, { u: userIds[n % USERS] }));
  const readCpu = cpu();
  const reads = await closedLoop(READERS, SECONDS, (_, n) => gql(gateway, admin, READ, { u: userIds[n % USERS] }));
  const readCpuAfter = cpu();
  // Then ingestion alone.
  let sequence = 1_000_000;
  const ingestCpu = cpu();
  const ingests = await closedLoop(INGESTERS, SECONDS, () => {
    const events = Array.from({ length: BATCH }, () => {
      sequence += 1;
      return event(userIds[sequence % USERS], sequence);
    });
    return gql(gateway, admin, INGEST, { e: events });
  });
  const ingestCpuAfter = cpu();

  const perRead = Object.entries(readCpuAfter).map(([name, ms]) => `${name} ${((ms - readCpu[name]) / reads.count).toFixed(2)}`);
  const perThousand = Object.entries(ingestCpuAfter).map(([name, ms]) => `${name} ${(((ms - ingestCpu[name]) / (ingests.count * BATCH)) * 1000).toFixed(0)}`);
  console.log(`
data path on PostgreSQL (${USERS} users, ${READERS} readers, ${INGESTERS} ingesters of ${BATCH} events, ${SECONDS} s each)
  personalData reads   ${(reads.count / SECONDS).toFixed(1)} req/s   p50 ${percentile(reads.latencies, 50).toFixed(1)} ms   p99 ${percentile(reads.latencies, 99).toFixed(1)} ms
    CPU ms per read    ${perRead.join(", ")}
  ingestion            ${Math.round((ingests.count * BATCH) / SECONDS).toLocaleString("en")} events/s   p50 ${percentile(ingests.latencies, 50).toFixed(1)} ms   p99 ${percentile(ingests.latencies, 99).toFixed(1)} ms per request
    CPU ms per 1,000 events   ${perThousand.join(", ")}`);
} finally {
  await services.stop();
}
