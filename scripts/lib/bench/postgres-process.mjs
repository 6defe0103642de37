// What the PostgreSQL end-to-end benchmarks (bench:privacy, bench:move) share: free ports,
// one-off SQL, fresh databases, and reading a process's memory and CPU from /proc.
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
/** A free port for every service (the registry's subgraphs and the gateway), as their port variables. */
export async function freePortEnvironment(services) {
  return Object.fromEntries(await Promise.all(services.map(async (service) => [service.portVar, String(await freePort())])));
}

/** The benchmark's client tokens, signed with the development issuer key. */
export async function benchTokens(common, keys) {
  const issuer = await common.loadPrivateKey(keys.issuerPrivate, "issuer key");
  return (viewer) => common.signClientToken(viewer, issuer, new Date());
}

/**
 * The benchmark's tenant, created through the gateway by an operator: its id, the operator's
 * token, and a minter of its admin's tokens (a long benchmark mints fresh ones).
 */
export async function benchTenant(gateway, token, { name, region }) {
  const operator = await token({ role: "operator", subject: "bench@ops", tenantId: null, userId: null });
  const tenantId = (await gql(gateway, operator, `mutation($n: String!) { createTenant(input: { name: $n, storageRegion: ${region} }) { id } }`, { n: name })).createTenant.id;
  return { tenantId, operator, admin: () => token({ role: "tenant-admin", subject: "bench@admin", tenantId, userId: null }) };
}

/**
 * What a benchmark talks to once its services run: the gateway's GraphQL URL, the token
 * minter, its tenant (see benchTenant) and that tenant's admin token, minted now.
 */
export async function benchSession(env, common, keys, tenant) {
  const gateway = `${env.GATEWAY_URL}/graphql`;
  const token = await benchTokens(common, keys);
  const created = await benchTenant(gateway, token, tenant);
  return { gateway, token, tenant: created, tenantId: created.tenantId, admin: await created.admin() };
}

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

/** One GraphQL call through the gateway; throws on errors. */
export async function gql(url, token, query, variables = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * The whole system's environment on fresh PostgreSQL databases named `<prefix>_<store>[_<region>]`
 * and free ports, with development keys under `dataDir`. Returns the environment and the URLs
 * of `homeRegion`'s stores (plus the global ones), where a benchmark seeds its tenant.
 * With `engine: "sqlite"` the services keep the embedded default (SQLite files under
 * `dataDir`) and `home` is empty.
 */
export async function benchEnvironment({ prefix, homeRegion, dataDir, regions, serviceEnvironment, common, extra = {}, engine = "postgres" }) {
  const home = {};
  const regionalUrls = {};
  for (const store of engine === "postgres" ? common.DATA_SUBGRAPH_NAMES : []) {
    for (const region of regions) {
      const url = await freshDatabase(`${prefix}_${store}_${region.toLowerCase()}`);
      regionalUrls[`${store.toUpperCase()}_DATABASE_URL_${region}`] = url;
      if (region === homeRegion) home[store] = url;
    }
  }
  if (engine === "postgres") {
    home.storage_regions = await freshDatabase(`${prefix}_storage_regions`);
    home.governance = await freshDatabase(`${prefix}_governance`);
  }
  const env = serviceEnvironment({
    ...process.env,
    DGG_DATA_DIR: dataDir,
    DGG_SEED_DEMO: "false",
    ...(await freePortEnvironment([...common.SERVICES, common.GATEWAY_SERVICE])),
    ...regionalUrls,
    ...(engine === "postgres" ? { STORAGE_REGIONS_DATABASE_URL: home.storage_regions, GOVERNANCE_DATABASE_URL: home.governance } : {}),
    ...extra,
  });
  const keys = common.keyPathsFromEnv(env);
  common.ensureDevKeys(keys);
  writeFileSync(join(dataDir, "keys", "erasure-ledger.key"), randomUUID().replaceAll("-", "") + randomUUID().replaceAll("-", ""));
  return { env, keys, home };
}

/**
 * Bulk rows about one user straight into `home`'s stores (server-side generate_series: the
 * ingest path is not what the benchmarks measure), then ANALYZE. Returns the seconds it took
 * and the values the stores keep in place of the user's id.
 * Ids are stored as the services store them (`common`, `env` and `region` say where the key
 * files are). The content is written in clear (as rows from before sealing are read); `sealedSize` pads
 * each payload to the length the same payload has sealed (docs/decisions/0044), for
 * benchmarks whose cost is in bytes moved rather than in opening them.
 */
export async function seedBigUser(home, { userId, tenantId, devices, telemetry, audit, sealedSize = false, common, env, region }) {
  const started = Date.now();
  const now = Date.now();
  // As the services store them: the user's id under each store's alias, device ids as aliases (docs/decisions/0051).
  const stored = await storedUserIds(common, env, region, tenantId, userId);
  await sql(home.users, `INSERT INTO device (id, user_id, tenant_id, device_name, operating_system, serial_number, enrolled_at)
    SELECT 'ps-' || md5(random()::text || g), $1, $2, 'device-' || g, 'Windows 11', 'SN-' || g, $3::bigint - g * 1000 FROM generate_series(1, $4) g`, [stored.users, tenantId, now, devices]);
  for (let done = 0; done < telemetry; done += 100_000) {
    await sql(home.telemetry, `INSERT INTO telemetry_event (id, tenant_id, user_id, kind, occurred_at, payload)
      SELECT gen_random_uuid()::text, $2, $1, (ARRAY['SERVICE_LOG','PERFORMANCE_LOG','ERROR'])[1 + g % 3], $3::bigint - g * 2,
             '{"sequence":' || g || ',"message":"event ' || g || ' of the benchmark user","durationMs":' || (g % 997) || $6 || '}'
      FROM generate_series($4::int, $5::int) g`, [stored.telemetry, tenantId, now, done + 1, Math.min(telemetry, done + 100_000), sealedSize ? `,"pad":"${"x".repeat(80)}"` : ""]);
  }
  await sql(home.audit, `INSERT INTO audit_log_entry (id, tenant_id, actor, actor_role, action, subject_user_id, occurred_at, details)
    SELECT gen_random_uuid()::text, $2, 'bench@admin', 'tenant-admin', 'PERSONAL_DATA_READ', $1, $3::bigint - g * 10, '{"n":' || g || '}' FROM generate_series(1, $4) g`, [stored.audit, tenantId, now, audit]);
  await Promise.all(Object.values(home).map((url) => sql(url, "ANALYZE")));
  return { seconds: (Date.now() - started) / 1000, stored };
}

/**
 * The value each data store of `region` keeps in place of the user's id: its alias in that
 * store's key file, made there if the services have not made it yet (docs/decisions/0051).
 */
export async function storedUserIds(common, env, region, tenantId, userId) {
  const stored = {};
  for (const [name, prefix] of [["users", "USERS"], ["telemetry", "TELEMETRY"], ["audit", "AUDIT"]]) {
    const file = common.subjectKeyFiles(name, common.regionalDatabaseConfigsFromEnv(prefix, name, env), env)[region];
    const keys = common.SubjectKeyStore.open(file);
    try {
      stored[name] = keys.obtainAlias(tenantId, userId, userId);
      await keys.settle();
    } finally {
      keys.close();
    }
  }
  return stored;
}
