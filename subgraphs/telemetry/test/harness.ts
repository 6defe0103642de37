/**
 * Shared set-up for the telemetry tests: the subgraph on a fresh SQLite file and a
 * ManualClock, with the audit and users neighbours stood in for. The users stand-in
 * answers lookups like the real one: only users of the caller's tenant come back.
 */
import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { ManagementState } from "@dgg/common";
import type { ManualClock, StatementCounter } from "@dgg/common";
import type { AuditRecordInput, DatabaseConfig, Region, Role } from "@dgg/common";
import { fakeTenantDirectory, internalToken, postGraphQL, serveUnderTest, startFakeService, tempRegionalSqlite, TEST_REGION, viewer } from "@dgg/common/testkit";
import type { KeyPair } from "@dgg/common/testkit";
import { createTelemetryService } from "../src/server";
import type { TelemetryService } from "../src/server";
import { TelemetryEvent } from "../src/entities/telemetry-event.entity";

export const START = new Date("2026-06-01T12:00:00.000Z");

export interface FakeUser {
  id: string;
  tenantId: string;
  managementState: ManagementState;
}

export interface Harness {
  keys: KeyPair;
  service: TelemetryService;
  url: string;
  clock: ManualClock;
  counter: StatementCounter;
  fakes: Awaited<ReturnType<typeof startFakeService>>;
  /** The users the stand-in users subgraph knows. */
  users: Map<string, FakeUser>;
  /** Set false to make the audit stand-in fail. */
  audit: { up: boolean };
  auditEntries(): AuditRecordInput[];
  addUser(tenantId: string, state?: ManagementState): string;
  token(role: Role, options?: { tenantId?: string; userId?: string }): Promise<string>;
  ingest(token: string, events: Record<string, unknown>[]): ReturnType<typeof postGraphQL>;
  eventCount(where?: Partial<Pick<TelemetryEvent, "userId" | "tenantId">>): Promise<number>;
  close(): Promise<void>;
}

/** Options of `startTelemetry`: the stores (default fresh SQLite files) and the statement log. */
export interface HarnessOptions {
  /** E.g. a PostgreSQL database for TEST_REGION beside SQLite files for the other regions. */
  databases?: Record<Region, DatabaseConfig>;
  counter?: StatementCounter;
}

export async function startTelemetry(options: HarnessOptions = {}): Promise<Harness> {
  const users = new Map<string, FakeUser>();
  const audit = { up: true };
  const entries: AuditRecordInput[] = [];
  const fakes: Harness["fakes"] = await startFakeService({
    // Refusals go to the access audit (docs/decisions/0011).
    "POST /internal/audit/denials": (body) => ({ recorded: (body as { denials: unknown[] }).denials.length }),
    ...fakeTenantDirectory,
    "POST /internal/audit/entries": (body) => {
      if (!audit.up) throw new Error("audit down");
      const batch = (body as { entries: AuditRecordInput[] }).entries;
      entries.push(...batch);
      return { recorded: batch.length };
    },
    "POST /internal/users/lookup": (body) => {
      // The stand-in records the call before answering, so the last call carries the caller's token.
      const tenantId = decodeJwt(fakes.calls[fakes.calls.length - 1]!.token!).tid;
      const ids = (body as { ids: string[] }).ids;
      return { users: ids.map((id) => users.get(id)).filter((user) => user !== undefined && user.tenantId === tenantId) };
    },
  });
  const served = await serveUnderTest({ start: START, counter: options.counter, standIns: [fakes] }, ({ keys, clock, counter }) =>
    createTelemetryService({
      databases: options.databases ?? tempRegionalSqlite("telemetry"),
      platformRegion: TEST_REGION,
      internalPublicKey: keys.publicKey,
      clock,
      urls: { audit: fakes.url, users: fakes.url, storageRegions: fakes.url },
      logger: counter,
    }),
  );
  const { keys, clock, service, url } = served;
  const mutation = `mutation($events: [TelemetryEventInput!]!) { ingestTelemetry(events: $events) { accepted rejected { index userId code message } } }`;
  return {
    ...served,
    fakes,
    users,
    audit,
    auditEntries: () => entries,
    addUser(tenantId, state = ManagementState.MANAGED) {
      const id = randomUUID();
      users.set(id, { id, tenantId, managementState: state });
      return id;
    },
    token: (role, options = {}) => internalToken(keys, viewer(role, options), clock.now()),
    ingest: (token, events) => postGraphQL(url, token, mutation, { events }),
    eventCount: (where = {}) => service.stores.get(TEST_REGION).getRepository(TelemetryEvent).countBy(where),
  };
}

/** An event input at `occurredAt` (default: the clock's start), kind SERVICE_LOG unless told. */
export function event(userId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { userId, kind: "SERVICE_LOG", occurredAt: START.toISOString(), payload: { message: "ok" }, ...overrides };
}

/**
 * Starts the harness (on `options()`) before the enclosing block's tests, hands it to
 * `setUp` to keep and seed, and closes it after them.
 */
export function withTelemetry(setUp: (h: Harness) => void | Promise<void>, options: () => Promise<HarnessOptions> = () => Promise.resolve({})): void {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startTelemetry(await options());
    await setUp(started);
  });
  afterAll(() => started?.close());
}
