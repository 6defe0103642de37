/** Starts one storage-regions service on a throwaway SQLite file, with the audit service stood in for. */
import type { ManualClock, StatementCounter, Viewer } from "@dgg/common";
import { internalToken, postGraphQL, serveUnderTest, startFakeService, tempSqlite, viewer } from "@dgg/common/testkit";
import type { KeyPair } from "@dgg/common/testkit";
import { Tenant } from "../src/entities/tenant.entity";
import { createStorageRegionsService } from "../src/server";
import type { StorageRegionsService } from "../src/server";
import { DEFAULT_STORAGE_LAYOUT, parseStorageLayout } from "../src/storage-layout";

export const CREATE = `mutation($input: CreateTenantInput!) { createTenant(input: $input) { id name storageRegion } }`;
export const READ = `query($id: ID!) { tenant(id: $id) { id name storageRegion } }`;
export const ELECT = `mutation($t: ID!, $r: Region!) { electStorageRegion(tenantId: $t, region: $r) { id name storageRegion } }`;

export interface Harness {
  keys: KeyPair;
  service: StorageRegionsService;
  url: string;
  counter: StatementCounter;
  clock: ManualClock;
  audit: Awaited<ReturnType<typeof startFakeService>>;
  /** Flip to false to make the fake audit service refuse every entry. */
  auditUp: { value: boolean };
  token(who: Viewer): Promise<string>;
  gql(who: Viewer | null, query: string, variables?: Record<string, unknown>): ReturnType<typeof postGraphQL>;
  close(): Promise<void>;
}

export async function startHarness(layout = DEFAULT_STORAGE_LAYOUT): Promise<Harness> {
  const auditUp = { value: true };
  const audit = await startFakeService({
    // Refusals go to the access audit (docs/decisions/0011).
    "POST /internal/audit/denials": (body) => ({ recorded: (body as { denials: unknown[] }).denials.length }),
    "POST /internal/audit/entries": () => {
      if (!auditUp.value) throw new Error("audit down");
      return { recorded: 1 };
    },
  });
  const served = await serveUnderTest({ start: new Date("2026-01-01T00:00:00Z"), standIns: [audit] }, ({ keys, clock, counter }) =>
    createStorageRegionsService({
      database: tempSqlite("storage-regions"),
      internalPublicKey: keys.publicKey,
      clock,
      layout: parseStorageLayout(layout),
      urls: { audit: audit.url },
      logger: counter,
    }),
  );
  const token = (who: Viewer) => internalToken(served.keys, who);
  return {
    ...served,
    audit,
    auditUp,
    token,
    gql: async (who, query, variables = {}) => postGraphQL(served.url, who ? await token(who) : null, query, variables),
  };
}

/** The first error's code and message, or undefined when the call succeeded. */
export function firstError(body: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) {
  const error = body.errors?.[0];
  return error ? { code: error.extensions?.code, message: error.message } : undefined;
}

/** The platform operator, who onboards tenants. */
export const operator = viewer("operator");

/** Creates a tenant as an operator, failing the test if that does not work. */
export async function createTenant(h: Harness, name: string, storageRegion = "EUROPE") {
  const response = await h.gql(operator, CREATE, { input: { name, storageRegion } });
  expect(response.body.errors).toBeUndefined();
  return response.body.data?.createTenant as { id: string; name: string; storageRegion: string };
}

/** The calls the fake audit service received, oldest first. */
export const auditCalls = (h: Harness) => h.audit.calls.filter((call) => call.route === "POST /internal/audit/entries");

export const tenantRepo = (h: Harness) => h.service.db.getRepository(Tenant);

/** A tenant as `createTenant` answers it. */
export type CreatedTenant = Awaited<ReturnType<typeof createTenant>>;

/**
 * The start most suites share: a harness with two tenants in different regions, Contoso in
 * EUROPE (`tenantA`) and Fabrikam in NORTH_AMERICA (`tenantB`).
 */
async function startWithTwoTenants(): Promise<TwoTenants> {
  const h = await startHarness();
  return { h, tenantA: await createTenant(h, "Contoso", "EUROPE"), tenantB: await createTenant(h, "Fabrikam", "NORTH_AMERICA") };
}

/** A started harness and its two tenants. */
export interface TwoTenants {
  h: Harness;
  tenantA: CreatedTenant;
  tenantB: CreatedTenant;
}

/**
 * Starts `startWithTwoTenants` before the enclosing block's tests (handing it to `take`)
 * and closes it after them.
 */
export function withTwoTenants(take: (started: TwoTenants) => void): void {
  let started: TwoTenants | undefined;
  beforeAll(async () => {
    started = await startWithTwoTenants();
    take(started);
  });
  afterAll(() => started?.h.close());
}

/**
 * Counts the tenants and the audit entries now; the check it returns asserts that neither
 * changed since (a refused call writes nothing, not even an audit entry).
 */
export async function expectNoWrites(h: Harness): Promise<() => Promise<void>> {
  const rows = await tenantRepo(h).count();
  const audits = auditCalls(h).length;
  return async () => {
    expect(await tenantRepo(h).count()).toBe(rows);
    expect(auditCalls(h)).toHaveLength(audits);
  };
}
