// Overhead of isolating SQLite transactions (docs/decisions/0041) and of synchronous=FULL:
// the same single-row inserts, point reads and small transactions on a fresh file, with and
// without the gate. Run after `npm run build`: node scripts/bench-sqlite-transactions.mjs
// (BENCH_FULL=1 adds synchronous=FULL; BENCH_N, BENCH_TRANSACTIONS, BENCH_ROUNDS size the run).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
require("reflect-metadata");
const { DataSource, EntitySchema } = require("typeorm");
const { isolateSqliteTransactions } = require("../packages/common/dist/sqlite-transactions.js");

const N = Number(process.env.BENCH_N ?? 10_000);
const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 2_000);
const LANES = 16;
const Note = new EntitySchema({
  name: "Note",
  tableName: "note",
  columns: { id: { type: "varchar", primary: true }, writer: { type: "varchar" } },
});

async function open(file, { gate, synchronous }) {
  const db = new DataSource({
    type: "better-sqlite3",
    database: file,
    enableWAL: true,
    entities: [Note],
    prepareDatabase: (connection) => {
      connection.pragma("busy_timeout = 5000");
      connection.pragma(`synchronous = ${synchronous}`);
      connection.pragma("secure_delete = ON");
    },
  });
  if (gate) isolateSqliteTransactions(db);
  await db.initialize();
  await db.query(`CREATE TABLE "note" ("id" varchar PRIMARY KEY NOT NULL, "writer" varchar NOT NULL)`);
  return db;
}

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Runs `count` calls of `one(i)` on LANES concurrent lanes, as concurrent requests would. */
function lanes(count, one) {
  return Promise.all(Array.from({ length: LANES }, async (_, lane) => {
    for (let i = lane; i < count; i += LANES) await one(i);
  }));
}

async function measure(label, options) {
  const dir = mkdtempSync(join(tmpdir(), "dgg-bench-sqlite-tx-"));
  const db = await open(join(dir, "bench.sqlite"), options);
  const repository = db.getRepository(Note);
  const results = { label };
  // One transaction first: with the gate it starts the async-context tracking that every
  // later promise pays for, as it would in a service that has served one transaction.
  await db.transaction((manager) => manager.insert(Note, { id: "warm-up", writer: "tx" }));
  results.insertSerialMs = await timed(async () => {
    for (let i = 0; i < N; i += 1) await repository.insert({ id: `s${i}`, writer: "plain" });
  });
  results.insertLanesMs = await timed(() => lanes(N, (i) => repository.insert({ id: `c${i}`, writer: "plain" })));
  results.readSerialMs = await timed(async () => {
    for (let i = 0; i < N; i += 1) await repository.findOneBy({ id: `s${i}` });
  });
  results.readLanesMs = await timed(() => lanes(N, (i) => repository.findOneBy({ id: `c${i}` })));
  const transaction = (i) => db.transaction((manager) => manager.insert(Note, [{ id: `t${i}`, writer: "tx" }, { id: `t${i}b`, writer: "tx" }]));
  results.transactionSerialMs = await timed(async () => {
    for (let i = 0; i < TRANSACTIONS; i += 1) await transaction(i);
  });
  // Without the gate, concurrent transactions nest into one another: the figure is only
  // meaningful (and the run only succeeds) with it.
  results.transactionLanesMs = options.gate ? await timed(() => lanes(TRANSACTIONS, (i) => transaction(TRANSACTIONS + i))) : NaN;
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  return results;
}

const rows = [];
// Alternating rounds, so that warm-up and disk noise do not favour one configuration.
const configurations = [
  ["no gate, synchronous=NORMAL", { gate: false, synchronous: "NORMAL" }],
  ["gate, synchronous=NORMAL", { gate: true, synchronous: "NORMAL" }],
  ...(process.env.BENCH_FULL ? [["gate, synchronous=FULL", { gate: true, synchronous: "FULL" }]] : []),
];
for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 3); round += 1) {
  for (const [label, options] of configurations) rows.push(await measure(label, options));
}
const columns = ["insertSerialMs", "insertLanesMs", "readSerialMs", "readLanesMs", "transactionSerialMs", "transactionLanesMs"];
console.log(`N=${N} single-row operations, ${TRANSACTIONS} transactions of 2 rows, ${LANES} lanes; node ${process.version}`);
console.log(`| configuration | ${columns.join(" | ")} |`);
console.log(`|---|${columns.map(() => "---:").join("|")}|`);
for (const row of rows) console.log(`| ${row.label} | ${columns.map((c) => (Number.isNaN(row[c]) ? "n/a" : row[c].toFixed(0))).join(" | ")} |`);
