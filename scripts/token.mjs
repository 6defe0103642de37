#!/usr/bin/env node
// `npm run token -- --role <operator|tenant-admin|data-subject|ingest|privacy-officer> [--tenant ID] [--user ID] [--subject S] [--ttl SECONDS]`
// Prints a bearer token signed with the embedded default's local issuer key (created by `npm start`).
// Honours GOVERNANCE_CLOCK_OFFSET like the services, so tokens are valid for a system whose clock was moved.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const common = require("../packages/common/dist/index.js");

const CLIENT_ROLES = ["operator", "tenant-admin", "data-subject", "ingest", "privacy-officer"];

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (!flag.startsWith("--")) throw new Error(`unexpected argument ${JSON.stringify(flag)}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new Error(`${flag} needs a value`);
    args[flag.slice(2)] = value;
    i += 1;
  }
  return args;
}

try {
  const args = parseArgs(process.argv.slice(2));
  const role = args.role;
  if (!CLIENT_ROLES.includes(role)) throw new Error(`--role must be one of ${CLIENT_ROLES.join(", ")}, got ${JSON.stringify(role)}`);
  if (role !== "operator" && !args.tenant) throw new Error(`--role ${role} needs --tenant <tenant id>`);
  if (role === "data-subject" && !args.user) throw new Error("--role data-subject needs --user <user id>");
  const subject = args.subject ?? (role === "data-subject" ? args.user : `${role}@${args.tenant ?? "platform"}`);
  const key = await common.loadPrivateKey(common.keyPathsFromEnv().issuerPrivate, "token issuer private key");
  const token = await common.signClientToken(
    { role, subject, tenantId: args.tenant ?? null, userId: args.user ?? null },
    key,
    common.clockFromEnv().now(),
    Number(args.ttl ?? 8 * 3600),
  );
  process.stdout.write(`${token}\n`);
} catch (error) {
  console.error(`token: ${error.message}`);
  process.exit(2);
}
