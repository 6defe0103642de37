/**
 * Scenario: subgraphs and governance append to the audit trail through the internal
 * route, each with its caller's forwarded identity. The recorded actor is always that
 * identity, tenant-scoped writers stay in their tenant, and bad input writes nothing.
 */
import { randomUUID } from "node:crypto";
import { INSERT_CHUNK } from "@dgg/common";
import { TEST_REGION, generateTestKeyPair, internalToken, viewer } from "@dgg/common/testkit";
import { AuditLogEntry } from "../src/entities/audit-log-entry.entity";
import { START, startAudit } from "./harness";
import type { AuditHarness } from "./harness";

const tenantA: string = randomUUID();
const tenantB: string = randomUUID();

describe("audit: appending entries", () => {
  let h: AuditHarness;
  beforeAll(async () => {
    h = await startAudit();
  });
  afterAll(() => h.close());

  const entries = () => h.service.stores.get(TEST_REGION).getRepository(AuditLogEntry);

  it("records the token's subject and role as the actor, ignoring an actor in the body", async () => {
    const admin = viewer("tenant-admin", { tenantId: tenantA, subject: "admin:alice" });
    const subject = randomUUID();
    const response = await h.call("POST", "/audit/entries", await h.token(admin), {
      entries: [
        { tenantId: tenantA, action: "USER_CREATED", subjectUserId: subject, details: { upn: "ada@contoso.com" }, actor: "someone-else" },
        { tenantId: tenantA, action: "DEVICE_ENROLLED", actor: "service:governance", actorRole: "service" },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ recorded: 2 });
    const rows = await entries().find({ where: { tenantId: tenantA }, order: { action: "DESC" } });
    expect(rows.map((row) => [row.action, row.actor, row.actorRole])).toEqual([
      ["USER_CREATED", "admin:alice", "tenant-admin"],
      ["DEVICE_ENROLLED", "admin:alice", "tenant-admin"],
    ]);
    expect(rows[0]).toMatchObject({ subjectUserId: subject, details: { upn: "ada@contoso.com" }, occurredAt: START });
    expect(rows[1]).toMatchObject({ subjectUserId: null, details: null });
  });

  it("lets any valid identity append: a data subject in its tenant, the operator and the service anywhere", async () => {
    const userId = randomUUID();
    await h.append(viewer("data-subject", { tenantId: tenantB, userId }), [{ tenantId: tenantB, action: "PERSONAL_DATA_READ", subjectUserId: userId }]);
    await h.append(viewer("operator", { subject: "operator:olga" }), [{ tenantId: tenantA, action: "TENANT_INSPECTED" }]);
    await h.append(viewer("service", { subject: "service:governance" }), [{ tenantId: tenantB, action: "PROCESSING_RESTRICTED" }]);
    const actors = (await entries().find({ where: [{ action: "PERSONAL_DATA_READ" }, { action: "TENANT_INSPECTED" }, { action: "PROCESSING_RESTRICTED" }] }))
      .map((row) => `${row.action}:${row.actor}:${row.actorRole}`)
      .sort();
    expect(actors).toEqual([
      `PERSONAL_DATA_READ:${userId}:data-subject`,
      "PROCESSING_RESTRICTED:service:governance:service",
      "TENANT_INSPECTED:operator:olga:operator",
    ]);
  });

  it("refuses a tenant-scoped writer's entry for another tenant with FORBIDDEN and writes none of the batch", async () => {
    const before = await h.dataRowCount();
    const deniedBefore = await h.deniedCount();
    for (const role of ["tenant-admin", "ingest"] as const) {
      const response = await h.call("POST", "/audit/entries", await h.token(viewer(role, { tenantId: tenantA })), {
        entries: [
          { tenantId: tenantA, action: "FINE" },
          { tenantId: tenantB, action: "SNEAKY" },
        ],
      });
      expect(response.status).toBe(403);
      expect(response.body.error?.code).toBe("FORBIDDEN");
      expect(response.body.error?.message).toContain(tenantB);
      expect(response.body.error?.message).toContain("entries[1]");
    }
    expect(await h.dataRowCount()).toBe(before);
    // Each refusal is on the access audit: the writer's own tenant and the tenant it tried to write into.
    expect(await h.deniedCount()).toBe(deniedBefore + 4);
  });

  const big = { blob: "x".repeat(16 * 1024) };
  const badCases: [string, unknown, string][] = [
    ["a tenantId that is not a UUID", { entries: [{ tenantId: tenantA, action: "OK" }, { tenantId: "tenant-42", action: "OK" }] }, 'entries[1].tenantId must be a UUID, got "tenant-42"'],
    ["a missing tenantId", { entries: [{ action: "OK" }] }, "entries[0].tenantId"],
    ["a lower-case action", { entries: [{ tenantId: tenantA, action: "user_created" }] }, '"user_created"'],
    ["a one-letter action", { entries: [{ tenantId: tenantA, action: "A" }] }, 'entries[0].action must match ^[A-Z][A-Z0-9_]{1,63}$, got "A"'],
    ["a 65-character action", { entries: [{ tenantId: tenantA, action: "A".repeat(65) }] }, "entries[0].action"],
    ["a 65-character subjectUserId", { entries: [{ tenantId: tenantA, action: "OK", subjectUserId: "u".repeat(65) }] }, "entries[0].subjectUserId"],
    ["a numeric subjectUserId", { entries: [{ tenantId: tenantA, action: "OK", subjectUserId: 42 }] }, 'entries[0].subjectUserId must be null or 1..64 characters, got "42"'],
    ["details that are a list", { entries: [{ tenantId: tenantA, action: "OK", details: ["a"] }] }, 'entries[0].details must be null or a JSON object, got "[\\"a\\"]"'],
    ["details that are a string", { entries: [{ tenantId: tenantA, action: "OK", details: "note" }] }, '"note"'],
    ["details over 16 KB", { entries: [{ tenantId: tenantA, action: "OK", details: big }] }, "entries[0].details must be at most 16384 bytes"],
    ["an entry that is not an object", { entries: [{ tenantId: tenantA, action: "OK" }, "USER_CREATED"] }, 'entries[1] must be an object, got "USER_CREATED"'],
    ["no entries", { entries: [] }, "entries must hold 1..10000 entries, got 0"],
    ["10,001 entries", { entries: Array.from({ length: 10_001 }, () => ({ tenantId: tenantA, action: "OK" })) }, "got 10001"],
    ["a body without entries", { entry: { tenantId: tenantA, action: "OK" } }, 'entries must be a list, got "undefined"'],
  ];

  it.each(badCases)("rejects %s with BAD_USER_INPUT naming the value, writing nothing", async (_case, body, message) => {
    const before = await h.rowCount();
    const response = await h.call("POST", "/audit/entries", await h.token(viewer("service")), body);
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe("BAD_USER_INPUT");
    expect(response.body.error?.message).toContain(message);
    expect(await h.rowCount()).toBe(before);
  });

  it("refuses a request without an identity, or with one signed by another key, and writes nothing", async () => {
    const before = await h.rowCount();
    const body = { entries: [{ tenantId: tenantA, action: "FORGED" }] };
    const anonymous = await h.call("POST", "/audit/entries", null, body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe("UNAUTHENTICATED");
    const stranger = await generateTestKeyPair();
    const forged = await h.call("POST", "/audit/entries", await internalToken(stranger, viewer("service"), h.clock.now()), body);
    expect(forged.status).toBe(401);
    expect(await h.rowCount()).toBe(before);
  });

  it("inserts a large batch in chunks of INSERT_CHUNK rows, all at the clock's time", async () => {
    h.clock.advance(60_000);
    const total = INSERT_CHUNK * 2 + 7;
    const token = await h.token(viewer("ingest", { tenantId: tenantB }));
    h.counter.reset();
    const response = await h.call("POST", "/audit/entries", token, {
      entries: Array.from({ length: total }, (_, i) => ({ tenantId: tenantB, action: "EVENT_INGESTED", details: { i } })),
    });
    expect(response.body).toEqual({ recorded: total });
    expect(h.counter.statements.filter((sql) => /^\s*INSERT/i.test(sql))).toHaveLength(3);
    expect(await entries().countBy({ action: "EVENT_INGESTED", occurredAt: h.clock.now() })).toBe(total);
  });
});
