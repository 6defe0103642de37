#!/usr/bin/env node
// dgg: the data-governance gateway from a terminal. Every request command calls the public
// API (--url / DGG_URL, --token / DGG_TOKEN); `dgg <command> --help` for each.
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError, Option } from "commander";
import { ApiError, client } from "./lib/api.mjs";
import { CLIENT_ROLES, mintToken } from "./lib/token.mjs";
import { watchRequest } from "./lib/watch.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const REQUEST_FIELDS = "id kind status userId tenantId dueAt overdue requestedBy approvedBy decisionReason createdAt completedAt";

const program = new Command("dgg")
  .description("The data-governance gateway's privacy requests, holds and operations, from a terminal.")
  .addOption(new Option("--url <url>", "the gateway's base URL").env("DGG_URL").default("http://127.0.0.1:4000"))
  .addOption(new Option("--token <token>", "a bearer token (dgg token mints one for the embedded default)").env("DGG_TOKEN"))
  .option("--json", "print the API's answer as JSON")
  .showHelpAfterError();

const api = () => client(program.opts());
const print = (value) => {
  if (program.opts().json || typeof value !== "object") process.stdout.write(`${typeof value === "object" ? JSON.stringify(value, null, 2) : value}\n`);
  else process.stdout.write(`${Object.entries(value).map(([key, field]) => `${key}: ${typeof field === "object" && field !== null ? JSON.stringify(field) : field}`).join("\n")}\n`);
};
const days = (raw) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError("a whole number of days, at least 1");
  return value;
};

program
  .command("token")
  .description("mint a development token with the embedded default's issuer key (not for production IdPs)")
  .addOption(new Option("--role <role>").choices(CLIENT_ROLES).makeOptionMandatory())
  .option("--tenant <id>")
  .option("--user <id>", "the user a data-subject token is for")
  .option("--subject <subject>")
  .option("--ttl <seconds>", "lifetime", "28800")
  .action(async (options) => print(await mintToken(options)));

const request = program.command("request").description("privacy requests: file, follow, decide, download");
for (const [name, mutation, description] of [
  ["export", "requestPersonalDataExport", "file an access request: an electronic copy, nothing erased"],
  ["restrict", "restrictProcessing", "file a restriction: an electronic copy, then erasure of the account and associated data"],
]) {
  request
    .command(`${name} <user>`)
    .description(description)
    .option("--reason <text>")
    .action(async (user, options) => {
      const data = await api().gql(`mutation($u: ID!, $r: String) { ${mutation}(user: $u, reason: $r) { ${REQUEST_FIELDS} } }`, { u: user, r: options.reason ?? null });
      print(data[mutation]);
    });
}
request
  .command("list")
  .description("a tenant's requests, newest first")
  .requiredOption("--tenant <id>")
  .option("--status <status>")
  .option("--kind <kind>", "ACCESS or RESTRICT_PROCESSING")
  .option("--overdue", "only those past their due date")
  .option("--first <n>", "how many", "50")
  .action(async (options) => {
    const data = await api().gql(
      `query($t: ID!, $s: PrivacyRequestStatus, $k: PrivacyRequestKind, $o: Boolean, $f: Int) { privacyRequests(tenantId: $t, status: $s, kind: $k, overdue: $o, first: $f) { totalCount edges { node { ${REQUEST_FIELDS} } } } }`,
      { t: options.tenant, s: options.status ?? null, k: options.kind ?? null, o: options.overdue ? true : null, f: Number(options.first) },
    );
    const { totalCount, edges } = data.privacyRequests;
    if (program.opts().json) return print(data.privacyRequests);
    process.stdout.write(`${edges.map(({ node }) => `${node.id}  ${node.kind.padEnd(19)} ${node.status.padEnd(17)} due ${node.dueAt}${node.overdue ? "  OVERDUE" : ""}`).join("\n")}\n${edges.length} of ${totalCount}\n`);
  });
request
  .command("show <id>")
  .description("one request with its history")
  .action(async (id) => {
    const data = await api().gql(`query($id: ID!) { privacyRequest(id: $id) { ${REQUEST_FIELDS} history(first: 200) { edges { node { at actor action status } } } } }`, { id });
    const { history, ...fields } = data.privacyRequest;
    print({ ...fields, history: history.edges.map(({ node }) => `${node.at} ${node.action} by ${node.actor} → ${node.status ?? ""}`) });
  });
request
  .command("watch <id>")
  .description("follow a request to its end: exit 0 COMPLETED, 1 FAILED, 3 DENIED, 4 CANCELED")
  .option("--interval <ms>", "how often to look", "500")
  .action(async (id, options) => {
    process.exitCode = await watchRequest(api(), id, { intervalMs: Number(options.interval) });
  });
request
  .command("download <id>")
  .description("download the request's archive: every file, or one zip")
  .option("--out <dir>", "where to write", ".")
  .option("--zip", "the whole archive as one zip")
  .action(async (id, options) => {
    const client = api();
    const { createPrivacyExportDownload: link } = await client.gql(`mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url files } }`, { id });
    await mkdir(options.out, { recursive: true });
    const targets = options.zip ? [[`${link.url}?format=zip`, `${id}.zip`]] : link.files.map((file) => [`${link.url}/${file}`, file]);
    for (const [url, file] of targets) {
      const response = await client.download(url);
      await pipeline(Readable.fromWeb(response.body), createWriteStream(join(options.out, file)));
      process.stdout.write(`${join(options.out, file)}\n`);
    }
  });
for (const [name, mutation, description] of [
  ["approve", "approvePrivacyRequest", "approve a request awaiting approval (not one you filed)"],
  ["deny", "denyPrivacyRequest", "deny a request awaiting approval, with a reason"],
  ["cancel", "cancelPrivacyRequest", "cancel a request before its erasure begins, with a reason"],
]) {
  const command = request.command(`${name} <id>`).description(description);
  if (name !== "approve") command.requiredOption("--reason <text>");
  command.action(async (id, options) => {
    const args = name === "approve" ? "(id: $id)" : "(id: $id, reason: $r)";
    const data = await api().gql(`mutation($id: ID!${name === "approve" ? "" : ", $r: String!"}) { ${mutation}${args} { ${REQUEST_FIELDS} } }`, { id, r: options.reason });
    print(data[mutation]);
  });
}
request
  .command("extend <id>")
  .description("extend a request's deadline (at most 60 days in all), with a reason")
  .requiredOption("--days <n>", "days to add", days)
  .requiredOption("--reason <text>")
  .action(async (id, options) => {
    const data = await api().gql(`mutation($id: ID!, $d: Int!, $r: String!) { extendPrivacyRequestDeadline(id: $id, days: $d, reason: $r) { ${REQUEST_FIELDS} } }`, { id, d: options.days, r: options.reason });
    print(data.extendPrivacyRequestDeadline);
  });

const hold = program.command("hold").description("legal holds");
hold
  .command("place <user>")
  .requiredOption("--reason <text>")
  .action(async (user, options) => print((await api().gql(`mutation($u: ID!, $r: String!) { placeLegalHold(user: $u, reason: $r) { id reason placedAt } }`, { u: user, r: options.reason })).placeLegalHold));
hold
  .command("lift <user>")
  .option("--reason <text>")
  .action(async (user, options) => print((await api().gql(`mutation($u: ID!, $r: String) { liftLegalHold(user: $u, reason: $r) { id liftedAt } }`, { u: user, r: options.reason ?? null })).liftLegalHold));

program
  .command("retention")
  .description("retention")
  .command("run")
  .description("purge everything past its retention period now (operators)")
  .action(async () => print((await api().gql(`mutation { runRetention { startedAt finishedAt purges { category purged } } }`)).runRetention));

/** Operator tools that read the stores rather than the API: run as the npm scripts do. */
const operatorScript = (script) => () => {
  const result = spawnSync(process.execPath, [join(ROOT, script)], { stdio: "inherit" });
  process.exitCode = result.status ?? 1;
};
program.command("residency").description("residency").command("check").description("every row in its tenant's region (reads the stores; npm run residency:check)").action(operatorScript("scripts/residency-check.mjs"));
program.command("erasure").description("erasure").command("replay").description("erase again everyone in the erasure ledger, after a restore (npm run erasure:replay)").action(operatorScript("subgraphs/governance/dist/erasure-replay.js"));

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`dgg: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof ApiError ? 5 : 1;
}
