#!/usr/bin/env node
// `npm run bench:webhooks`: how long a privacy request's webhook takes to arrive. Every
// service runs as its own process on PostgreSQL (as `npm start` runs them); a receiver in
// this process verifies each POST's signature and notes when it arrived. N users of one
// tenant are restricted, a few at a time; each request sends REQUEST_RECEIVED (filing) and
// REQUEST_COMPLETED (the worker's last step). Latency = arrival − the payload's createdAt
// (when governance recorded the transition; one machine, one clock), and for
// REQUEST_RECEIVED also arrival − the moment restrictProcessing answered the client.
// Prints p50/p90/p99/max per event and a markdown row. Options (environment):
// DGG_BENCH_REQUESTS (default 300), DGG_BENCH_CONCURRENCY (requests filed at once, default 4),
// DGG_BENCH_PG_URL. Creates and empties databases named dgg_bench_hooks_*.
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import common from "../packages/common/dist/index.js";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchSession, gql } from "./lib/bench/postgres-process.mjs";
import { benchNumbers } from "./lib/bench/options.mjs";

const { REQUESTS, CONCURRENCY } = benchNumbers({ REQUESTS: 300, CONCURRENCY: 4 });
const HOME_REGION = "EUROPE";

/** Arrivals by delivery id; the receiver answers 401 to a bad signature (none is expected). */
function startReceiver(secretOf) {
  const arrivals = [];
  let badSignatures = 0;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const at = Date.now();
      const body = Buffer.concat(chunks);
      const parts = Object.fromEntries(String(request.headers["x-dgg-signature"]).split(",").map((part) => part.split("=", 2)));
      const expected = Buffer.from(createHmac("sha256", secretOf()).update(`${parts.t}.`).update(body).digest("hex"));
      const given = Buffer.from(parts.v1 ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        badSignatures += 1;
        response.writeHead(401).end();
        return;
      }
      arrivals.push({ at, payload: JSON.parse(body.toString("utf8")) });
      response.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}/dgg`, arrivals, bad: () => badSignatures, close: () => new Promise((done) => server.close(done)) }),
    ),
  );
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

const load = loadavg().map((value) => value.toFixed(2)).join(" ");
const dataDir = mkdtempSync(join(tmpdir(), "dgg-bench-hooks-"));
const { env, keys } = await benchEnvironment({
  prefix: "dgg_bench_hooks",
  homeRegion: HOME_REGION,
  dataDir,
  regions: common.REGIONS,
  serviceEnvironment,
  common,
  extra: { PRIVACY_WORKERS: "2", RETENTION_INTERVAL: "off", PRIVACY_REPLAY_ON_START: "false" },
});
let secret = "";
const receiver = await startReceiver(() => secret);
const services = await startServices(env, { log: () => {} });
try {
  const { gateway, tenantId, admin } = await benchSession(env, common, keys, { name: "Hooks bench", region: HOME_REGION });
  const registered = await gql(gateway, admin, `mutation($t: ID!, $i: CreateWebhookInput!) { createWebhook(tenantId: $t, input: $i) { signingSecret } }`, {
    t: tenantId,
    i: { url: receiver.url, events: ["REQUEST_RECEIVED", "REQUEST_COMPLETED"] },
  });
  secret = registered.createWebhook.signingSecret;

  const userIds = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    const created = await gql(gateway, admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { tenantId, userPrincipalName: `u${i}@hooks.bench.eu`, displayName: `User ${i}` },
    });
    userIds.push(created.createUser.id);
  }
  console.log(`${REQUESTS} users created; filing ${REQUESTS} restrictions, ${CONCURRENCY} at a time (load average at start: ${load}, ${cpus().length} cores)`);

  const answeredAt = new Map();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < userIds.length) {
        const userId = userIds[next++];
        const filed = await gql(gateway, admin, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: userId });
        answeredAt.set(filed.restrictProcessing.id, Date.now());
      }
    }),
  );
  const deadline = Date.now() + 300_000;
  while (receiver.arrivals.length < 2 * REQUESTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const elapsed = (Date.now() - started) / 1000;
  if (receiver.arrivals.length < 2 * REQUESTS) throw new Error(`only ${receiver.arrivals.length} of ${2 * REQUESTS} deliveries arrived within 5 minutes`);
  if (receiver.bad() > 0) throw new Error(`${receiver.bad()} deliveries carried a bad signature`);

  const byType = (type) => receiver.arrivals.filter(({ payload }) => payload.type === type);
  const lag = (arrivals) => arrivals.map(({ at, payload }) => at - new Date(payload.createdAt).getTime());
  const rows = [
    ["REQUEST_RECEIVED, from the transition", summary(lag(byType("REQUEST_RECEIVED")))],
    ["REQUEST_RECEIVED, from the mutation's answer", summary(byType("REQUEST_RECEIVED").map(({ at, payload }) => at - answeredAt.get(payload.data.requestId)))],
    ["REQUEST_COMPLETED, from the transition", summary(lag(byType("REQUEST_COMPLETED")))],
  ];
  console.log(`\nwebhook latency on PostgreSQL, ${REQUESTS} requests (${2 * REQUESTS} deliveries, all signatures valid) in ${elapsed.toFixed(1)} s\n`);
  console.log("| latency (ms) | n | p50 | p90 | p99 | max |");
  console.log("|---|---|---|---|---|---|");
  for (const [label, s] of rows) console.log(`| ${label} | ${s.n} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} |`);
} finally {
  await services.stop();
  await receiver.close();
}
