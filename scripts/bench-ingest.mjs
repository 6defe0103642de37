#!/usr/bin/env node
// `npm run bench:ingest`: telemetry ingestion through the gateway, on SQLite (the embedded
// default) and on PostgreSQL, each beside a raw baseline in the same run: the same rows as
// plain batched INSERTs (no API, no validation, no sealing, no freeze check) into a scratch
// table of the same shape in the same store. Every service is its own process.
// DGG_BENCH_EVENTS (default 100000) events for DGG_BENCH_USERS (default 100) users, in
// batches of DGG_BENCH_BATCH (default 1000), DGG_BENCH_IN_FLIGHT (default 4) at a time;
// DGG_BENCH_ENGINES (default "sqlite,postgres"). Writes docs/benchmarks/results/ingest-<date>.md.
// The raw INSERT runs twice: into a table of the same shape as the service's (columns, primary
// key and the secondary indexes its reads and retention need), which is the baseline, and into
// a bare table (columns and primary key only), the baseline of earlier runs.
// Creates and empties databases named dgg_bing_*; needs `npm run build` first (the npm script does it).
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import common from "../packages/common/dist/index.js";
import { performance } from "node:perf_hooks";
import { ROOT, serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, benchSession, cpuMsOf, gql } from "./lib/bench/postgres-process.mjs";
import { benchEvent, INGEST } from "./lib/bench/personal-data.mjs";
import { benchList, benchNumbers } from "./lib/bench/options.mjs";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");
const { Pool } = require("pg");

const { EVENTS, USERS, BATCH, IN_FLIGHT } = benchNumbers({ EVENTS: 100_000, USERS: 100, BATCH: 1000, IN_FLIGHT: 4 });
const ENGINES = benchList("ENGINES", "sqlite,postgres");
const REGION = "EUROPE";
const COLUMNS = ["id", "tenant_id", "user_id", "kind", "occurred_at", "payload"];

/** Runs `count` jobs, `inFlight` at a time; returns the seconds it took. */
async function timed(count, inFlight, job) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await job(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

/** The n-th batch of the run, as the API takes it. */
const batchOf = (userIds, n) => Array.from({ length: BATCH }, (_, i) => benchEvent(userIds[(n * BATCH + i) % userIds.length], n * BATCH + i));

/** A batch as the raw INSERT writes it: the columns' values, ids in clear, payload as JSON text. */
const rowsOf = (tenantId, events) => events.map((event) => [randomUUID(), tenantId, event.userId, event.kind, Date.parse(event.occurredAt), JSON.stringify(event.payload)]);

/** Multi-row INSERTs of 500 rows (the services' chunk), one transaction per batch. */
function insertStatements(rows, placeholder) {
  const statements = [];
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    let n = 0;
    const tuples = chunk.map(() => `(${COLUMNS.map(() => placeholder(++n)).join(", ")})`);
    statements.push({ text: `INSERT INTO bench_raw_telemetry (${COLUMNS.join(", ")}) VALUES ${tuples.join(", ")}`, values: chunk.flat() });
  }
  return statements;
}

/** The two tables the raw INSERT writes to: the service's shape, and a bare one. */
const SHAPES = ["indexed", "bare"];

async function rawPostgres(url, tenantId, userIds, shape) {
  const pool = new Pool({ connectionString: url, max: IN_FLIGHT });
  try {
    await pool.query("DROP TABLE IF EXISTS bench_raw_telemetry");
    if (shape === "indexed") {
      // Keys and indexes as the service's table has them; not its day partitions, which only add work to the service's side.
      await pool.query("CREATE TABLE bench_raw_telemetry (LIKE telemetry_event INCLUDING ALL)");
    } else {
      await pool.query("CREATE TABLE bench_raw_telemetry (LIKE telemetry_event INCLUDING DEFAULTS)");
      await pool.query("ALTER TABLE bench_raw_telemetry ADD PRIMARY KEY (id)");
    }
    return await timed(EVENTS / BATCH, IN_FLIGHT, async (n) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        for (const statement of insertStatements(rowsOf(tenantId, batchOf(userIds, n)), (i) => `$${i}`)) await client.query(statement);
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    });
  } finally {
    await pool.query("DROP TABLE IF EXISTS bench_raw_telemetry").catch(() => {});
    await pool.end();
  }
}

async function rawSqlite(file, tenantId, userIds, shape) {
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    db.pragma("synchronous = NORMAL"); // as the services' connections commit (packages/common/src/db.ts)
    db.exec("DROP TABLE IF EXISTS bench_raw_telemetry");
    if (shape === "indexed") {
      // The service's own DDL (table, then its indexes), renamed.
      const ddl = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'telemetry_event' AND sql IS NOT NULL ORDER BY type = 'index'").pluck().all();
      for (const statement of ddl) db.exec(statement.replaceAll("telemetry_event", "bench_raw_telemetry"));
    } else {
      db.exec("CREATE TABLE bench_raw_telemetry AS SELECT * FROM telemetry_event WHERE 0");
      db.exec("CREATE UNIQUE INDEX bench_raw_telemetry_id ON bench_raw_telemetry (id)");
    }
    const prepared = new Map();
    // SQLite has one writer: the batches go one after another, each in its own transaction.
    return await timed(EVENTS / BATCH, 1, async (n) => {
      const statements = insertStatements(rowsOf(tenantId, batchOf(userIds, n)), () => "?");
      db.transaction(() => {
        for (const { text, values } of statements) {
          if (!prepared.has(text)) prepared.set(text, db.prepare(text));
          prepared.get(text).run(values);
        }
      })();
    });
  } finally {
    db.exec("DROP TABLE IF EXISTS bench_raw_telemetry");
    db.close();
  }
}

async function runEngine(engine) {
  const dataDir = mkdtempSync(join(tmpdir(), `dgg-bench-ingest-${engine}-`));
  const { env, keys, home } = await benchEnvironment({ engine, prefix: "dgg_bing", homeRegion: REGION, dataDir, regions: common.REGIONS, serviceEnvironment, common, extra: { RETENTION_INTERVAL: "off" } });
  const services = await startServices(env, { log: () => {} });
  try {
    const { gateway, token, tenantId, admin } = await benchSession(env, common, keys, { name: "Ingest", region: REGION });
    const ingest = await token({ role: "ingest", subject: "bench@ingest", tenantId: tenantId, userId: null });
    const userIds = [];
    for (let i = 0; i < USERS; i += 1) {
      const { createUser } = await gql(gateway, admin, `mutation($t: ID!, $n: String!) { createUser(input: { tenantId: $t, userPrincipalName: $n, displayName: "Ingest" }) { id } }`, { t: tenantId, n: `ingest${i}@bench.example` });
      userIds.push(createUser.id);
    }
    // Warm-up: one batch, not counted.
    await gql(gateway, ingest, INGEST, { e: batchOf(userIds, EVENTS / BATCH) });
    const cpuBefore = Object.fromEntries(services.children.map(({ service, child }) => [service.name, cpuMsOf(child.pid)]));
    let accepted = 0;
    const apiSeconds = await timed(EVENTS / BATCH, IN_FLIGHT, async (n) => {
      // Awaited first: `accepted += await ...` would read `accepted` before the await and lose the other batches' counts.
      const answer = await gql(gateway, ingest, INGEST, { e: batchOf(userIds, n) });
      accepted += answer.ingestTelemetry.accepted;
    });
    if (accepted !== EVENTS) throw new Error(`${engine}: ${accepted} of ${EVENTS} events accepted`);
    const cpu = Object.fromEntries(services.children.map(({ service, child }) => [service.name, ((cpuMsOf(child.pid) - cpuBefore[service.name]) * 1000) / EVENTS]));
    const telemetryStore = common.regionalDatabaseConfigsFromEnv("TELEMETRY", "telemetry", env)[REGION];
    const raw = {};
    for (const shape of SHAPES) {
      const seconds = engine === "postgres" ? await rawPostgres(home.telemetry, tenantId, userIds, shape) : await rawSqlite(telemetryStore.file, tenantId, userIds, shape);
      raw[shape] = EVENTS / seconds;
    }
    const result = { engine, api: EVENTS / apiSeconds, raw, cpu };
    console.log(
      `${engine}: through the gateway ${Math.round(result.api).toLocaleString("en")} events/s, raw INSERT ${Math.round(raw.indexed).toLocaleString("en")} events/s (bare table ${Math.round(raw.bare).toLocaleString("en")}), ratio ${(raw.indexed / result.api).toFixed(1)}x; CPU ms per 1,000 events: ${Object.entries(cpu)
        .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
        .join(", ")}`,
    );
    return result;
  } finally {
    await services.stop();
  }
}

const results = [];
for (const engine of ENGINES) results.push(await runEngine(engine));
const processes = Object.keys(results[0].cpu);
const table = `| engine | through the gateway (events/s) | raw INSERT, same table shape (events/s) | raw / gateway | raw INSERT, bare table (events/s) | bare / gateway | ${processes.map((name) => `${name} CPU ms per 1,000`).join(" | ")} |
|---|---|---|---|---|---|${processes.map(() => "---|").join("")}
${results
  .map((r) => `| ${r.engine} | ${Math.round(r.api).toLocaleString("en")} | ${Math.round(r.raw.indexed).toLocaleString("en")} | ${(r.raw.indexed / r.api).toFixed(1)}x | ${Math.round(r.raw.bare).toLocaleString("en")} | ${(r.raw.bare / r.api).toFixed(1)}x | ${processes.map((name) => r.cpu[name].toFixed(0)).join(" | ")} |`)
  .join("\n")}`;
console.log(`\n${table}`);
const date = new Date().toISOString().slice(0, 10);
mkdirSync(join(ROOT, "docs", "benchmarks", "results"), { recursive: true });
const file = join(ROOT, "docs", "benchmarks", "results", `ingest-${date}.md`);
writeFileSync(
  file,
  `# Telemetry ingestion through the gateway and a raw batched INSERT

${date}, ${EVENTS.toLocaleString("en")} events for ${USERS} users in batches of ${BATCH}, ${IN_FLIGHT} in flight through the gateway (the raw INSERT: ${IN_FLIGHT} connections on PostgreSQL, one writer on SQLite; "same table shape" has the service's keys and indexes, "bare" only the primary key), CPU of every process per 1,000 events from /proc.

${table}
`,
);
console.log(`written: ${file}`);
