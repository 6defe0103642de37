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
import common from "../packages/common/dist/index.js";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchSession, cpuMsOf, gql } from "./lib/bench/postgres-process.mjs";
import { benchEvent, closedLoop, INGEST, percentile, READ, seedReadUsers } from "./lib/bench/personal-data.mjs";
import { benchNumbers } from "./lib/bench/options.mjs";

const { USERS, BATCH, INGESTERS, READERS, SECONDS } = benchNumbers({ USERS: 200, BATCH: 500, INGESTERS: 4, READERS: 8, SECONDS: 20 });

const dataDir = mkdtempSync(join(tmpdir(), "dgg-bench-data-path-"));
const { env, keys } = await benchEnvironment({ prefix: "dgg_bdp", homeRegion: "EUROPE", dataDir, regions: common.REGIONS, serviceEnvironment, common });
const services = await startServices(env, { log: () => {} });
try {
  const { gateway, tenantId, admin } = await benchSession(env, common, keys, { name: "Bench", region: "EUROPE" });
  const userIds = await seedReadUsers(gateway, admin, tenantId, USERS);
  console.log(`seeded ${USERS} users, ${USERS * 2} devices, ${USERS * 60} events through the API`);

  const cpu = () => Object.fromEntries(services.children.map(({ service, child }) => [service.name, cpuMsOf(child.pid)]));
  // Warm-up, then reads alone.
  await closedLoop(READERS, 3, (n) => gql(gateway, admin, READ, { u: userIds[n % USERS] }));
  const readCpu = cpu();
  const reads = await closedLoop(READERS, SECONDS, (n) => gql(gateway, admin, READ, { u: userIds[n % USERS] }));
  const readCpuAfter = cpu();
  // Then ingestion alone.
  let sequence = 1_000_000;
  const ingestCpu = cpu();
  const ingests = await closedLoop(INGESTERS, SECONDS, () => {
    const events = Array.from({ length: BATCH }, () => {
      sequence += 1;
      return benchEvent(userIds[sequence % USERS], sequence);
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
