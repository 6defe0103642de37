import { randomUUID } from "node:crypto";
import { assertId, assertMayCall, assertText, ConflictError, currentTraceparent, NotFoundError, outOfBounds, quote, writeThenAudit } from "@dgg/common";
import { TenantMove } from "../entities/tenant-move.entity";
import type { Region, Viewer } from "@dgg/common";
import { Tenant } from "../entities/tenant.entity";
import type { StorageRegionsContext } from "../context";
import type { CreateTenantInput } from "../inputs/create-tenant.input";

/**
 * Tenant metadata is global and holds no personal data, so the rule differs from
 * `canActInTenant`: operators (who run the platform) and governance's service identity
 * see every tenant; tenant-scoped roles see only their own.
 */
export function canSeeTenant(viewer: Viewer, tenantId: string): boolean {
  return viewer.role === "operator" || viewer.role === "service" || viewer.tenantId === tenantId;
}

/**
 * Finds a tenant the viewer may see. A tenant-scoped viewer asking for any other id is
 * refused before the store is read, so the refusal is the same whether or not that
 * tenant exists; NOT_FOUND is reserved for callers who could have seen it.
 */
export async function findTenantForViewer(ctx: StorageRegionsContext, rawId: string, argument: string): Promise<Tenant> {
  const id = assertId(rawId, argument);
  if (!canSeeTenant(ctx.viewer, id)) throw outOfBounds(ctx.viewer, `tenant ${id}`, { tenantId: id });
  const tenant = await ctx.loaders.tenant.load(id);
  if (!tenant) throw new NotFoundError(`no tenant with id ${quote(id)}`);
  return tenant;
}

const duplicateName = (name: string) => new ConflictError(`a tenant named ${quote(name)} already exists`);

/** Operators onboard tenants; names are unique across the platform. */
export async function createTenant(ctx: StorageRegionsContext, input: CreateTenantInput): Promise<Tenant> {
  assertMayCall(ctx.viewer, "createTenant", "create tenants");
  const name = assertText(input.name, "input.name", 200);
  const repo = ctx.db.getRepository(Tenant);
  if (await repo.existsBy({ name })) throw duplicateName(name);
  const now = ctx.clock.now();
  const tenant = repo.create({ id: randomUUID(), name, storageRegion: input.storageRegion, createdAt: now, updatedAt: now });
  return writeThenAudit({
    write: async () => {
      try {
        await repo.insert(tenant);
        return tenant;
      } catch (error) {
        // A concurrent create with the same name lost the race on the unique index.
        if (await repo.existsBy({ name })) throw duplicateName(name);
        throw error;
      }
    },
    entries: (saved) => [
      { tenantId: saved.id, action: "TENANT_CREATED", details: { name: saved.name, storageRegion: saved.storageRegion } },
    ],
    undo: (saved) => repo.delete({ id: saved.id }),
    audit: ctx.audit,
    token: ctx.token,
  });
}

/**
 * A tenant administrator's storage-region election. Electing the current region changes
 * nothing. Otherwise the election is audited first (the tenant is still ACTIVE, so the
 * entry lands in the old region and moves with the rest), then the tenant is marked
 * MOVING and a durable move is recorded; the governance service's residency mover copies,
 * verifies, switches the directory and only then deletes the source (docs/decisions/0040).
 * The returned tenant still names the old region until the move switches it.
 */
export async function electStorageRegion(ctx: StorageRegionsContext, rawTenantId: string, region: Region): Promise<Tenant> {
  const id = assertId(rawTenantId, "tenantId");
  // Only the tenant's own administrator elects; operators and other roles get the same refusal as strangers.
  if (ctx.viewer.role !== "tenant-admin" || ctx.viewer.tenantId !== id) throw outOfBounds(ctx.viewer, `tenant ${id}`, { tenantId: id });
  const tenant = await ctx.loaders.tenant.load(id);
  if (!tenant) throw new NotFoundError(`no tenant with id ${quote(id)}`);
  if (tenant.state === "MOVING") {
    throw new ConflictError(`tenant ${id} is already moving from ${tenant.storageRegion} to ${tenant.movingTo}; elect again when it has arrived`);
  }
  const from = tenant.storageRegion;
  if (from === region) return tenant;
  const moveId = randomUUID();
  await ctx.audit.record(ctx.token, [{ tenantId: id, action: "STORAGE_REGION_ELECTED", details: { from, to: region, moveId } }]);
  const now = ctx.clock.now();
  const moving = await ctx.db.transaction(async (manager) => {
    // Conditional on what was read above: a concurrent election is never overwritten unseen.
    const update = await manager.update(Tenant, { id, storageRegion: from, state: "ACTIVE" }, { state: "MOVING", movingTo: region, updatedAt: now });
    if (update.affected === 0) {
      throw new ConflictError(`the storage region of tenant ${id} changed while electing ${region}; read it again and retry`);
    }
    await manager.insert(TenantMove, {
      id: moveId,
      tenantId: id,
      fromRegion: from,
      toRegion: region,
      phase: "REQUESTED",
      freezeUntil: new Date(Date.now() + ctx.moveFreezeMs),
      claimedBy: null,
      leaseUntil: null,
      progress: null,
      error: null,
      requestedBy: ctx.viewer.subject,
      cancelledBy: null,
      traceParent: currentTraceparent(),
      requestedAt: now,
      updatedAt: now,
      completedAt: null,
    });
    return manager.findOneByOrFail(Tenant, { id });
  });
  ctx.loaders.tenant.clear(id).prime(id, moving);
  return moving;
}
