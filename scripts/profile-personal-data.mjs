#!/usr/bin/env node
// `npm run profile:personal-data`: the load of `bench:gateway` (the whole personalData query,
// closed-loop clients, user ids cycling) against the project's gateway, with every service
// under `node --cpu-prof`. Prints each process's self time by package and by function and
// leaves the .cpuprofile files (open them in Chrome's DevTools) in the printed folder.
// DGG_PROFILE_LOAD=ingest profiles ingestion instead (1,000-event batches, 4 in flight).
// DGG_BENCH_USERS (default 40), DGG_BENCH_SECONDS (default 20), DGG_BENCH_CONNECTIONS (default 20);
// DGG_PROFILE_ENGINE=sqlite runs the services on the embedded default instead of PostgreSQL.
import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import common from "../packages/common/dist/index.js";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchSession, gql } from "./lib/bench/postgres-process.mjs";
import { benchEvent, closedLoop, INGEST, READ, seedReadUsers } from "./lib/bench/personal-data.mjs";
import { profileClock, selfTimes, summary } from "./lib/bench/cpu-profile.mjs";
import { benchNumbers } from "./lib/bench/options.mjs";

const { USERS, SECONDS, CONNECTIONS } = benchNumbers({ USERS: 40, SECONDS: 20, CONNECTIONS: 20 });
const INGESTING = process.env.DGG_PROFILE_LOAD === "ingest";

const workdir = mkdtempSync(join(tmpdir(), "dgg-profile-"));
const profiles = join(workdir, "profiles");
mkdirSync(profiles);
const { env, keys } = await benchEnvironment({
  engine: process.env.DGG_PROFILE_ENGINE ?? "postgres",
  prefix: "dgg_prof",
  homeRegion: "EUROPE",
  dataDir: workdir,
  regions: common.REGIONS,
  serviceEnvironment,
  common,
  extra: { RETENTION_INTERVAL: "off" },
});
// Node refuses --cpu-prof in NODE_OPTIONS; it goes on each service's command line.
const services = await startServices(env, { log: () => {}, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profiles}`] });
let requests = 0;
const window = { from: 0, to: 0 };
try {
  const { gateway, token, tenantId, admin } = await benchSession(env, common, keys, { name: "Profile", region: "EUROPE" });
  if (INGESTING) {
    const ingest = await token({ role: "ingest", subject: "bench@ingest", tenantId: tenantId, userId: null });
    const userIds = await seedReadUsers(gateway, admin, tenantId, 10);
    window.from = profileClock();
    const run = await closedLoop(4, SECONDS, (n) => gql(gateway, ingest, INGEST, { e: Array.from({ length: 1000 }, (_, i) => benchEvent(userIds[(n + i) % userIds.length], n * 1000 + i)) }));
    window.to = profileClock();
    requests = run.count * 1000;
    console.log(`ingested ${requests} events in ${SECONDS} s (${(requests / SECONDS).toFixed(0)} events/s under the profiler)`);
  } else {
    const userIds = await seedReadUsers(gateway, admin, tenantId, USERS);
    window.from = profileClock();
    const run = await closedLoop(CONNECTIONS, SECONDS, (n) => gql(gateway, admin, READ, { u: userIds[n % userIds.length] }));
    window.to = profileClock();
    requests = run.count;
    console.log(`${requests} personalData requests in ${SECONDS} s (${(requests / SECONDS).toFixed(1)} req/s under the profiler)`);
  }
} finally {
  await services.stop();
}
// Each process writes CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile at exit; the pid says which service it was.
const names = Object.fromEntries(services.children.map(({ service, child }) => [String(child.pid), service.name]));
for (const file of readdirSync(profiles).filter((name) => name.endsWith(".cpuprofile"))) {
  const pid = file.split(".")[3];
  const times = selfTimes(join(profiles, file), window);
  console.log(`\n${summary(`${names[pid] ?? `pid ${pid}`} (${(times.total / requests).toFixed(2)} ms busy per ${INGESTING ? "event" : "request"})`, times)}`);
}
console.log(`\nprofiles: ${profiles}`);
