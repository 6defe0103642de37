// The baseline the service's purge is compared with: one plain DELETE on SQLite, run in a
// worker thread because better-sqlite3 is synchronous and would otherwise freeze the load
// generator that measures latency meanwhile.
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");
const db = new Database(workerData.file);
db.pragma("busy_timeout = 60000");
const started = performance.now();
const { changes } = db.prepare("DELETE FROM telemetry_event WHERE occurred_at < ?").run(workerData.cutoff);
db.close();
parentPort.postMessage({ removed: changes, ms: performance.now() - started });
