/**
 * Scenario: governance freezes a user (GDPR Art. 18) and collects identifiers before an
 * erasure. The audit trail keeps no freezes (its entries record processing, which must go
 * on, and are pseudonymised at erasure) and holds no clear-text identifiers; its erase
 * takes the identifiers list beside the pseudonym. The retention clock is asked with a body.
 */
import { randomUUID } from "node:crypto";
import { viewer } from "@dgg/common/testkit";
import { START, startAudit } from "./harness";
import type { AuditHarness } from "./harness";

const tenant: string = randomUUID();
const governance = viewer("service", { subject: "service:governance" });

describe("audit: freezes, identifiers and the oldest entry", () => {
  let h: AuditHarness;
  const userId: string = randomUUID();

  beforeAll(async () => {
    h = await startAudit();
    await h.append(governance, [{ tenantId: tenant, action: "USER_CREATED", subjectUserId: userId }]);
  });
  afterAll(() => h.close());

  it("answers frozen: false to freeze and unfreeze, and keeps appending entries about the user", async () => {
    const token = await h.token(governance);
    const requestId = randomUUID();
    expect((await h.call("POST", `/personal-data/${userId}/freeze`, token, { tenantId: tenant, requestId })).body).toEqual({ frozen: false });
    await h.append(governance, [{ tenantId: tenant, action: "PERSONAL_DATA_READ", subjectUserId: userId }]);
    expect((await h.call("GET", `/personal-data/${userId}?tenantId=${tenant}`, token)).body).toMatchObject({ categories: [{ records: 2 }] });
    expect((await h.call("POST", `/personal-data/${userId}/unfreeze`, token, { tenantId: tenant, requestId })).body).toEqual({ frozen: false });
    const bad = await h.call("POST", `/personal-data/${userId}/freeze`, token, { tenantId: tenant });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "BAD_USER_INPUT", message: expect.stringContaining("requestId") } });
  });

  it("holds no identifiers, and erases with an identifiers list (a malformed one is BAD_USER_INPUT)", async () => {
    const token = await h.token(governance);
    expect((await h.call("GET", `/personal-data/${userId}/identifiers?tenantId=${tenant}`, token)).body).toEqual({ identifiers: [] });
    const malformed = await h.call("POST", `/personal-data/${userId}/erase`, token, { pseudonym: `pseudonym:${randomUUID()}`, tenantId: tenant, identifiers: [42] });
    expect(malformed.body).toMatchObject({ error: { code: "BAD_USER_INPUT", message: expect.stringContaining("identifiers[0]") } });
    const erased = await h.call("POST", `/personal-data/${userId}/erase`, token, {
      pseudonym: `pseudonym:${randomUUID()}`,
      tenantId: tenant,
      identifiers: ["ada@contoso.com", "SN-1"],
    });
    expect(erased.body).toEqual({ erased: [{ category: "AUDIT_LOG", count: 2 }] });
  });

  it("takes the oldest-entry question as a POST body, with hundreds of excluded ids", async () => {
    const token = await h.token(governance);
    const exclude = Array.from({ length: 600 }, () => randomUUID());
    const answer = await h.call("POST", "/retention/oldest", token, { tenantId: tenant, exclude });
    expect(answer.body).toEqual({ oldest: [{ category: "AUDIT_LOG", oldestAt: START.toISOString() }] });
    const all = await h.call("POST", "/retention/oldest", token, {});
    expect(all.status).toBe(200);
    const bad = await h.call("POST", "/retention/oldest", token, { exclude: ["nope"] });
    expect(bad.body).toMatchObject({ error: { code: "BAD_USER_INPUT", message: expect.stringContaining("exclude[0]") } });
  });
});
