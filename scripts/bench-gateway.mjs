#!/usr/bin/env node
// `npm run bench:gateway`: the whole personalData query through (a) the project's gateway and
// (b) a stock @apollo/gateway over the same supergraph and subgraphs (forwarding one
// pre-minted internal identity, no client authentication, no plugins), in interleaved rounds:
// project, stock, project, stock, ... Every service is its own process on PostgreSQL. The load
// is wrk (20 connections, user ids cycling) when installed, else 20 closed-loop clients here.
// Reports req/s, p50/p99 and the CPU ms per request of every process, read from /proc, and
// writes the table to docs/benchmarks/results/gateway-<date>.md.
// DGG_BENCH_USERS (default 100) users with 2 devices and 60 events; DGG_BENCH_SECONDS
// (default 20) per round; DGG_BENCH_ROUNDS (default 2) of each gateway; DGG_BENCH_CONNECTIONS (20);
// DGG_BENCH_WARMUP (default 30) seconds of unmeasured load on each gateway first.
// Then the floor: what each subgraph spends serving a request that does nothing, and how many
// requests each serves per personalData (counted in their debug logs, services restarted);
// DGG_BENCH_FLOOR_SECONDS (default 10) per measurement.
// Creates and empties databases named dgg_bgw_*; needs `npm run build` first (the npm script does it).
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import common from "../packages/common/dist/index.js";
import { ROOT, serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchTenant, benchTokens, cpuMsOf, freePort, gql } from "./lib/bench/postgres-process.mjs";
import { closedLoop, percentile, READ, seedReadUsers } from "./lib/bench/personal-data.mjs";
import { benchNumbers } from "./lib/bench/options.mjs";
import { countHops, servedFloors } from "./lib/bench/hop-floor.mjs";

const { USERS, SECONDS, ROUNDS, CONNECTIONS, WARMUP, FLOOR_SECONDS } = benchNumbers({ USERS: 100, SECONDS: 20, ROUNDS: 2, CONNECTIONS: 20, WARMUP: 30, FLOOR_SECONDS: 10 });
const SUBGRAPHS = common.SERVICES.map((service) => service.name);

function hasWrk() {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary throws ENOENT.
    return error.code !== "ENOENT";
  }
}

/** wrk's latency with its unit (us, ms, s) in ms. */
function ms(text) {
  const match = /([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`unexpected wrk latency ${text}`);
  const [, value, unit] = match;
  if (unit === "m") return Number(value) * 60_000;
  return Number(value) * (unit === "us" ? 0.001 : unit === "s" ? 1000 : 1);
}

/** One measured run of `seconds` against `url`: requests and their latencies. */
async function load(url, token, userIds, seconds, workdir) {
  if (hasWrk()) {
    const script = join(workdir, "personal-data.lua");
    const body = (id) => JSON.stringify({ query: READ, variables: { u: id } });
    writeFileSync(
      script,
      `local bodies = { ${userIds.map((id) => JSON.stringify(body(id))).join(", ")} }
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/graphql", { ["content-type"] = "application/json", ["authorization"] = "Bearer ${token}" }, bodies[(i % #bodies) + 1])
end
local errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
done = function() io.write(string.format("bench-errors %d\\n", errors)) end
`,
    );
    const output = execFileSync("wrk", ["-t2", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "-s", script, url.replace(/\/graphql$/, "")], { encoding: "utf8" });
    const requests = Number(/(\d+) requests in/.exec(output)[1]);
    const errors = Number(/bench-errors (\d+)/.exec(output)?.[1] ?? 0) + Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
    if (errors > 0) throw new Error(`${errors} of ${requests} requests failed:\n${output}`);
    const latency = (p) => {
      const match = new RegExp(`\\n\\s+${p}%\\s+(\\S+)`).exec(output);
      if (!match) throw new Error(`no ${p}th percentile in wrk's output:\n${output}`);
      return ms(match[1]);
    };
    return { count: requests, p50: latency(50), p99: latency(99), output };
  }
  const run = await closedLoop(CONNECTIONS, seconds, (n) => gql(url, token, READ, { u: userIds[n % userIds.length] }));
  return { count: run.count, p50: percentile(run.latencies, 50), p99: percentile(run.latencies, 99) };
}

async function startStockGateway(env, viewer) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, "scripts", "lib", "bench", "stock-gateway.mjs")], {
    env: { ...env, BENCH_VIEWER: JSON.stringify(viewer), BENCH_STOCK_PORT: String(port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => String(chunk).includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`the stock gateway exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/graphql` };
}

const workdir = mkdtempSync(join(tmpdir(), "dgg-bench-gateway-"));
const { env, keys } = await benchEnvironment({ prefix: "dgg_bgw", homeRegion: "EUROPE", dataDir: workdir, regions: common.REGIONS, serviceEnvironment, common, extra: { RETENTION_INTERVAL: "off" } });
const services = await startServices(env, { log: () => {} });
let stock;
let measured;
try {
  const project = `${env.GATEWAY_URL}/graphql`;
  const token = await benchTokens(common, keys);
  const tenant = await benchTenant(project, token, { name: "Bench", region: "EUROPE" });
  const admin = await tenant.admin();
  const userIds = await seedReadUsers(project, admin, tenant.tenantId, USERS);
  console.log(`seeded ${USERS} users, ${USERS * 2} devices, ${USERS * 60} events through the API; load: ${hasWrk() ? "wrk" : "closed-loop clients"}, ${CONNECTIONS} connections`);
  const viewer = { role: "tenant-admin", subject: "bench@admin", tenantId: tenant.tenantId, userId: null };
  stock = await startStockGateway(env, viewer);

  const pids = Object.fromEntries(services.children.map(({ service, child }) => [service.name, child.pid]));
  const targets = { project: { url: project, pid: pids.gateway }, stock: { url: stock.url, pid: stock.child.pid } };
  const results = { project: [], stock: [] };
  // CPU per request falls by a third or more over the first minute of load (JIT, caches):
  // both gateways and every subgraph warm up before anything is measured.
  for (const name of ["project", "stock"]) await load(targets[name].url, admin, userIds, WARMUP, workdir);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const name of ["project", "stock"]) {
      const target = targets[name];
      const processes = { gateway: target.pid, ...Object.fromEntries(SUBGRAPHS.map((subgraph) => [subgraph, pids[subgraph]])) };
      await load(target.url, admin, userIds, 3, workdir); // this gateway's connections warm again
      const before = Object.fromEntries(Object.entries(processes).map(([process, pid]) => [process, cpuMsOf(pid)]));
      const run = await load(target.url, admin, userIds, SECONDS, workdir);
      const cpu = Object.fromEntries(Object.entries(processes).map(([process, pid]) => [process, (cpuMsOf(pid) - before[process]) / run.count]));
      const result = { rps: run.count / SECONDS, p50: run.p50, p99: run.p99, cpu, total: Object.values(cpu).reduce((sum, value) => sum + value, 0) };
      results[name].push(result);
      console.log(`round ${round + 1} ${name.padEnd(7)} ${result.rps.toFixed(1)} req/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  CPU ms/request: ${Object.entries(cpu).map(([process, value]) => `${process} ${value.toFixed(2)}`).join(", ")}, total ${result.total.toFixed(2)}`);
    }
  }
  const internalKey = await common.loadPrivateKey(common.keyPathsFromEnv(env).internalPrivate, "internal signing key");
  // Internal tokens live two minutes: a new one every minute, as the gateway renews its own.
  let internal = { token: "", mintedAt: 0 };
  const internalToken = async () => {
    if (Date.now() - internal.mintedAt > 60_000) internal = { token: await common.signInternalToken(viewer, internalKey, "dgg-gateway", new Date()), mintedAt: Date.now() };
    return internal.token;
  };
  const floors = await servedFloors({
    subgraphs: SUBGRAPHS,
    urlOf: (name) => env[common.SERVICES.find((service) => service.name === name).urlVar],
    pidOf: (name) => pids[name],
    internalToken,
    headerName: common.INTERNAL_TOKEN_HEADER,
    gateway: { url: env.GATEWAY_URL, pid: pids.gateway, token: admin },
    connections: CONNECTIONS,
    seconds: FLOOR_SECONDS,
  });
  measured = { results, floors, userIds, admin };
} finally {
  stock?.child.kill("SIGTERM");
  await services.stop();
}

// Counted on services started anew with debug logs: the measured rounds above run at the usual level.
const hops = await countHops(env, SUBGRAPHS, 20, (n) => gql(`${env.GATEWAY_URL}/graphql`, measured.admin, READ, { u: measured.userIds[(n + measured.userIds.length) % measured.userIds.length] }));
const { results, floors } = measured;
const mean = (list, pick) => list.reduce((sum, result) => sum + pick(result), 0) / list.length;
const columns = ["gateway", ...SUBGRAPHS];
const table = `| gateway | req/s | p50 ms | p99 ms | ${columns.map((column) => `${column} CPU ms`).join(" | ")} | total CPU ms |
|---|---|---|---|${columns.map(() => "---|").join("")}---|
${["project", "stock"]
  .map((name) => `| ${name} | ${mean(results[name], (r) => r.rps).toFixed(1)} | ${mean(results[name], (r) => r.p50).toFixed(1)} | ${mean(results[name], (r) => r.p99).toFixed(1)} | ${columns.map((column) => mean(results[name], (r) => r.cpu[column]).toFixed(2)).join(" | ")} | ${mean(results[name], (r) => r.total).toFixed(2)} |`)
  .join("\n")}`;
// Each subgraph's share of the floor: its hops per personalData times what it spends serving one that does nothing.
const floorOf = (name) => hops[name].graphql * floors[name].graphql + hops[name].internal * floors[name].internal;
const floorTotal = SUBGRAPHS.reduce((sum, name) => sum + floorOf(name), 0);
const gatewayFloor = floors.gateway.graphql;
const floorTable = `| subgraph | GraphQL operations served per personalData | internal calls served per personalData | CPU ms per \`{ __typename }\` | CPU ms per \`GET /health\` | floor CPU ms per personalData | measured CPU ms per personalData (project's gateway) |
|---|---|---|---|---|---|---|
${SUBGRAPHS.map((name) => `| ${name} | ${hops[name].graphql.toFixed(1)} | ${hops[name].internal.toFixed(1)} | ${floors[name].graphql.toFixed(2)} | ${floors[name].internal.toFixed(2)} | ${floorOf(name).toFixed(2)} | ${mean(results.project, (r) => r.cpu[name]).toFixed(2)} |`).join("\n")}
| all subgraphs | ${SUBGRAPHS.reduce((sum, name) => sum + hops[name].graphql, 0).toFixed(1)} | ${SUBGRAPHS.reduce((sum, name) => sum + hops[name].internal, 0).toFixed(1)} | | | ${floorTotal.toFixed(2)} | ${SUBGRAPHS.reduce((sum, name) => sum + mean(results.project, (r) => r.cpu[name]), 0).toFixed(2)} |
| project's gateway | 1.0 (the client's) | | ${gatewayFloor.toFixed(2)} | | ${gatewayFloor.toFixed(2)} | ${mean(results.project, (r) => r.cpu.gateway).toFixed(2)} |
| every process | | | | | ${(floorTotal + gatewayFloor).toFixed(2)} | ${mean(results.project, (r) => r.total).toFixed(2)} |`;
const report = `# personalData through the project's gateway and a stock @apollo/gateway

${new Date().toISOString().slice(0, 10)}, PostgreSQL, ${USERS} users (2 devices, 60 events each), ${CONNECTIONS} connections (${hasWrk() ? "wrk" : "closed-loop clients"}), ${WARMUP} s of warm-up on each, then ${ROUNDS} interleaved rounds of ${SECONDS} s per gateway, CPU per request from /proc (mean of rounds).

${table}

## The floor

What each subgraph serves per personalData (from the services' debug logs, 20 sequential requests) and what it spends, served side only, on a request that does nothing (${FLOOR_SECONDS} s of ${CONNECTIONS} closed-loop clients each). The gateway's floor is its own \`{ __typename }\` with the client's token: its pipeline and the client's authentication, without the query plan's fetches. The calling side of every hop and all the work of each is left out, so the floor is a lower bound.

${floorTable}
`;
console.log(`\n${table}\n\n${floorTable}`);
mkdirSync(join(ROOT, "docs", "benchmarks", "results"), { recursive: true });
const file = join(ROOT, "docs", "benchmarks", "results", `gateway-${new Date().toISOString().slice(0, 10)}.md`);
writeFileSync(file, report);
console.log(`written: ${file}`);
