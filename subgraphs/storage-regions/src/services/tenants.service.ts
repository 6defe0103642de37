import { randomUUID } from "node:crypto";
import { assertId, assertRole, assertText, ConflictError, NotFoundError, outOfBounds, quote, writeThenAudit } from "@dgg/common";
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
  assertRole(ctx.viewer, ["operator"], "create tenants");
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
 * Records a tenant administrator's storage-region election. Electing the current region
 * changes nothing and audits nothing.
 *
 * This records where the tenant's data must live from now on. Moving data already held
 * in the previous region's stores (rows, export archives) is a later issue and is NOT
 * done here; nothing in this service pretends it was.
 */
export async function electStorageRegion(ctx: StorageRegionsContext, rawTenantId: string, region: Region): Promise<Tenant> {
  const id = assertId(rawTenantId, "tenantId");
  // Only the tenant's own administrator elects; operators and other roles get the same refusal as strangers.
  if (ctx.viewer.role !== "tenant-admin" || ctx.viewer.tenantId !== id) throw outOfBounds(ctx.viewer, `tenant ${id}`, { tenantId: id });
  const tenant = await ctx.loaders.tenant.load(id);
  if (!tenant) throw new NotFoundError(`no tenant with id ${quote(id)}`);
  const from = tenant.storageRegion;
  if (from === region) return tenant;
  const repo = ctx.db.getRepository(Tenant);
  const elected = repo.create({ ...tenant, storageRegion: region, updatedAt: ctx.clock.now() });
  const result = await writeThenAudit({
    write: async () => {
      // Conditional on the region read above, so a concurrent election is never overwritten
      // unseen and the audited `from` is what was really replaced.
      const update = await repo.update({ id, storageRegion: from }, { storageRegion: region, updatedAt: elected.updatedAt });
      if (update.affected === 0) {
        throw new ConflictError(`the storage region of tenant ${id} changed while electing ${region}; read it again and retry`);
      }
      return elected;
    },
    entries: () => [{ tenantId: id, action: "STORAGE_REGION_ELECTED", details: { from, to: region } }],
    undo: () => repo.update({ id, storageRegion: region }, { storageRegion: from, updatedAt: tenant.updatedAt }),
    audit: ctx.audit,
    token: ctx.token,
  });
  ctx.loaders.tenant.clear(id).prime(id, result);
  return result;
}
