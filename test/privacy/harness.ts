/**
 * Shared steps of the privacy-engine suites: a tenant with a user holding every category
 * of data, filed and followed through a governance endpoint, and checks on the stores,
 * the archive and the checkpoint log.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DataSource } from "typeorm";
import { createDataSource, openDataSource } from "@dgg/common";
import type { DatabaseConfig } from "@dgg/common";
import { internalToken, postGraphQL, viewer } from "@dgg/common/testkit";
import { governanceEntities, governanceMigrations } from "../../subgraphs/governance/src/server";
import { PrivacyRequestEventRecord } from "../../subgraphs/governance/src/entities/privacy-request-event.entity";
import { aliasesOf, storesMentioning } from "../support/store-scan";
import { queryAcross } from "../support/system";
import type { TestSystem } from "../support/system";

export interface Subject {
  name: string;
  tenantId: string;
  userId: string;
  adminToken: string;
  telemetryIds: string[];
  devices: number;
  deviceIds: string[];
  /** What the data stores keep the user's and devices' ids under, taken once seeded (docs/decisions/0051). */
  aliases: string[];
}

/**
 * Creates a tenant (unless given one) and a user with `devices` devices and `events` telemetry
 * events, through the gateway. The display name is `name` unless given.
 */
export async function seedSubject(system: TestSystem, name: string, devices: number, events: number, tenantId?: string, displayName = name): Promise<Subject> {
  const operator = await system.token(viewer("operator", { subject: "ops@platform" }));
  let tenant = tenantId;
  if (!tenant) {
    const created = await system.gql(operator, `mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, {
      i: { name: `T ${name}`, storageRegion: "EUROPE" },
    });
    if (created.body.errors) throw new Error(JSON.stringify(created.body.errors));
    tenant = created.body.data!.createTenant.id as string;
  }
  const adminToken = await system.token(viewer("tenant-admin", { tenantId: tenant, subject: `admin@${name}` }));
  const user = await system.gql(adminToken, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
    i: { tenantId: tenant, userPrincipalName: `${name}@example.eu`, displayName },
  });
  if (user.body.errors) throw new Error(JSON.stringify(user.body.errors));
  const userId = user.body.data!.createUser.id as string;
  const deviceIds: string[] = [];
  for (let i = 0; i < devices; i += 1) {
    const enrolled = await system.gql(adminToken, `mutation($i: EnrollDeviceInput!) { enrollDevice(input: $i) { id } }`, {
      i: { userId, deviceName: `device-${i}`, operatingSystem: "Windows 11", serialNumber: `SN-${name}-${i}` },
    });
    if (enrolled.body.errors) throw new Error(JSON.stringify(enrolled.body.errors));
    deviceIds.push(enrolled.body.data!.enrollDevice.id as string);
  }
  const now = system.clock.now().getTime();
  const batch = Array.from({ length: events }, (_, i) => ({ userId, kind: "SERVICE_LOG", occurredAt: new Date(now - i * 1000).toISOString(), payload: { i } }));
  if (events > 0) {
    const ingested = await system.gql(adminToken, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, { e: batch });
    if (ingested.body.errors) throw new Error(JSON.stringify(ingested.body.errors));
  }
  const rows: { id: string }[] = await queryAcross<{ id: string }>(system, "telemetry", 
    system.kind === "postgres" ? "SELECT id FROM telemetry_event WHERE user_id = $1" : "SELECT id FROM telemetry_event WHERE user_id = ?",
    [userId],
  );
  return { name, tenantId: tenant, userId, adminToken, telemetryIds: rows.map((row) => row.id), devices, deviceIds, aliases: [userId, ...deviceIds].flatMap((id) => aliasesOf(system, id)) };
}

/** Calls a governance replica directly (no gateway) as the subject's tenant admin. */
export async function governanceGql(system: TestSystem, governanceUrl: string, subject: Subject, query: string, variables: Record<string, unknown> = {}) {
  const token = await internalToken(system.internalKeys, viewer("tenant-admin", { tenantId: subject.tenantId, subject: "admin@crash" }));
  const response = await postGraphQL(governanceUrl, token, query, variables);
  if (response.body.errors) throw new Error(`governance answered errors: ${JSON.stringify(response.body.errors)}`);
  return response.body.data as Record<string, any>;
}

/** Account, devices and telemetry rows the stores still hold about the user. */
export async function heldRecords(system: TestSystem, userId: string): Promise<number> {
  const p = system.kind === "postgres" ? "$1" : "?";
  const count = async (name: "users" | "telemetry", sql: string) =>
    (await queryAcross<{ n: string | number }>(system, name, sql, [userId])).reduce((sum, row) => sum + Number(row.n), 0);
  return (
    (await count("users", `SELECT COUNT(*) AS n FROM user_account WHERE id = ${p}`)) +
    (await count("users", `SELECT COUNT(*) AS n FROM device WHERE user_id = ${p}`)) +
    (await count("telemetry", `SELECT COUNT(*) AS n FROM telemetry_event WHERE user_id = ${p}`))
  );
}

/** Opens every store directly: nothing anywhere may still name the user, by id or by the aliases it was stored under. */
export function storesNaming(system: TestSystem, subject: Pick<Subject, "userId" | "aliases">): Promise<string[]> {
  return storesMentioning(system, subject.userId, ["users", "telemetry", "audit", "storage-regions"], subject.aliases);
}

/** Opens a governance database the way a second process would, to read the checkpoint log. */
export function openGovernanceStore(config: DatabaseConfig): Promise<DataSource> {
  return openDataSource(createDataSource(config, { entities: governanceEntities, migrations: governanceMigrations }));
}

export function checkpointLog(db: DataSource, requestId: string): Promise<PrivacyRequestEventRecord[]> {
  return db.getRepository(PrivacyRequestEventRecord).find({ where: { requestId }, order: { seq: "ASC" } });
}

/** The checkpoint log proves it: no erasure step before the archive was verified, and no verification after erasure began. */
export function assertVerifiedBeforeErasure(events: PrivacyRequestEventRecord[]): void {
  const steps = events.map((event) => event.step);
  const verified = steps.indexOf("ARCHIVE_VERIFIED");
  const firstErase = steps.findIndex((step) => step.startsWith("ERASE") || step.startsWith("SUBGRAPH_ERASE"));
  expect(verified).toBeGreaterThan(-1);
  expect(firstErase).toBeGreaterThan(verified);
  expect(steps.lastIndexOf("ARCHIVE_VERIFIED")).toBeLessThan(firstErase);
  expect(steps).not.toContain("ARCHIVE_STALE");
}

/**
 * Reads the archive the request points at and checks it end to end: the manifest's hash is
 * the request's checksum, every file and the report match their SHA-256 and size, telemetry holds every
 * seeded event exactly once, service data holds `serviceData` records (the devices by
 * default). Returns the manifest.
 */
export function assertArchiveIntact(location: string, sha256: string, subject: Subject, serviceData = subject.devices): Record<string, any> {
  const manifestPath = fileURLToPath(location);
  const bytes = readFileSync(manifestPath);
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(sha256);
  const manifest = JSON.parse(bytes.toString("utf8"));
  // Every category file, and report.html (listed apart: it is not a category).
  for (const file of [...manifest.files, manifest.report] as { file: string; sha256: string; bytes: number }[]) {
    const content = readFileSync(join(dirname(manifestPath), file.file));
    expect(createHash("sha256").update(content).digest("hex")).toBe(file.sha256);
    expect(content.length).toBe(file.bytes);
  }
  const telemetry = readFileSync(join(dirname(manifestPath), "telemetry.ndjson"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line).id as string);
  expect(telemetry).toHaveLength(subject.telemetryIds.length);
  expect(new Set(telemetry)).toEqual(new Set(subject.telemetryIds));
  const devices = JSON.parse(readFileSync(join(dirname(manifestPath), "service-data.json"), "utf8")) as unknown[];
  expect(devices).toHaveLength(serviceData);
  return manifest;
}
