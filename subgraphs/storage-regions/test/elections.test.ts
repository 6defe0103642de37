/**
 * Scenario: a tenant administrator elects the region where the tenant's data lives, with
 * the audit service stood in for. Only the tenant's own administrator may; electing the
 * current region is a no-op; an election the audit trail cannot record does not happen.
 */
import { randomUUID } from "node:crypto";
import { AuditClient, Region } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { createStorageRegionsContext } from "../src/context";
import { TenantMove } from "../src/entities/tenant-move.entity";
import { electStorageRegion } from "../src/services/tenants.service";
import { DEFAULT_STORAGE_LAYOUT, parseStorageLayout } from "../src/storage-layout";
import { auditCalls, createTenant, ELECT, firstError, operator, withTwoTenants, tenantRepo } from "./harness";
import type { CreatedTenant, Harness } from "./harness";

describe("storage-regions electStorageRegion", () => {
  let h: Harness, tenantA: CreatedTenant, tenantB: CreatedTenant;
  withTwoTenants((started) => ({ h, tenantA, tenantB } = started));

  it("records the election with an audit entry, marks the tenant MOVING and records a durable move", async () => {
    const target = await createTenant(h, "Litware", "EUROPE");
    const admin = viewer("tenant-admin", { tenantId: target.id });
    const createdAt = (await tenantRepo(h).findOneByOrFail({ id: target.id })).updatedAt.getTime();
    h.clock.advance(60_000);
    const before = auditCalls(h).length;
    const response = await h.gql(admin, ELECT, { t: target.id, r: "ASIA_PACIFIC" });
    expect(response.body.errors).toBeUndefined();
    // The directory keeps the old region until the move has copied and verified the data.
    expect(response.body.data?.electStorageRegion).toEqual({ id: target.id, name: "Litware", storageRegion: "EUROPE" });
    const row = await tenantRepo(h).findOneByOrFail({ id: target.id });
    expect([row.storageRegion, row.state, row.movingTo]).toEqual(["EUROPE", "MOVING", "ASIA_PACIFIC"]);
    expect(row.updatedAt.getTime()).toBe(createdAt + 60_000);
    const move = await h.service.db.getRepository(TenantMove).findOneByOrFail({ tenantId: target.id });
    expect([move.fromRegion, move.toRegion, move.phase]).toEqual(["EUROPE", "ASIA_PACIFIC", "REQUESTED"]);
    expect(auditCalls(h).slice(before).map((call) => call.body)).toEqual([
      { entries: [{ tenantId: target.id, action: "STORAGE_REGION_ELECTED", details: { from: "EUROPE", to: "ASIA_PACIFIC", moveId: move.id } }] },
    ]);
    const again = await h.gql(admin, ELECT, { t: target.id, r: "NORTH_AMERICA" });
    expect(firstError(again.body)?.code).toBe("CONFLICT");
    expect(firstError(again.body)?.message).toContain("already moving");
  });

  it("returns the tenant unchanged and writes nothing when the region is already elected", async () => {
    const admin = viewer("tenant-admin", { tenantId: tenantB.id });
    const rowBefore = await tenantRepo(h).findOneByOrFail({ id: tenantB.id });
    h.clock.advance(60_000);
    const before = auditCalls(h).length;
    h.counter.reset();
    const response = await h.gql(admin, ELECT, { t: tenantB.id, r: "NORTH_AMERICA" });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.electStorageRegion).toEqual({ id: tenantB.id, name: "Fabrikam", storageRegion: "NORTH_AMERICA" });
    expect(auditCalls(h)).toHaveLength(before);
    expect(h.counter.statements.filter((sql) => /^\s*(UPDATE|INSERT|DELETE)/i.test(sql))).toEqual([]);
    expect((await tenantRepo(h).findOneByOrFail({ id: tenantB.id })).updatedAt.getTime()).toBe(rowBefore.updatedAt.getTime());
  });

  it("refuses every other viewer with FORBIDDEN and changes nothing", async () => {
    const unknown = randomUUID();
    const attempts = [
      { who: viewer("tenant-admin", { tenantId: tenantA.id }), id: tenantB.id },
      { who: viewer("tenant-admin", { tenantId: tenantA.id }), id: unknown },
      { who: operator, id: tenantB.id },
      { who: viewer("data-subject", { tenantId: tenantB.id, userId: randomUUID() }), id: tenantB.id },
      { who: viewer("ingest", { tenantId: tenantB.id }), id: tenantB.id },
    ];
    const before = auditCalls(h).length;
    for (const { who, id } of attempts) {
      const response = await h.gql(who, ELECT, { t: id, r: "EUROPE" });
      expect(firstError(response.body)?.code).toBe("FORBIDDEN");
      expect(firstError(response.body)?.message).toContain(`tenant ${id} is not accessible`);
    }
    expect((await tenantRepo(h).findOneByOrFail({ id: tenantB.id })).storageRegion).toBe("NORTH_AMERICA");
    expect(await tenantRepo(h).countBy({ id: unknown })).toBe(0);
    expect(auditCalls(h)).toHaveLength(before);
  });

  it("answers CONFLICT and records no move when another election landed since the read", async () => {
    const target = await createTenant(h, "Wingtip Toys", "EUROPE");
    const admin = viewer("tenant-admin", { tenantId: target.id });
    const ctx = createStorageRegionsContext(
      { db: h.service.db, clock: h.clock, audit: new AuditClient(h.audit.url), layout: parseStorageLayout(DEFAULT_STORAGE_LAYOUT), moveFreezeMs: 0 },
      admin,
      await h.token(admin),
    );
    const stale = await tenantRepo(h).findOneByOrFail({ id: target.id });
    await tenantRepo(h).update({ id: target.id }, { storageRegion: Region.NORTH_AMERICA });
    ctx.loaders.tenant.prime(target.id, stale);
    const before = auditCalls(h).length;
    await expect(electStorageRegion(ctx, target.id, Region.ASIA_PACIFIC)).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(target.id),
    });
    expect((await tenantRepo(h).findOneByOrFail({ id: target.id })).storageRegion).toBe("NORTH_AMERICA");
    expect(await h.service.db.getRepository(TenantMove).countBy({ tenantId: target.id })).toBe(0);
    // The election was audited as requested before the conditional write refused it.
    expect(auditCalls(h).length).toBe(before + 1);
  });

  it("refuses a malformed tenant id with BAD_USER_INPUT naming it", async () => {
    const response = await h.gql(viewer("tenant-admin", { tenantId: tenantA.id }), ELECT, { t: "tenant-1", r: "EUROPE" });
    expect(firstError(response.body)?.code).toBe("BAD_USER_INPUT");
    expect(firstError(response.body)?.message).toContain("tenant-1");
  });

  it("leaves the election unchanged and answers UNAVAILABLE when the audit trail is down", async () => {
    h.auditUp.value = false;
    try {
      const rowBefore = await tenantRepo(h).findOneByOrFail({ id: tenantA.id });
      h.clock.advance(60_000);
      const response = await h.gql(viewer("tenant-admin", { tenantId: tenantA.id }), ELECT, { t: tenantA.id, r: "ASIA_PACIFIC" });
      expect(firstError(response.body)?.code).toBe("UNAVAILABLE");
      const rowAfter = await tenantRepo(h).findOneByOrFail({ id: tenantA.id });
      expect(rowAfter.storageRegion).toBe("EUROPE");
      expect(rowAfter.updatedAt.getTime()).toBe(rowBefore.updatedAt.getTime());
    } finally {
      h.auditUp.value = true;
    }
  });
});
