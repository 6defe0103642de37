#!/usr/bin/env node
// `npm run bench:move`: moves one tenant with 300,000 telemetry events (plus devices and audit
// entries) from NORTH_AMERICA to EUROPE on PostgreSQL, every service as its own process (as
// `npm start` runs them), following the move through `residencyMove` as an operator would,
// and reports the time, rows per second, the idle and peak RSS of every process, and what the
// residency checker finds out of place afterwards (exit 1 if anything). Options (environment): DGG_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432),
// DGG_BENCH_TELEMETRY / DGG_BENCH_DEVICES / DGG_BENCH_AUDIT (default 300000 / 1000 / 10000),
// RESIDENCY_COPY_CHUNK_ROWS (default 2000). Creates and empties databases named dgg_bench_*;
// needs `npm run build` first (the npm script does it).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import common from "../packages/common/dist/index.js";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";
import { benchEnvironment, gql, memoryOf, seedBigUser } from "./lib/bench/postgres-process.mjs";
import { benchNumbers } from "./lib/bench/options.mjs";

const { TELEMETRY, DEVICES, AUDIT } = benchNumbers({ TELEMETRY: 300_000, DEVICES: 1000, AUDIT: 10_000 });
const FROM = "NORTH_AMERICA";
const TO = "EUROPE";

const dataDir = mkdtempSync(join(tmpdir(), "dgg-bench-move-"));
const { env, keys, home } = await benchEnvironment({
  prefix: "dgg_bench_move",
  homeRegion: FROM,
  dataDir,
  regions: common.REGIONS,
  serviceEnvironment,
  common,
  extra: { RESIDENCY_MOVER_INTERVAL_MS: "200" },
});

const services = await startServices(env, { log: () => {} });
try {
  const gateway = `${env.GATEWAY_URL}/graphql`;
  const issuer = await common.loadPrivateKey(keys.issuerPrivate, "issuer key");
  const token = (viewer) => common.signClientToken(viewer, issuer, new Date());
  const operator = () => token({ role: "operator", subject: "bench@ops", tenantId: null, userId: null });
  const tenantId = (await gql(gateway, await operator(), `mutation { createTenant(input: { name: "Bench move", storageRegion: ${FROM} }) { id } }`)).createTenant.id;
  const admin = () => token({ role: "tenant-admin", subject: "bench@admin", tenantId, userId: null });
  const userId = (await gql(gateway, await admin(), `mutation($t: ID!) { createUser(input: { tenantId: $t, userPrincipalName: "big@bench.us", displayName: "Big" }) { id } }`, { t: tenantId })).createUser.id;

  // Bulk rows straight into the old region's stores, as bench-privacy seeds.
  // Payloads padded to their sealed length: a move copies sealed rows verbatim, so bytes are its cost.
  const seeding = (await seedBigUser(home, { userId, tenantId, devices: DEVICES, telemetry: TELEMETRY, audit: AUDIT, sealedSize: true, common, env, region: FROM })).seconds;
  console.log(`seeded ${TELEMETRY} telemetry events, ${DEVICES} devices, ${AUDIT} audit entries in ${FROM} in ${seeding.toFixed(1)} s`);

  // Every process: the mover (governance), the stores' subgraphs, and the gateway and directory the operator's polling goes through.
  const watched = Object.fromEntries(services.children.map(({ service, child }) => [service.name, child.pid]));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = Object.fromEntries(Object.entries(watched).map(([name, pid]) => [name, memoryOf(pid).rss]));
  const peak = { ...idle };
  const sampler = setInterval(() => {
    for (const [name, pid] of Object.entries(watched)) peak[name] = Math.max(peak[name], memoryOf(pid).rss);
  }, 100);

  const started = Date.now();
  await gql(gateway, await admin(), `mutation($t: ID!) { electStorageRegion(tenantId: $t, region: ${TO}) { id } }`, { t: tenantId });
  let move;
  let lastLine = "";
  for (;;) {
    move = (await gql(gateway, await operator(), `query($t: ID!) { residencyMove(tenantId: $t) { phase error progress { store stage copied verified total } } }`, { t: tenantId })).residencyMove;
    lastLine = `${move.phase} ${move.progress.map((p) => `${p.store} ${p.stage} ${p.copied}/${p.total}`).join(", ")}`;
    if (move.phase === "COMPLETED") break;
    if (Date.now() - started > 60 * 60_000) throw new Error(`the move did not complete within an hour: ${lastLine} ${move.error ?? ""}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  for (const [name, pid] of Object.entries(watched)) peak[name] = Math.max(peak[name], memoryOf(pid).peak);
  const rows = move.progress.filter((p) => p.store !== "blobs").reduce((sum, p) => sum + p.total, 0);
  const report = await common.checkResidency(common.residencyStoresFromEnv(env));
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
  console.log(`
tenant move ${FROM} -> ${TO} on PostgreSQL: ${rows.toLocaleString("en")} rows (${move.progress.map((p) => `${p.store} ${p.total}`).join(", ")}), chunks of ${env.RESIDENCY_COPY_CHUNK_ROWS ?? 2000}
  elected → COMPLETED (incl. the ${env.RESIDENCY_MOVE_FREEZE_MS ?? 5000} ms freeze)   ${seconds.toFixed(1)} s   ${Math.round(rows / seconds).toLocaleString("en")} rows/s
${Object.keys(watched)
  .map((name) => `  ${name.padEnd(16)} RSS idle ${mb(idle[name])}, peak ${mb(peak[name])}`)
  .join("\n")}
  residency check: ${report.rowsChecked} rows checked, ${report.misplaced.length} misplaced`);
  if (report.misplaced.length > 0) {
    console.error(`FAIL: ${JSON.stringify(report.misplaced)}`);
    process.exitCode = 1;
  }
} finally {
  await services.stop();
}
