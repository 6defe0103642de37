#!/usr/bin/env node
// `npm run schema`: regenerates schema/<subgraph>.graphql from the code and composes
// schema/supergraph.graphql from exactly the files rover.yaml lists.
// `--check`: regenerates in memory and fails if a committed file differs (drift).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { SUBGRAPH_BUILDERS } from "./subgraph-schemas.mjs";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
process.env.APOLLO_TELEMETRY_DISABLED = "true";

const { readRoverConfig, composeFromRoverConfig } = require("../gateway/dist/compose.js");
const roverPath = join(root, "rover.yaml");
const drift = [];

function emit(path, content) {
  const current = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (current === content) return;
  if (check) drift.push(relative(root, path));
  else writeFileSync(path, content);
}

const { subgraphs } = readRoverConfig(roverPath);
for (const subgraph of subgraphs) {
  const build = SUBGRAPH_BUILDERS[subgraph.name];
  if (!build) throw new Error(`rover.yaml lists ${subgraph.name}, which has no schema builder`);
  const { sdl } = await build();
  emit(subgraph.file, sdl);
}

if (check) {
  if (drift.length > 0) {
    console.error(`Committed SDL differs from the code: ${drift.join(", ")}. Run 'npm run schema' and commit.`);
    process.exit(1);
  }
}
// Compose from the committed files (in --check mode they equal the generated ones).
const supergraph = composeFromRoverConfig(roverPath);
emit(join(root, "schema", "supergraph.graphql"), supergraph);
if (check && drift.length > 0) {
  console.error(`schema/supergraph.graphql differs from the composition of rover.yaml's files. Run 'npm run schema' and commit.`);
  process.exit(1);
}
console.log(check ? "schema: committed SDL matches the code and composes" : `schema: wrote ${subgraphs.length} subgraph SDL files and the supergraph`);
