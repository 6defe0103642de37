/**
 * Shared set-up for the audit tests: one audit service on throwaway SQLite files (or fresh
 * PostgreSQL databases), listening on a free port, with a manual clock and a statement counter.
 */
import { EXPORT_CONTENT_TYPE, exportRecordsIn, INTERNAL_TOKEN_HEADER, receivedExportLines, REGIONS } from "@dgg/common";
import type { ManualClock, StatementCounter } from "@dgg/common";
import type { DatabaseConfig, Region, Viewer } from "@dgg/common";
import { fakeTenantDirectory, internalToken, serveUnderTest, startFakeService, tempRegionalSqlite, TEST_REGION } from "@dgg/common/testkit";
import type { KeyPair } from "@dgg/common/testkit";
import { createAuditService } from "../src/server";
import type { AuditService } from "../src/server";
import { Not } from "typeorm";
import { AuditLogEntry } from "../src/entities/audit-log-entry.entity";
import { freshPostgresDatabase, testDatabaseName } from "../../../test/support/postgres";

export interface RouteResponse {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

export interface AuditHarness {
  keys: KeyPair;
  service: AuditService;
  url: string;
  clock: ManualClock;
  counter: StatementCounter;
  token(who: Viewer): Promise<string>;
  /** Calls an internal route (`/internal/...`); a null token sends no identity at all. */
  call(method: "GET" | "POST", path: string, token: string | null, body?: unknown): Promise<RouteResponse>;
  /** Appends through the real route and fails the test if it was refused. */
  append(who: Viewer, entries: Record<string, unknown>[]): Promise<void>;
  rowCount(): Promise<number>;
  /** Entries other than the access audit's refusals (ACCESS_DENIED), i.e. what a refused write must not add to. */
  dataRowCount(): Promise<number>;
  deniedCount(): Promise<number>;
  close(): Promise<void>;
}

export const START = new Date("2026-01-01T00:00:00.000Z");

/** Fresh, empty PostgreSQL databases, one per region, named for this jest worker. */
export async function freshPostgresRegions(name: string): Promise<Record<Region, DatabaseConfig>> {
  const entries = await Promise.all(
    REGIONS.map(async (region) => [region, { type: "postgres", url: await freshPostgresDatabase(testDatabaseName(`${name}_${region}`)) }] as const),
  );
  return Object.fromEntries(entries) as Record<Region, DatabaseConfig>;
}

export interface AuditHarnessOptions {
  /** Tenants the fake directory places outside TEST_REGION, to exercise several stores. */
  tenantRegions?: Record<string, Region>;
}

/** Starts the service on `databases` (fresh SQLite files unless a test passes other stores). */
export async function startAudit(databases: Record<Region, DatabaseConfig> = tempRegionalSqlite("audit"), options: AuditHarnessOptions = {}): Promise<AuditHarness> {
  const placed = options.tenantRegions ?? {};
  const directory = await startFakeService({
    "GET /internal/tenants/:id": (body, params) => {
      const answer = fakeTenantDirectory["GET /internal/tenants/:id"](body, params);
      const region = placed[params.id!];
      return region ? { tenant: { ...answer.tenant, storageRegion: region } } : answer;
    },
  });
  const served = await serveUnderTest({ start: START, standIns: [directory] }, ({ keys, clock, counter }) =>
    createAuditService({
      databases,
      platformRegion: TEST_REGION,
      internalPublicKey: keys.publicKey,
      clock,
      urls: { storageRegions: directory.url },
      logger: counter,
    }),
  );
  const { keys, clock, service, url } = served;
  // Tokens are signed at the manual clock's time, which the service verifies against.
  const token = (who: Viewer) => internalToken(keys, who, clock.now());
  const call = async (method: "GET" | "POST", path: string, bearer: string | null, body?: unknown): Promise<RouteResponse> => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (bearer) headers[INTERNAL_TOKEN_HEADER] = bearer;
    const response = await fetch(`${url}/internal${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.headers.get("content-type")?.startsWith(EXPORT_CONTENT_TYPE)) {
      // An export page (NDJSON): read as governance reads it, then its records parsed for the test.
      const page = receivedExportLines(Object.fromEntries(response.headers), Buffer.from(await response.arrayBuffer()), url);
      return { status: response.status, body: { records: exportRecordsIn(page), nextCursor: page.nextCursor } };
    }
    return { status: response.status, body: (await response.json()) as RouteResponse["body"] };
  };
  return {
    ...served,
    token,
    call,
    async append(who, entries) {
      const response = await call("POST", "/audit/entries", await token(who), { entries });
      if (response.status !== 200) throw new Error(`append refused: ${JSON.stringify(response.body)}`);
    },
    rowCount: () => service.stores.get(TEST_REGION).getRepository(AuditLogEntry).count(),
    dataRowCount: () => service.stores.get(TEST_REGION).getRepository(AuditLogEntry).countBy({ action: Not("ACCESS_DENIED") }),
    deniedCount: () => service.stores.get(TEST_REGION).getRepository(AuditLogEntry).countBy({ action: "ACCESS_DENIED" }),
  };
}
