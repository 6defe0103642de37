#!/usr/bin/env node
// Runs the model-based concurrency suite longer than `npm test` does:
//   npm run test:chaos -- --runs 50 [--seed 123] [--engine sqlite|postgres]
// Each property then runs N generated scenarios; a failure prints its seed and path,
// which go into REGRESSIONS in test/privacy/concurrency-suite.ts.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "25" },
    seed: { type: "string" },
    engine: { type: "string" },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${JSON.stringify(values.runs)}`);
  process.exit(2);
}
if (values.engine && !["sqlite", "postgres"].includes(values.engine)) {
  console.error(`--engine must be sqlite or postgres, got ${JSON.stringify(values.engine)}`);
  process.exit(2);
}
const env = { ...process.env, DGG_CHAOS_RUNS: String(runs), ...(values.seed ? { DGG_CHAOS_SEED: values.seed } : {}) };
const pattern = values.engine ? `test/privacy/concurrency.${values.engine}` : "test/privacy/concurrency";
const result = spawnSync("npx", ["jest", pattern, "--runInBand"], { env, stdio: "inherit" });
process.exit(result.status ?? 1);
