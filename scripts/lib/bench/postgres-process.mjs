// What the PostgreSQL end-to-end benchmarks (bench:privacy, bench:move) share: free ports,
// one-off SQL, fresh databases, and reading a process's memory and CPU from /proc.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Client } = require("pg");

/** The PostgreSQL server the benchmarks use. */
export const PG = process.env.DGG_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";

/** A free loopback port. */
export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Runs one statement on its own connection. */
export async function sql(url, text, params = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** Creates (if needed) and empties a database; returns its URL. */
export async function freshDatabase(name) {
  const exists = await sql(`${PG}/postgres`, "SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  if (exists.rowCount === 0) await sql(`${PG}/postgres`, `CREATE DATABASE "${name}"`);
  const url = `${PG}/${name}`;
  await sql(url, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
  return url;
}

/** Resident set size now and at its peak (kB), from /proc. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/** CPU time a process has used so far (ms), user plus system, from /proc (clock ticks of 10 ms). */
export function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
