/**
 * Scenario: the move records as governance's mover and an operator use them. The claim is
 * renewed only by its holder, every record is fenced on the claim and the phase, and a
 * cancel before the switch stops the mover's next checkpoint and ends with the tenant
 * ACTIVE in its old region. residencyMove and cancelResidencyMove are open to operators and
 * the tenant's own administrators only.
 */
import { randomUUID } from "node:crypto";
import { INTERNAL_TOKEN_HEADER } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { TenantMove } from "../src/entities/tenant-move.entity";
import { createTenant, ELECT, firstError, operator, startHarness, tenantRepo } from "./harness";
import type { Harness } from "./harness";

const MOVE = `query($t: ID!) { residencyMove(tenantId: $t) { id phase fromRegion toRegion progress { store stage copied total } } }`;
/** The data of a GraphQL answer, loosely typed for assertions. */
const data = (response: { body: { data?: unknown } }) => response.body.data as Record<string, any>;
const CANCEL = `mutation($t: ID!) { cancelResidencyMove(tenantId: $t) { id phase } }`;

describe("storage-regions move records, progress and cancel", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(() => h.close());

  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${h.url}/internal${path}`, {
      method: "POST",
      headers: { [INTERNAL_TOKEN_HEADER]: await h.token(viewer("service")), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  async function movingTenant(name: string) {
    const tenant = await createTenant(h, `${name} ${randomUUID().slice(0, 6)}`, "EUROPE");
    const admin = viewer("tenant-admin", { tenantId: tenant.id });
    expect((await h.gql(admin, ELECT, { t: tenant.id, r: "ASIA_PACIFIC" })).body.errors).toBeUndefined();
    const move = await h.service.db.getRepository(TenantMove).findOneByOrFail({ tenantId: tenant.id });
    return { tenant, admin, move };
  }

  const progress = { telemetry: { stage: "COPYING", total: 100, copied: 50, verified: 0, tables: 3, table: 0, after: "x", sourceChain: "", targetChain: "", rows: 0, checksum: "" } };

  it("renews and records only for the holder of the claim; another replica is refused and learns it", async () => {
    const { tenant, move } = await movingTenant("Leased");
    expect((await call(`/moves/${move.id}/claim`, { owner: "a", leaseMs: 60_000 })).body.move.claimedBy).toBe("a");
    expect((await call(`/moves/${move.id}/claim`, { owner: "b", leaseMs: 60_000 })).body.move).toBeNull();
    expect((await call(`/moves/${move.id}/renew`, { owner: "b", leaseMs: 60_000 })).body).toEqual({ held: false });
    expect((await call(`/moves/${move.id}/renew`, { owner: "a", leaseMs: 60_000 })).body).toEqual({ held: true });
    const refused = await call(`/moves/${move.id}/progress`, { owner: "b", phase: "REQUESTED", progress });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("claimed by a, not REQUESTED for b");
    expect((await call(`/moves/${move.id}/progress`, { owner: "a", phase: "REQUESTED", progress })).status).toBe(200);
    // A switch before the verified copy is refused, and changes nothing.
    expect((await call(`/moves/${move.id}/switch`, { owner: "a" })).status).toBe(409);
    expect(await tenantRepo(h).findOneByOrFail({ id: tenant.id })).toMatchObject({ state: "MOVING", storageRegion: "EUROPE" });

    const shown = await h.gql(operator, MOVE, { t: tenant.id });
    expect(data(shown).residencyMove).toMatchObject({ phase: "REQUESTED", fromRegion: "EUROPE", toRegion: "ASIA_PACIFIC" });
    expect(data(shown).residencyMove.progress).toEqual([
      { store: "users", stage: "PENDING", copied: 0, total: 0 },
      { store: "telemetry", stage: "COPYING", copied: 50, total: 100 },
      { store: "audit", stage: "PENDING", copied: 0, total: 0 },
      { store: "blobs", stage: "PENDING", copied: 0, total: 0 },
    ]);
  });

  it("cancels before the switch: the mover's next checkpoint is refused, its roll-back makes the tenant ACTIVE where it was", async () => {
    const { tenant, admin, move } = await movingTenant("Cancelled");
    await call(`/moves/${move.id}/claim`, { owner: "a", leaseMs: 60_000 });
    const cancelled = await h.gql(admin, CANCEL, { t: tenant.id });
    expect(data(cancelled).cancelResidencyMove).toEqual({ id: move.id, phase: "CANCELLING" });
    // Idempotent: a second cancel answers the same move.
    expect(data((await h.gql(operator, CANCEL, { t: tenant.id }))).cancelResidencyMove.phase).toBe("CANCELLING");
    expect((await call(`/moves/${move.id}/progress`, { owner: "a", phase: "REQUESTED", progress })).status).toBe(409);
    expect((await call(`/moves/${move.id}/phase`, { owner: "a", phase: "COPIED" })).status).toBe(409);
    expect((await call(`/moves/${move.id}/roll-back`, { owner: "b" })).status).toBe(409);
    expect((await call(`/moves/${move.id}/roll-back`, { owner: "a" })).body.move.phase).toBe("ROLLED_BACK");
    expect(await tenantRepo(h).findOneByOrFail({ id: tenant.id })).toMatchObject({ state: "ACTIVE", storageRegion: "EUROPE", movingTo: null });
    expect((await call(`/moves/${move.id}/phase`, { owner: "a", phase: "CANCELLED" })).body.move).toMatchObject({ phase: "CANCELLED", cancelledBy: expect.any(String) });
    // Open again to a new election.
    expect((await h.gql(admin, ELECT, { t: tenant.id, r: "NORTH_AMERICA" })).body.errors).toBeUndefined();
  });

  it("refuses a cancel after the switch with CONFLICT, and one with no move with NOT_FOUND", async () => {
    const { tenant, admin, move } = await movingTenant("Switched");
    await call(`/moves/${move.id}/claim`, { owner: "a", leaseMs: 60_000 });
    expect((await call(`/moves/${move.id}/phase`, { owner: "a", phase: "COPIED", progress })).status).toBe(200);
    expect((await call(`/moves/${move.id}/switch`, { owner: "a" })).body.move.phase).toBe("SWITCHED");
    const late = firstError((await h.gql(admin, CANCEL, { t: tenant.id })).body);
    expect(late?.code).toBe("CONFLICT");
    expect(late?.message).toContain("SWITCHED");
    const never = await createTenant(h, `Still ${randomUUID().slice(0, 6)}`, "EUROPE");
    expect(firstError((await h.gql(operator, CANCEL, { t: never.id })).body)?.code).toBe("NOT_FOUND");
    expect(data((await h.gql(operator, MOVE, { t: never.id }))).residencyMove).toBeNull();
  });

  it("shows and cancels a move only for operators and the tenant's own administrators", async () => {
    const { tenant, move } = await movingTenant("Guarded");
    for (const who of [
      viewer("tenant-admin", { tenantId: randomUUID() }),
      viewer("privacy-officer", { tenantId: tenant.id }),
      viewer("data-subject", { tenantId: tenant.id, userId: randomUUID() }),
      viewer("ingest", { tenantId: tenant.id }),
    ]) {
      for (const query of [MOVE, CANCEL]) {
        const response = await h.gql(who, query, { t: tenant.id });
        expect([who.role, firstError(response.body)?.code]).toEqual([who.role, "FORBIDDEN"]);
      }
    }
    expect((await h.service.db.getRepository(TenantMove).findOneByOrFail({ id: move.id })).phase).toBe("REQUESTED");
  });
});
