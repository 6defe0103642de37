#!/usr/bin/env node
// `npm run erasure:measure-pg`: what a PostgreSQL DELETE leaves on disk (docs/decisions/0042).
// Creates a scratch database, writes rows carrying unique markers (a principal name, a
// telemetry payload, an audit detail, one TOASTed), deletes them as the product does, then
// scans the database's relation files and pg_wal as raw bytes after each of: the DELETE,
// CHECKPOINT, VACUUM, VACUUM FULL (+ CHECKPOINT). Needs the server local and its data
// directory readable (run as root or postgres).
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const { Client } = require("pg");
const { postgresStoreFiles, scanFilesForNeedles } = require("../packages/common/dist/index.js");

const { values } = parseArgs({ options: { url: { type: "string", default: process.env.DGG_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432" } } });
const database = "dgg_measure_deletion";
const admin = new Client({ connectionString: `${values.url}/postgres` });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${database}`);
await admin.query(`CREATE DATABASE ${database}`);
await admin.end();
const url = `${values.url}/${database}`;
const db = new Client({ connectionString: url });
await db.connect();

const tag = randomUUID().slice(0, 8);
const markers = {
  principal: `principal-${tag}@contoso.example`,
  payload: `payload-marker-${tag}`,
  audit: `audit-detail-${tag}`,
  toasted: `toasted-${tag}`,
};
await db.query(`CREATE TABLE user_account (id varchar(36) PRIMARY KEY, principal_name varchar(320) NOT NULL)`);
await db.query(`CREATE INDEX user_account_principal ON user_account (principal_name)`);
await db.query(`CREATE TABLE telemetry_event (id varchar(36) PRIMARY KEY, payload text NOT NULL)`);
await db.query(`CREATE TABLE audit_log_entry (id varchar(36) PRIMARY KEY, details text NOT NULL)`);
await db.query(`INSERT INTO user_account VALUES ($1, $2)`, [randomUUID(), markers.principal]);
await db.query(`INSERT INTO telemetry_event VALUES ($1, $2)`, [randomUUID(), JSON.stringify({ marker: markers.payload })]);
// A value above the TOAST threshold, incompressible so pglz keeps the marker readable.
const noise = Array.from({ length: 600 }, () => randomUUID()).join("");
await db.query(`INSERT INTO telemetry_event VALUES ($1, $2)`, [randomUUID(), JSON.stringify({ marker: markers.toasted, noise })]);
await db.query(`INSERT INTO audit_log_entry VALUES ($1, $2)`, [randomUUID(), JSON.stringify({ note: markers.audit })]);

async function scan(step) {
  const { files, unreadable } = await postgresStoreFiles(url, { wal: true });
  const report = await scanFilesForNeedles(files, Object.values(markers));
  const where = {};
  for (const hit of report.hits) {
    const kind = hit.file.includes("/pg_wal/") ? "pg_wal" : "relation files";
    const key = `${Object.entries(markers).find(([, value]) => value === hit.needle)[0]}`;
    where[key] ??= new Set();
    where[key].add(kind);
  }
  const summary = Object.keys(markers).map((key) => `${key}: ${where[key] ? [...where[key]].join(" + ") : "gone"}`).join("; ");
  console.log(`${step.padEnd(28)} ${summary}${unreadable.length ? ` (unreadable: ${unreadable.join(", ")})` : ""}`);
}

await scan("inserted");
await db.query(`DELETE FROM user_account`);
await db.query(`DELETE FROM telemetry_event`);
await db.query(`DELETE FROM audit_log_entry`);
await scan("DELETE");
await db.query(`CHECKPOINT`);
await scan("DELETE + CHECKPOINT");
await db.query(`VACUUM`);
await db.query(`CHECKPOINT`);
await scan("VACUUM + CHECKPOINT");
await db.query(`VACUUM FULL`);
await db.query(`CHECKPOINT`);
await scan("VACUUM FULL + CHECKPOINT");
await db.end();
const cleanup = new Client({ connectionString: `${values.url}/postgres` });
await cleanup.connect();
await cleanup.query(`DROP DATABASE ${database}`);
await cleanup.end();
