/** Starts one storage-regions service on a throwaway SQLite file, with the audit service stood in for. */
import { listen, ManualClock, StatementCounter } from "@dgg/common";
import type { Viewer } from "@dgg/common";
import { generateTestKeyPair, internalToken, postGraphQL, startFakeService, tempSqlite, viewer } from "@dgg/common/testkit";
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
  const keys = await generateTestKeyPair();
  const auditUp = { value: true };
  const audit = await startFakeService({
    // Refusals go to the access audit (docs/decisions/0011).
    "POST /internal/audit/denials": (body) => ({ recorded: (body as { denials: unknown[] }).denials.length }),
    "POST /internal/audit/entries": () => {
      if (!auditUp.value) throw new Error("audit down");
      return { recorded: 1 };
    },
  });
  const counter = new StatementCounter();
  const clock = new ManualClock(new Date("2026-01-01T00:00:00Z"));
  const service = await createStorageRegionsService({
    database: tempSqlite("storage-regions"),
    internalPublicKey: keys.publicKey,
    clock,
    layout: parseStorageLayout(layout),
    urls: { audit: audit.url },
    logger: counter,
  });
  const server = await listen(service.app, 0);
  const token = (who: Viewer) => internalToken(keys, who);
  return {
    keys,
    service,
    url: server.url,
    counter,
    clock,
    audit,
    auditUp,
    token,
    gql: async (who, query, variables = {}) => postGraphQL(server.url, who ? await token(who) : null, query, variables),
    close: async () => {
      await server.close();
      await service.stop();
      await audit.close();
    },
  };
}

/** The first error's code and message, or undefined when the call succeeded. */
export function firstError(body: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) {
  const error = body.errors?.[0];
  return error ? { code: error.extensions?.code, message: error.message } : undefined;
}

/** Creates a tenant as an operator, failing the test if that does not work. */
export async function createTenant(h: Harness, name: string, storageRegion = "EUROPE") {
  const response = await h.gql(viewer("operator"), CREATE, { input: { name, storageRegion } });
  expect(response.body.errors).toBeUndefined();
  return response.body.data?.createTenant as { id: string; name: string; storageRegion: string };
}

/** The calls the fake audit service received, oldest first. */
export const auditCalls = (h: Harness) => h.audit.calls.filter((call) => call.route === "POST /internal/audit/entries");

export const tenantRepo = (h: Harness) => h.service.db.getRepository(Tenant);
