#!/usr/bin/env node
// `npm run bench:tracing`: what tracing costs. The whole personalData query through the
// gateway, every service its own process on PostgreSQL, with tracing off and on (every span
// exported over OTLP http/protobuf to a sink in this process), in interleaved rounds on the
// same databases: off, on, off, on, ... Reports req/s, p50/p99 and the CPU ms per request of
// the gateway and of all processes together, read from /proc.
// DGG_BENCH_USERS (default 50) users with 2 devices and 60 events; DGG_BENCH_READERS (default
// 8) clients; DGG_BENCH_SECONDS (default 15) per round; DGG_BENCH_ROUNDS (default 2) of each.
// Creates and empties databases named dgg_btr_*; needs `npm run build` first (the npm script does it).
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import common from "../packages/common/dist/index.js";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchTenant, benchTokens, cpuMsOf, gql } from "./lib/bench/postgres-process.mjs";
import { closedLoop, percentile, READ, seedReadUsers } from "./lib/bench/personal-data.mjs";
import { benchNumbers } from "./lib/bench/options.mjs";

const { USERS, READERS, SECONDS, ROUNDS } = benchNumbers({ USERS: 50, READERS: 8, SECONDS: 15, ROUNDS: 2 });

/** An OTLP endpoint that accepts and drops every export, counting the bytes. */
async function startSink() {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on("data", (chunk) => (bytes += chunk.length));
    req.on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, bytes: () => bytes, close: () => new Promise((resolve) => server.close(resolve)) };
}

const sink = await startSink();
const dataDir = mkdtempSync(join(tmpdir(), "dgg-bench-tracing-"));
const { env, keys } = await benchEnvironment({ prefix: "dgg_btr", homeRegion: "EUROPE", dataDir, regions: common.REGIONS, serviceEnvironment, common });
const traced = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" };
const gateway = `${env.GATEWAY_URL}/graphql`;

let seeded = null;
const results = { off: [], on: [] };
for (let round = 0; round < ROUNDS * 2; round += 1) {
  const mode = round % 2 === 0 ? "off" : "on";
  const services = await startServices(mode === "on" ? traced : env, { log: () => {} });
  try {
    if (!seeded) {
      const token = await benchTokens(common, keys);
      const tenant = await benchTenant(gateway, token, { name: "Bench", region: "EUROPE" });
      const admin = await tenant.admin();
      seeded = { admin, userIds: await seedReadUsers(gateway, admin, tenant.tenantId, USERS) };
      console.log(`seeded ${USERS} users, ${USERS * 2} devices, ${USERS * 60} events through the API`);
    }
    const read = (n) => gql(gateway, seeded.admin, READ, { u: seeded.userIds[n % USERS] });
    await closedLoop(READERS, 3, read); // warm-up
    const cpu = () => Object.fromEntries(services.children.map(({ service, child }) => [service.name, cpuMsOf(child.pid)]));
    const before = cpu();
    const sinkBefore = sink.bytes();
    const reads = await closedLoop(READERS, SECONDS, read);
    const after = cpu();
    const perRequest = Object.fromEntries(Object.keys(after).map((name) => [name, (after[name] - before[name]) / reads.count]));
    const total = Object.values(perRequest).reduce((sum, ms) => sum + ms, 0);
    const result = { rps: reads.count / SECONDS, p50: percentile(reads.latencies, 50), p99: percentile(reads.latencies, 99), gateway: perRequest.gateway, total, exportedKiBPerRequest: (sink.bytes() - sinkBefore) / 1024 / reads.count };
    results[mode].push(result);
    console.log(`round ${round + 1} tracing ${mode.padEnd(3)}  ${result.rps.toFixed(1)} req/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  CPU ms/request: gateway ${result.gateway.toFixed(2)}, all ${total.toFixed(2)}${mode === "on" ? `  (${result.exportedKiBPerRequest.toFixed(1)} KiB of spans per request)` : ""}`);
  } finally {
    await services.stop();
  }
}
await sink.close();

const mean = (list, key) => list.reduce((sum, result) => sum + result[key], 0) / list.length;
console.log(`
personalData on PostgreSQL, ${READERS} clients, ${ROUNDS} rounds of ${SECONDS} s each way (mean)
| tracing | req/s | p50 ms | p99 ms | gateway CPU ms/request | all processes CPU ms/request |
|---|---|---|---|---|---|
${["off", "on"].map((mode) => `| ${mode} | ${mean(results[mode], "rps").toFixed(1)} | ${mean(results[mode], "p50").toFixed(1)} | ${mean(results[mode], "p99").toFixed(1)} | ${mean(results[mode], "gateway").toFixed(2)} | ${mean(results[mode], "total").toFixed(2)} |`).join("\n")}`);
