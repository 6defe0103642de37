#!/usr/bin/env node
// `npm run token -- --role <operator|tenant-admin|privacy-officer|data-subject|ingest> [--tenant ID] [--user ID] [--subject S] [--ttl SECONDS]`
// Prints a bearer token signed with the embedded default's local issuer key (created by `npm start`).
// The same as `dgg token`.
import { parseArgs } from "node:util";
import { mintToken } from "../cli/lib/token.mjs";

try {
  const { values } = parseArgs({ options: { role: { type: "string" }, tenant: { type: "string" }, user: { type: "string" }, subject: { type: "string" }, ttl: { type: "string" } } });
  process.stdout.write(`${await mintToken(values)}\n`);
} catch (error) {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
