#!/usr/bin/env node
// `npm run bench:retention [-- --engine postgres|sqlite --expired N --live M --users U --expired-days D --phase-seconds S --keep]`
// Seeds N expired and M live telemetry rows, then times the telemetry service's purge against a
// plain `DELETE ... WHERE occurred_at < $cutoff` on an identical copy, while personalData reads
// and telemetry ingestion run through the gateway and their p50/p99 are measured before and
// during each. Every service is its own process, as in production. Writes JSON and markdown
// to bench/results/. Defaults: both engines, N = 10,000,000 (PostgreSQL) / 1,000,000 (SQLite).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runEngine } from "./lib/bench/engine.mjs";
import { markdown } from "./lib/bench/report.mjs";
import { ROOT } from "./lib/processes.mjs";

function parseArgs(argv) {
  const args = { engine: ["postgres", "sqlite"], keep: false };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === "--keep") {
      args.keep = true;
      continue;
    }
    const value = argv[i + 1];
    if (!flag.startsWith("--") || value === undefined) throw new Error(`unexpected argument ${JSON.stringify(flag)}`);
    i += 1;
    const name = flag.slice(2);
    if (name === "engine") args.engine = value.split(",");
    else if (["expired", "live", "users", "expired-days", "phase-seconds"].includes(name)) {
      const number = Number(value.replace(/_/g, ""));
      if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
      args[name] = number;
    } else throw new Error(`unknown option ${flag}`);
  }
  for (const engine of args.engine) if (!["postgres", "sqlite"].includes(engine)) throw new Error(`--engine must be postgres or sqlite, got ${JSON.stringify(engine)}`);
  return args;
}

const args = parseArgs(process.argv.slice(2));
const log = (line) => console.log(`[bench] ${line}`);
const runs = [];
for (const engine of args.engine) {
  const expired = args.expired ?? (engine === "postgres" ? 10_000_000 : 1_000_000);
  const config = {
    expired,
    live: args.live ?? Math.max(1, Math.round(expired / 10)),
    users: args.users ?? 500,
    expiredDays: args["expired-days"] ?? 335,
    phaseSeconds: args["phase-seconds"] ?? 20,
    pgUrl: process.env.DGG_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432",
    keep: args.keep,
  };
  const workdir = mkdtempSync(join(tmpdir(), `dgg-bench-${engine}-`));
  log(`${engine}: ${JSON.stringify({ ...config, workdir })}`);
  const started = Date.now();
  runs.push({ ...(await runEngine(engine, config, workdir, log)), wallSeconds: Math.round((Date.now() - started) / 1000) });
}

const result = { benchmark: "retention", at: new Date().toISOString(), machine: { cpus: (await import("node:os")).cpus().length, node: process.version }, runs };
const outDir = join(ROOT, "bench", "results");
mkdirSync(outDir, { recursive: true });
const stamp = result.at.replace(/[:.]/g, "-");
writeFileSync(join(outDir, `retention-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(outDir, `retention-${stamp}.md`), `${markdown(result)}\n`);
console.log(`\n${markdown(result)}\nwritten: bench/results/retention-${stamp}.{json,md}`);
