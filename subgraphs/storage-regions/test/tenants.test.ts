/**
 * Scenario: an operator onboards tenants, and every role reads the tenant directory through
 * the gateway, with the audit service stood in for. Tenant-scoped roles see only their own
 * tenant; bad input is refused with a code and changes nothing.
 */
import { randomUUID } from "node:crypto";
import { viewer } from "@dgg/common/testkit";
import { auditCalls, CREATE, createTenant, expectNoWrites, firstError, READ, operator, withTwoTenants, tenantRepo } from "./harness";
import type { CreatedTenant, Harness } from "./harness";

describe("storage-regions tenants", () => {
  let h: Harness, tenantA: CreatedTenant, tenantB: CreatedTenant;
  withTwoTenants((started) => ({ h, tenantA, tenantB } = started));

  /** Creates `input` as the operator and expects the refusal `code`, its message containing `text`, and no write; returns the answer. */
  async function expectCreateRefused(input: { name: string; storageRegion: string }, code: string, text: string) {
    const writesNothing = await expectNoWrites(h);
    const response = await h.gql(operator, CREATE, { input });
    expect(firstError(response.body)?.code).toBe(code);
    expect(firstError(response.body)?.message).toContain(text);
    await writesNothing();
    return response;
  }

  it("lets an operator create a tenant, trimming the name and recording the audit entry", async () => {
    const before = auditCalls(h).length;
    const created = await createTenant(h, "  Northwind Traders  ", "ASIA_PACIFIC");
    expect(created).toMatchObject({ name: "Northwind Traders", storageRegion: "ASIA_PACIFIC" });
    const row = await tenantRepo(h).findOneByOrFail({ id: created.id });
    expect(row.createdAt.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(row.updatedAt.getTime()).toBe(row.createdAt.getTime());
    const calls = auditCalls(h).slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toEqual({
      entries: [
        { tenantId: created.id, action: "TENANT_CREATED", details: { name: "Northwind Traders", storageRegion: "ASIA_PACIFIC" } },
      ],
    });
    // The caller's identity is forwarded, so the audit service records the operator as actor.
    expect(calls[0]!.token).toBeDefined();
  });

  it("refuses tenant creation by a tenant admin with FORBIDDEN and writes nothing", async () => {
    const writesNothing = await expectNoWrites(h);
    const response = await h.gql(viewer("tenant-admin", { tenantId: tenantA.id }), CREATE, {
      input: { name: "Sneaky", storageRegion: "EUROPE" },
    });
    expect(firstError(response.body)).toMatchObject({ code: "FORBIDDEN" });
    expect(firstError(response.body)?.message).toContain("tenant-admin");
    await writesNothing();
  });

  it("refuses a duplicate name with CONFLICT naming it", async () => {
    await expectCreateRefused({ name: " Contoso ", storageRegion: "ASIA_PACIFIC" }, "CONFLICT", '"Contoso"');
  });

  it("answers CONFLICT when a concurrent create wins the race on the unique index", async () => {
    // The pre-check sees no "Contoso" (as if the other create had not committed yet); the index then refuses.
    const check = jest.spyOn(tenantRepo(h), "existsBy").mockResolvedValueOnce(false);
    try {
      const writesNothing = await expectNoWrites(h);
      const response = await h.gql(operator, CREATE, { input: { name: "Contoso", storageRegion: "EUROPE" } });
      expect(check).toHaveBeenCalled();
      expect(firstError(response.body)).toEqual({ code: "CONFLICT", message: 'a tenant named "Contoso" already exists' });
      await writesNothing();
    } finally {
      check.mockRestore();
    }
  });

  it.each([
    ["an empty name", "   ", "must not be empty"],
    ["an oversized name", "x".repeat(201), "at most 200 characters, got 201"],
  ])("refuses %s with BAD_USER_INPUT naming input.name and writes nothing", async (_case, name, text) => {
    const response = await expectCreateRefused({ name, storageRegion: "EUROPE" }, "BAD_USER_INPUT", text);
    expect(firstError(response.body)?.message).toContain("input.name");
    expect(response.body.errors?.[0]?.extensions?.argument).toBe("input.name");
  });

  it("accepts a name of exactly 200 characters", async () => {
    const created = await createTenant(h, "y".repeat(200));
    expect(created.name).toHaveLength(200);
  });

  it("rejects an unknown region with BAD_USER_INPUT naming the value", async () => {
    await expectCreateRefused({ name: "Mars Base", storageRegion: "MARS" }, "BAD_USER_INPUT", "MARS");
  });

  describe("tenant(id)", () => {
    it("shows tenant-scoped roles their own tenant", async () => {
      for (const role of ["tenant-admin", "data-subject", "ingest"] as const) {
        const who = viewer(role, { tenantId: tenantA.id, userId: randomUUID() });
        const response = await h.gql(who, READ, { id: tenantA.id });
        expect(response.body.errors).toBeUndefined();
        expect(response.body.data?.tenant).toEqual({ id: tenantA.id, name: "Contoso", storageRegion: "EUROPE" });
      }
    });

    it("refuses another tenant and an unknown one with the same FORBIDDEN", async () => {
      const adminA = viewer("tenant-admin", { tenantId: tenantA.id });
      const unknown = randomUUID();
      const other = await h.gql(adminA, READ, { id: tenantB.id });
      const missing = await h.gql(adminA, READ, { id: unknown });
      expect(firstError(other.body)?.code).toBe("FORBIDDEN");
      expect(firstError(missing.body)?.code).toBe("FORBIDDEN");
      expect(other.body.data?.tenant ?? null).toBeNull();
      // Same message with the asked-for id blanked out: nothing tells the two apart.
      expect(firstError(other.body)?.message.replace(tenantB.id, "<id>")).toBe(firstError(missing.body)?.message.replace(unknown, "<id>"));
      expect(firstError(other.body)?.message).toContain(tenantB.id);
      const ingest = await h.gql(viewer("ingest", { tenantId: tenantA.id }), READ, { id: tenantB.id });
      expect(firstError(ingest.body)?.code).toBe("FORBIDDEN");
    });

    it("lets an operator read any tenant, and says NOT_FOUND naming an unknown id", async () => {
      const found = await h.gql(operator, READ, { id: tenantB.id });
      expect(found.body.data?.tenant).toEqual({ id: tenantB.id, name: "Fabrikam", storageRegion: "NORTH_AMERICA" });
      const unknown = randomUUID();
      const missing = await h.gql(operator, READ, { id: unknown });
      expect(firstError(missing.body)?.code).toBe("NOT_FOUND");
      expect(firstError(missing.body)?.message).toContain(unknown);
    });

    it("refuses a malformed id with BAD_USER_INPUT naming it", async () => {
      const response = await h.gql(operator, READ, { id: "not-a-uuid" });
      expect(firstError(response.body)?.code).toBe("BAD_USER_INPUT");
      expect(firstError(response.body)?.message).toContain("not-a-uuid");
    });

    it("resolves Tenant references only where the viewer may see them", async () => {
      const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { id name storageRegion } } }`;
      const r = [
        { __typename: "Tenant", id: tenantA.id },
        { __typename: "Tenant", id: tenantB.id },
      ];
      const scoped = await h.gql(viewer("tenant-admin", { tenantId: tenantA.id }), query, { r });
      expect(scoped.body.errors).toBeUndefined();
      expect(scoped.body.data?._entities).toEqual([{ id: tenantA.id, name: "Contoso", storageRegion: "EUROPE" }, null]);
      const all = await h.gql(operator, query, { r });
      expect((all.body.data?._entities as { id: string }[]).map((t) => t.id)).toEqual([tenantA.id, tenantB.id]);
    });
  });

  it("creates no tenant and answers UNAVAILABLE when the audit trail is down", async () => {
    h.auditUp.value = false;
    try {
      const before = await tenantRepo(h).count();
      const response = await h.gql(operator, CREATE, { input: { name: "Lost Corp", storageRegion: "EUROPE" } });
      expect(firstError(response.body)?.code).toBe("UNAVAILABLE");
      expect(await tenantRepo(h).count()).toBe(before);
      expect(await tenantRepo(h).countBy({ name: "Lost Corp" })).toBe(0);
    } finally {
      h.auditUp.value = true;
    }
  });
});
