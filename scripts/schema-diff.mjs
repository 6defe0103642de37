#!/usr/bin/env node
// `npm run schema:diff`: compares the API schema the gateway serves (from the committed
// supergraph) with the base branch's, using @graphql-inspector/core. Breaking changes fail
// unless schema/BREAKING.md lists them with a reason; dangerous changes are printed.
//   --base <git ref>       the base to compare with (default: $SCHEMA_BASE_REF, else origin/main, else HEAD)
//   --base-file <path>     a supergraph file to compare with instead of a git ref
//   --allow-file <path>    the list of accepted breaking changes (default: schema/BREAKING.md)
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const { Supergraph } = require("@apollo/federation-internals");
const { CriticalityLevel, diff } = require("@graphql-inspector/core");

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SUPERGRAPH = "schema/supergraph.graphql";
const { values } = parseArgs({ options: { base: { type: "string" }, "base-file": { type: "string" }, "allow-file": { type: "string" } } });

/** The schema clients see: the supergraph without federation's machinery. */
const apiSchemaOf = (supergraphSdl) => Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();

function git(...args) {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

function baseSupergraph() {
  if (values["base-file"]) return { label: values["base-file"], sdl: readFileSync(values["base-file"], "utf8") };
  const candidates = [values.base, process.env.SCHEMA_BASE_REF, "origin/main", "HEAD"].filter(Boolean);
  for (const ref of candidates) {
    try {
      git("rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
    } catch {
      if (ref === values.base) throw new Error(`--base ${ref} is not a commit`);
      continue;
    }
    try {
      return { label: ref, sdl: git("show", `${ref}:${SUPERGRAPH}`) };
    } catch {
      return null; // the base predates the committed supergraph: nothing to compare with
    }
  }
  return null;
}

/**
 * schema/BREAKING.md: one accepted breaking change per list item, written as
 * "- `<path>`: <reason>", where <path> is the change's path as printed here (e.g.
 * `PrivacyRequest.kind`). A path without a reason does not count.
 */
function allowedPaths(file) {
  if (!existsSync(file)) return new Map();
  const allowed = new Map();
  for (const match of readFileSync(file, "utf8").matchAll(/^[-*]\s+`([^`]+)`\s*:\s*(\S.*)$/gm)) allowed.set(match[1], match[2]);
  return allowed;
}

const base = baseSupergraph();
if (!base) {
  console.log("schema:diff: no base supergraph to compare with; nothing to check");
  process.exit(0);
}
const changes = await diff(apiSchemaOf(base.sdl), apiSchemaOf(readFileSync(join(root, SUPERGRAPH), "utf8")));
const allowed = allowedPaths(values["allow-file"] ?? join(root, "schema", "BREAKING.md"));
const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
const dangerous = changes.filter((change) => change.criticality.level === CriticalityLevel.Dangerous);
const unlisted = breaking.filter((change) => !allowed.has(change.path ?? ""));
for (const change of dangerous) console.log(`dangerous: ${change.path ?? ""}: ${change.message}${change.criticality.reason ? ` (${change.criticality.reason})` : ""}`);
for (const change of breaking) console.log(`breaking${allowed.has(change.path ?? "") ? " (listed in BREAKING.md)" : ""}: ${change.path ?? ""}: ${change.message}`);
console.log(`schema:diff against ${base.label}: ${changes.length} changes, ${breaking.length} breaking (${unlisted.length} not listed), ${dangerous.length} dangerous`);
if (unlisted.length > 0) {
  console.error(`Breaking changes not listed in schema/BREAKING.md: ${unlisted.map((change) => change.path).join(", ")}. Undo them, or list each as "- \`<path>\`: <reason>".`);
  process.exit(1);
}
