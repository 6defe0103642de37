#!/usr/bin/env node
// `npm run erasure:scan -- --needle VALUE [--needle VALUE ...] [--needles FILE] [--no-wal]`:
// reads every store file as raw bytes (SQLite files with their -wal/-shm; PostgreSQL
// database directories and pg_wal when readable), every subject-key file and every archive
// folder, and prints each
// occurrence of a needle (file, offset). Exit 1 on any hit, 2 when a configured store could
// not be read. Same configuration variables as the services (README: Configuration);
// docs/decisions/0042 and 0044. A needle given as `hex:<hex>` is searched as bytes (a key).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const { DATA_SUBGRAPH_NAMES, filesUnder, REGIONS, residencyStoresFromEnv, scanFilesForNeedles, sqliteStoreFiles, storeFiles, subjectKeyFiles } = require("../packages/common/dist/index.js");

const { values } = parseArgs({
  options: {
    needle: { type: "string", multiple: true, default: [] },
    needles: { type: "string" },
    "no-wal": { type: "boolean", default: false },
  },
});
const needles = [...values.needle, ...(values.needles ? readFileSync(values.needles, "utf8").split("\n").map((line) => line.trim()).filter(Boolean) : [])].map((needle) =>
  needle.startsWith("hex:") ? Buffer.from(needle.slice(4), "hex") : needle,
);
if (needles.length === 0) {
  console.error("give at least one --needle VALUE or --needles FILE (one value a line)");
  process.exit(2);
}
const stores = residencyStoresFromEnv(process.env);
const files = [];
const unreadable = [];
for (const subgraph of DATA_SUBGRAPH_NAMES) {
  for (const region of REGIONS) {
    const found = await storeFiles(stores[subgraph][region], { wal: !values["no-wal"] });
    files.push(...found.files);
    unreadable.push(...found.unreadable);
  }
  // The keys personal content is sealed under, one file per region.
  for (const file of Object.values(subjectKeyFiles(subgraph, stores[subgraph], process.env))) files.push(...sqliteStoreFiles(file));
}
files.push(...(await filesUnder(stores.blobRoot)));
const report = await scanFilesForNeedles([...new Set(files)], needles);
for (const hit of report.hits) console.error(`FOUND ${JSON.stringify(hit.needle)} in ${hit.file} at byte ${hit.offset}`);
for (const path of [...unreadable, ...report.unreadable]) console.error(`UNREADABLE ${path}`);
console.log(`erasure scan: ${report.filesScanned} files, ${report.bytesScanned} bytes, ${needles.length} needles, ${report.hits.length} hits`);
process.exit(report.hits.length > 0 ? 1 : unreadable.length + report.unreadable.length > 0 ? 2 : 0);
