// What `bench:privacy` compares the service with: the same user's rows exported as JSON by the
// database's own tool, hashed with sha256sum, then deleted, with nothing in between (no API,
// no archive, no sealing, no verification, no ledger). Also seeds a big user into the SQLite
// files, as seedBigUser does on PostgreSQL.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { storedUserIds } from "./postgres-process.mjs";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");

/** The user's rows in each data store: the store, its table and the column that holds the (aliased) user id. */
const TABLES = [
  { store: "users", table: "device", column: "user_id" },
  { store: "users", table: "user_account", column: "id" },
  { store: "telemetry", table: "telemetry_event", column: "user_id" },
  { store: "audit", table: "audit_log_entry", column: "subject_user_id" },
];

/** Aliases are `ps-` and hex digits; anything else would not be spliced into a command line. */
function literal(value) {
  if (!/^[\w-]+$/.test(value)) throw new Error(`unexpected stored id ${value}`);
  return `'${value}'`;
}

/** Runs the export (one JSON file per table), the hash and the delete; returns the seconds each took and the row count. */
function timeBaseline(exportTable, deleteTable) {
  const dir = mkdtempSync(join(tmpdir(), "dgg-raw-export-"));
  try {
    const started = performance.now();
    const files = TABLES.map((entry, i) => {
      const file = join(dir, `${i}-${entry.table}.json`);
      exportTable(entry, file);
      return file;
    });
    const exported = performance.now();
    execFileSync("sha256sum", files, { encoding: "utf8" });
    const hashed = performance.now();
    // Children first, as the services erase: devices reference the account.
    for (const entry of TABLES) deleteTable(entry);
    const deleted = performance.now();
    return { export: (exported - started) / 1000, hash: (hashed - exported) / 1000, delete: (deleted - hashed) / 1000, total: (deleted - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PostgreSQL: psql's `\copy (SELECT row_to_json(t) ...) TO file`, sha256sum, DELETE. `urls` maps a store to its database. */
export async function rawPostgres(urls, stored) {
  return timeBaseline(
    ({ store, table, column }, file) => execFileSync("psql", [urls[store], "-qXc", `\\copy (SELECT row_to_json(t) FROM "${table}" t WHERE "${column}" = ${literal(stored[store])}) TO '${file}'`]),
    ({ store, table, column }) => execFileSync("psql", [urls[store], "-qXc", `DELETE FROM "${table}" WHERE "${column}" = ${literal(stored[store])}`]),
  );
}

/** SQLite: the sqlite3 shell's JSON output of the rows, sha256sum, DELETE. `files` maps a store to its file. */
export async function rawSqlite(files, stored) {
  return timeBaseline(
    ({ store, table, column }, file) => execFileSync("sqlite3", ["-json", "-cmd", ".timeout 10000", "-cmd", `.output ${file}`, files[store], `SELECT * FROM "${table}" WHERE "${column}" = ${literal(stored[store])}`]),
    ({ store, table, column }) => execFileSync("sqlite3", ["-cmd", ".timeout 10000", files[store], `DELETE FROM "${table}" WHERE "${column}" = ${literal(stored[store])}`]),
  );
}

/**
 * Bulk rows about one user straight into the SQLite files of `region` (a recursive CTE: the
 * ingest path is not what the benchmark measures), in the shapes seedBigUser writes on
 * PostgreSQL. The account row must exist already (created through the API). Returns the
 * seconds it took and the values the stores keep in place of the user's id.
 */
export async function seedBigUserSqlite(files, { userId, tenantId, devices, telemetry, audit, common, env, region }) {
  const started = Date.now();
  const now = Date.now();
  const stored = await storedUserIds(common, env, region, tenantId, userId);
  const series = (count) => `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${Number(count)})`;
  const run = (file, text, params) => {
    const db = new Database(file);
    try {
      db.pragma("busy_timeout = 10000");
      db.prepare(text).run(params);
      db.exec("ANALYZE");
    } finally {
      db.close();
    }
  };
  run(files.users, `INSERT INTO device (id, user_id, tenant_id, device_name, operating_system, serial_number, enrolled_at)
    ${series(devices)} SELECT 'ps-' || lower(hex(randomblob(16))), @user, @tenant, 'device-' || n, 'Windows 11', 'SN-' || n, @now - n * 1000 FROM g`, { user: stored.users, tenant: tenantId, now });
  run(files.telemetry, `INSERT INTO telemetry_event (id, tenant_id, user_id, kind, occurred_at, payload)
    ${series(telemetry)} SELECT lower(hex(randomblob(16))), @tenant, @user, CASE n % 3 WHEN 0 THEN 'SERVICE_LOG' WHEN 1 THEN 'PERFORMANCE_LOG' ELSE 'ERROR' END, @now - n * 2,
      '{"sequence":' || n || ',"message":"event ' || n || ' of the benchmark user","durationMs":' || (n % 997) || '}' FROM g`, { user: stored.telemetry, tenant: tenantId, now });
  run(files.audit, `INSERT INTO audit_log_entry (id, tenant_id, actor, actor_role, action, subject_user_id, occurred_at, details)
    ${series(audit)} SELECT lower(hex(randomblob(16))), @tenant, 'bench@admin', 'tenant-admin', 'PERSONAL_DATA_READ', @user, @now - n * 10, '{"n":' || n || '}' FROM g`, { user: stored.audit, tenant: tenantId, now });
  return { seconds: (Date.now() - started) / 1000, stored };
}
