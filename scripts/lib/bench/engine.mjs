// One engine's benchmark run: start the system, seed, copy, then measure the plain DELETE on
// the copy and the service's purge on the original, each under the same background load.
import { spawn } from "node:child_process";
import { copyFileSync, createWriteStream, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath, URL } from "node:url";
import { Worker } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { graphql } from "../gateway-client.mjs";
import { ROOT, SERVICES, startServices } from "../processes.mjs";
import { startLoad, summarise } from "./load.mjs";
import { copyPostgres, ranges, seedPostgres, seedSqlite } from "./seed.mjs";

const require = createRequire(import.meta.url);
const common = require(`${ROOT}/packages/common/dist/index.js`);
const STORES = common.SERVICES.map((service) => service.name);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function freshPostgres(baseUrl, name) {
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return `${baseUrl}/${name}`;
}

/** Users, telemetry and audit keep one store per region; the benchmark's tenant lives in EUROPE. */
const REGIONAL = new Set(common.DATA_SUBGRAPH_NAMES);
const HOME_REGION = "EUROPE";
const variableOf = (store) => `${common.storeVariablePrefix(store)}_DATABASE_URL`;
const databaseNameOf = (store, region) => `dgg_bench_${store.replace("-", "_")}${region ? `_${region.toLowerCase()}` : ""}`;
/** Every PostgreSQL database the benchmark creates, for the clean-up. */
const DATABASES = [
  ...STORES.flatMap((store) => (REGIONAL.has(store) ? common.REGIONS.map((region) => databaseNameOf(store, region)) : [databaseNameOf(store, null)])),
  "dgg_bench_telemetry_copy",
];

async function environment(engine, config, workdir) {
  const env = { ...process.env, DGG_DATA_DIR: workdir, RETENTION_INTERVAL: "off", APOLLO_TELEMETRY_DISABLED: "true", HOST: "127.0.0.1" };
  delete env.GOVERNANCE_CLOCK_OFFSET;
  for (const service of SERVICES) {
    env[service.portVar] = String(await freePort());
    env[service.urlVar] = `http://127.0.0.1:${env[service.portVar]}`;
  }
  const open = async (store, region) =>
    engine === "postgres" ? freshPostgres(config.pgUrl, databaseNameOf(store, region)) : `sqlite:${join(workdir, `${store}${region ? `-${region}` : ""}.sqlite`)}`;
  // `stores` holds what the benchmark reads and seeds: the home region's store of each subgraph.
  const stores = {};
  for (const store of STORES) {
    if (!REGIONAL.has(store)) {
      stores[store] = await open(store, null);
      env[variableOf(store)] = stores[store];
      continue;
    }
    for (const region of common.REGIONS) {
      const url = await open(store, region);
      env[`${variableOf(store)}_${region}`] = url;
      if (region === HOME_REGION) stores[store] = url;
    }
  }
  common.ensureDevKeys(common.keyPathsFromEnv(env));
  return { env, stores };
}

/** Starts (or restarts) the telemetry service alone, its home-region store on `databaseUrl`, on its usual port. */
async function startTelemetry(env, databaseUrl, logStream) {
  const child = spawn(process.execPath, [join(ROOT, "subgraphs/telemetry/dist/index.js")], {
    env: { ...env, [`TELEMETRY_DATABASE_URL_${HOME_REGION}`]: databaseUrl },
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(logStream, { end: false });
  child.stderr.pipe(logStream, { end: false });
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error(`telemetry exited with code ${child.exitCode}; see ${logStream.path}`);
    const healthy = await fetch(`${env.TELEMETRY_URL}/health`).then((r) => r.ok, () => false);
    if (healthy) return child;
    await sleep(100);
  }
  throw new Error("telemetry did not start within 60 s");
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function seedUsers(gatewayUrl, operator, issuerKey, count) {
  const { createTenant } = await graphql(gatewayUrl, operator, `mutation { createTenant(input: { name: "Bench", storageRegion: ${HOME_REGION} }) { id } }`);
  const tenantId = createTenant.id;
  const admin = await common.signClientToken({ role: "tenant-admin", subject: "bench-admin", tenantId, userId: null }, issuerKey, new Date(), 8 * 3600);
  const userIds = [];
  for (let start = 0; start < count; start += 20) {
    const batch = Array.from({ length: Math.min(20, count - start) }, (_, i) => start + i);
    const created = await Promise.all(
      batch.map((n) =>
        graphql(gatewayUrl, admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
          i: { tenantId, userPrincipalName: `user${n}@bench.example`, displayName: `User ${n}` },
        }),
      ),
    );
    userIds.push(...created.map((answer) => answer.createUser.id));
  }
  return { tenantId, admin, userIds };
}

async function plainDelete(engine, target, cutoff) {
  if (engine === "postgres") {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      const started = performance.now();
      const result = await client.query("DELETE FROM telemetry_event WHERE occurred_at < $1", [cutoff]);
      return { removed: result.rowCount, ms: performance.now() - started };
    } finally {
      await client.end();
    }
  }
  const worker = new Worker(fileURLToPath(new URL("./plain-delete-worker.mjs", import.meta.url)), { workerData: { file: target.slice("sqlite:".length), cutoff } });
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

async function servicePurge(env, internalKey, asOf) {
  const token = await common.signInternalToken(common.GOVERNANCE_SERVICE, internalKey, "dgg-bench", new Date());
  const started = performance.now();
  const result = await common.callInternal(`${env.TELEMETRY_URL}/internal/retention/purge`, {
    token,
    body: { asOf: new Date(asOf).toISOString(), heldUserIds: [] },
    timeoutMs: 3 * 3600_000,
  });
  return { removed: result.purged[0].count, ms: performance.now() - started };
}

/** Waits until no detached expired month or day is left (the service drops them after answering); returns how long that took. */
async function waitForDetachedDrops(target) {
  const started = performance.now();
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query(`SELECT COUNT(*) AS n FROM pg_class WHERE relname ~ '^telemetry_event_[pm][0-9]+$' AND NOT relispartition`);
      if (Number(rows[0].n) === 0) return Math.round(performance.now() - started);
      await sleep(20);
    }
  } finally {
    await client.end();
  }
}

async function countExpired(engine, target, cutoff) {
  if (engine === "postgres") {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      return Number((await client.query("SELECT COUNT(*) AS n FROM telemetry_event WHERE occurred_at < $1", [cutoff])).rows[0].n);
    } finally {
      await client.end();
    }
  }
  const Database = require("better-sqlite3");
  const db = new Database(target.slice("sqlite:".length), { readonly: true });
  try {
    return db.prepare("SELECT COUNT(*) AS n FROM telemetry_event WHERE occurred_at < ?").get(cutoff).n;
  } finally {
    db.close();
  }
}

export async function runEngine(engine, config, workdir, log) {
  const { env, stores } = await environment(engine, config, workdir);
  const logStream = createWriteStream(join(workdir, "services.log"));
  const services = await startServices(env, { log: (line) => logStream.write(line) });
  const gatewayUrl = `${env.GATEWAY_URL}/graphql`;
  const keys = common.keyPathsFromEnv(env);
  const issuerKey = await common.loadPrivateKey(keys.issuerPrivate, "issuer key");
  const internalKey = await common.loadPrivateKey(keys.internalPrivate, "internal key");
  const operator = await common.signClientToken({ role: "operator", subject: "bench-operator", tenantId: null, userId: null }, issuerKey, new Date(), 8 * 3600);
  const asOf = Date.now();
  const { cutoff } = ranges({ asOf, expiredDays: config.expiredDays });
  let telemetry = services.children.find(({ service }) => service.name === "telemetry").child;
  const phases = [];
  try {
    log(`creating ${config.users} users through the API`);
    const { tenantId, admin, userIds } = await seedUsers(gatewayUrl, operator, issuerKey, config.users);
    const ingest = await common.signClientToken({ role: "ingest", subject: "bench-ingest", tenantId, userId: null }, issuerKey, new Date(), 8 * 3600);
    await stopChild(telemetry);

    const seedStarted = Date.now();
    const seedOptions = { tenantId, userIds, expired: config.expired, live: config.live, asOf, expiredDays: config.expiredDays, log };
    if (engine === "postgres") await seedPostgres({ ...seedOptions, url: stores.telemetry });
    else seedSqlite({ ...seedOptions, file: stores.telemetry.slice("sqlite:".length) });
    const copy = engine === "postgres" ? `${config.pgUrl}/dgg_bench_telemetry_copy` : `sqlite:${join(workdir, "telemetry-copy.sqlite")}`;
    if (engine === "postgres") await copyPostgres(`${config.pgUrl}/postgres`, databaseNameOf("telemetry", HOME_REGION), "dgg_bench_telemetry_copy");
    else copyFileSync(stores.telemetry.slice("sqlite:".length), copy.slice("sqlite:".length));
    log(`seeded and copied in ${Math.round((Date.now() - seedStarted) / 1000)} s`);

    for (const [method, target, purge] of [
      ["plain DELETE (copy)", copy, () => plainDelete(engine, copy, cutoff)],
      ["service purge", stores.telemetry, () => servicePurge(env, internalKey, asOf)],
    ]) {
      telemetry = await startTelemetry(env, target, logStream);
      const load = startLoad({ gatewayUrl, adminToken: admin, ingestToken: ingest, userIds });
      await sleep(3000);
      const baselineFrom = Date.now();
      await sleep(config.phaseSeconds * 1000);
      const baselineTo = Date.now();
      log(`${method}: purging`);
      const purgeFrom = Date.now();
      const { removed, ms } = await purge();
      const purgeTo = Date.now();
      // PostgreSQL: expired months and days are detached by the purge and their files dropped, paced, after it answered.
      const cleanupMs = engine === "postgres" && method === "service purge" ? await waitForDetachedDrops(target) : 0;
      const cleanupTo = Date.now();
      const samples = await load.stop();
      const left = await countExpired(engine, target, cutoff);
      await stopChild(telemetry);
      const phase = {
        method,
        purgeMs: Math.round(ms),
        removed,
        expiredLeft: left,
        baseline: { read: summarise(samples, "read", baselineFrom, baselineTo), ingest: summarise(samples, "ingest", baselineFrom, baselineTo) },
        during: { read: summarise(samples, "read", purgeFrom, purgeTo), ingest: summarise(samples, "ingest", purgeFrom, purgeTo) },
        cleanupMs,
        cleanup: cleanupMs > 0 ? { read: summarise(samples, "read", purgeTo, cleanupTo), ingest: summarise(samples, "ingest", purgeTo, cleanupTo) } : null,
      };
      log(`${method}: ${JSON.stringify(phase)}`);
      phases.push(phase);
    }
  } finally {
    await stopChild(telemetry).catch(() => undefined);
    await services.stop();
    logStream.end();
    if (!config.keep) {
      if (engine === "postgres") {
        const admin = new pg.Client({ connectionString: `${config.pgUrl}/postgres` });
        await admin.connect();
        for (const name of DATABASES) {
          await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
        await admin.end();
      }
      rmSync(workdir, { recursive: true, force: true });
    }
  }
  const [plain, service] = phases;
  return {
    engine,
    config: { expired: config.expired, live: config.live, users: config.users, expiredDays: config.expiredDays, phaseSeconds: config.phaseSeconds },
    phases,
    summary: {
      speedup: plain.purgeMs / Math.max(1, service.purgeMs),
      readP99Ratio: service.during.read.p99 / service.baseline.read.p99,
      ingestP99Ratio: service.during.ingest.p99 / service.baseline.ingest.p99,
    },
  };
}
