/**
 * Scenario: a tenant's ingestion pipeline (or its admin) sends telemetry batches about the
 * tenant's users. A batch is taken whole or refused whole: bad input, unknown users, users
 * of other tenants and removed users are refused with a code and nothing is written.
 */
import { randomUUID } from "node:crypto";
import { DAY_MS, ManagementState } from "@dgg/common";
import { postGraphQL } from "@dgg/common/testkit";
import { event, START, withTelemetry } from "./harness";
import type { Harness } from "./harness";

const tenantA = randomUUID();
const tenantB = randomUUID();

type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;
const firstError = (errors: Errors) => errors?.[0];

describe("ingestTelemetry", () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let bella: string;
  let removed: string;

  withTelemetry((started) => {
    h = started;
    [alice, bob, bella, removed] = [h.addUser(tenantA), h.addUser(tenantA), h.addUser(tenantB), h.addUser(tenantA, ManagementState.REMOVED)];
  });

  /** Sends a batch that must be refused, and checks that nothing at all was written or audited. */
  async function refused(token: string, events: Record<string, unknown>[]) {
    const rowsBefore = await h.eventCount();
    const auditBefore = h.auditEntries().length;
    const response = await h.ingest(token, events);
    expect(response.body.data?.ingestTelemetry ?? null).toBeNull();
    expect(await h.eventCount()).toBe(rowsBefore);
    expect(h.auditEntries().length).toBe(auditBefore);
    return firstError(response.body.errors)!;
  }

  it("refuses a request without the internal identity", async () => {
    const response = await postGraphQL(h.url, null, `mutation { ingestTelemetry(events: []) { accepted } }`);
    expect(response.status).toBe(401);
    expect(firstError(response.body.errors)?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("stores a batch in the viewer's tenant and audits once per user, asking users with the caller's token", async () => {
    const token = await h.token("tenant-admin", { tenantId: tenantA });
    const lookupsBefore = h.fakes.calls.filter((call) => call.route === "POST /internal/users/lookup").length;
    const response = await h.ingest(token, [
      event(alice, { kind: "ERROR", payload: { code: 42, nested: { ok: true } } }),
      event(alice),
      event(bob, { kind: "PERFORMANCE_LOG" }),
    ]);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.ingestTelemetry).toEqual({ accepted: 3, rejected: [] });
    expect(await h.eventCount({ userId: alice, tenantId: tenantA })).toBe(2);
    expect(await h.eventCount({ userId: bob, tenantId: tenantA })).toBe(1);

    const lookups = h.fakes.calls.filter((call) => call.route === "POST /internal/users/lookup");
    expect(lookups.length).toBe(lookupsBefore + 1);
    expect(lookups[lookups.length - 1]).toMatchObject({ token, body: { ids: [alice, bob] } });
    expect(h.auditEntries().slice(-2)).toEqual([
      { tenantId: tenantA, action: "TELEMETRY_INGESTED", subjectUserId: alice, details: { events: 2 } },
      { tenantId: tenantA, action: "TELEMETRY_INGESTED", subjectUserId: bob, details: { events: 1 } },
    ]);
  });

  it("lets the ingest role ingest into its own tenant", async () => {
    const response = await h.ingest(await h.token("ingest", { tenantId: tenantB }), [event(bella)]);
    expect(response.body.data?.ingestTelemetry).toEqual({ accepted: 1, rejected: [] });
    expect(await h.eventCount({ userId: bella, tenantId: tenantB })).toBe(1);
  });

  it.each([
    ["data-subject", { tenantId: tenantA, userId: randomUUID() }],
    ["operator", {}],
    ["service", {}],
  ] as const)("refuses role %s with FORBIDDEN", async (role, options) => {
    const error = await refused(await h.token(role, options), [event(alice)]);
    expect(error.extensions?.code).toBe("FORBIDDEN");
    expect(error.message).toContain(role);
  });

  it("accepts a batch of 10,000 events in one call", async () => {
    const before = await h.eventCount({ userId: alice });
    const events = Array.from({ length: 10_000 }, (_, i) => event(i % 2 === 0 ? alice : bob, { payload: { i } }));
    h.counter.reset();
    const response = await h.ingest(await h.token("ingest", { tenantId: tenantA }), events);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.ingestTelemetry).toEqual({ accepted: 10_000, rejected: [] });
    // One transaction, INSERT_CHUNK (500) rows per statement.
    expect(h.counter.statements.filter((sql) => /^(BEGIN|START TRANSACTION)/i.test(sql))).toHaveLength(1);
    expect(h.counter.statements.filter((sql) => /^INSERT/i.test(sql))).toHaveLength(20);
    expect(await h.eventCount({ userId: alice })).toBe(before + 5_000);
    expect(h.auditEntries().slice(-2).map((entry) => entry.details)).toEqual([{ events: 5_000 }, { events: 5_000 }]);
  });

  it("refuses 10,001 events and an empty batch with BAD_USER_INPUT naming the count", async () => {
    const token = await h.token("ingest", { tenantId: tenantA });
    const tooMany = await refused(token, Array.from({ length: 10_001 }, () => event(alice)));
    expect(tooMany.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "events" });
    expect(tooMany.message).toContain("10001");
    const empty = await refused(token, []);
    expect(empty.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "events" });
    expect(empty.message).toContain("got 0");
  });

  it("refuses a malformed user id, naming its path and value", async () => {
    const error = await refused(await h.token("tenant-admin", { tenantId: tenantA }), [event(alice), event("user-7")]);
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "events[1].userId" });
    expect(error.message).toContain("user-7");
  });

  it("accepts an event 5 minutes ahead of the clock and refuses one a millisecond further", async () => {
    const token = await h.token("tenant-admin", { tenantId: tenantA });
    const edge = new Date(START.getTime() + 5 * 60_000);
    const accepted = await h.ingest(token, [event(alice, { occurredAt: edge.toISOString() })]);
    expect(accepted.body.data?.ingestTelemetry).toEqual({ accepted: 1, rejected: [] });

    const future = new Date(edge.getTime() + 1).toISOString();
    const error = await refused(token, [event(alice), event(alice), event(alice), event(alice, { occurredAt: future })]);
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "events[3].occurredAt" });
    expect(error.message).toContain(future);
  });

  it("accepts an event exactly 30 days old and refuses one a millisecond older: it would be past its retention period", async () => {
    const token = await h.token("ingest", { tenantId: tenantA });
    const edge = new Date(START.getTime() - 30 * DAY_MS);
    const accepted = await h.ingest(token, [event(alice, { occurredAt: edge.toISOString() })]);
    expect(accepted.body.data?.ingestTelemetry).toEqual({ accepted: 1, rejected: [] });

    const expired = new Date(edge.getTime() - 1).toISOString();
    const before = await h.eventCount({});
    const error = await refused(token, [event(alice), event(alice, { occurredAt: expired })]);
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "events[1].occurredAt" });
    expect(error.message).toContain(expired);
    expect(error.message).toContain("30-day retention");
    // The whole batch is refused: the valid first event was not written either.
    expect(await h.eventCount({})).toBe(before);
  });

  it("refuses a payload over 16 KB serialized", async () => {
    const token = await h.token("tenant-admin", { tenantId: tenantA });
    const error = await refused(token, [event(alice, { payload: { blob: "x".repeat(16 * 1024) } })]);
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "events[0].payload" });
    expect(error.message).toMatch(/got \d+/);
    expect(error.message).toContain("xxxx");
  });

  it("refuses an unknown user and another tenant's user alike with NOT_FOUND", async () => {
    const token = await h.token("tenant-admin", { tenantId: tenantA });
    const stranger = randomUUID();
    const unknown = await refused(token, [event(alice), event(stranger)]);
    expect(unknown.extensions?.code).toBe("NOT_FOUND");
    expect(unknown.message).toBe(`user ${stranger} not found in tenant ${tenantA}`);

    const otherTenant = await refused(token, [event(alice), event(bella)]);
    expect(otherTenant.extensions?.code).toBe("NOT_FOUND");
    expect(otherTenant.message).toBe(`user ${bella} not found in tenant ${tenantA}`);
  });

  it("refuses a user removed from management with CONFLICT", async () => {
    const error = await refused(await h.token("tenant-admin", { tenantId: tenantA }), [event(alice), event(removed)]);
    expect(error.extensions?.code).toBe("CONFLICT");
    expect(error.message).toContain(removed);
  });

  it("undoes the whole batch when the audit trail is down", async () => {
    const before = await h.eventCount();
    h.audit.up = false;
    try {
      const events = Array.from({ length: 1_200 }, () => event(alice));
      const response = await h.ingest(await h.token("tenant-admin", { tenantId: tenantA }), events);
      expect(firstError(response.body.errors)?.extensions?.code).toBe("UNAVAILABLE");
      expect(await h.eventCount()).toBe(before);
    } finally {
      h.audit.up = true;
    }
  });
});
