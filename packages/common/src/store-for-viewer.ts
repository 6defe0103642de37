import type { DataSource } from "typeorm";
import { BadUserInputError, ForbiddenError, quote } from "./errors";
import { assertId } from "./validation";
import type { Viewer } from "./identity";
import type { RegionalStores } from "./regional-stores";
import type { TenantRegionDirectory } from "./tenant-regions";

/**
 * The one store a GraphQL request may use: its viewer's tenant's region. Tenant-scoped
 * roles only ever reach their own tenant's data, so pinning the request to that region
 * routes every read and write of it without each resolver having to ask.
 * Viewers without a tenant (operator, service) get a store that refuses every use: they
 * reach tenant data only through the internal contract, which names the tenant.
 */
export async function storeForViewer(stores: RegionalStores, regions: TenantRegionDirectory, viewer: Viewer, token: string): Promise<DataSource> {
  if (!viewer.tenantId) return noStore(viewer);
  return stores.get(await regions.regionOf(viewer.tenantId, token));
}

function noStore(viewer: Viewer): DataSource {
  return new Proxy({} as DataSource, {
    get(_target, property) {
      if (property === "then") return undefined;
      throw new ForbiddenError(`role ${viewer.role} has no tenant, so it cannot read or write tenant data here`);
    },
  });
}

/**
 * The store of the tenant an internal-contract call names (`?tenantId=` or body). Every
 * per-user call names the tenant: a user's rows are looked for in its tenant's region only.
 */
export async function storeForTenant(stores: RegionalStores, regions: TenantRegionDirectory, rawTenantId: unknown, token: string): Promise<{ tenantId: string; db: DataSource }> {
  if (typeof rawTenantId !== "string") throw new BadUserInputError(`tenantId is required, got ${quote(rawTenantId)}`, "tenantId");
  const tenantId = assertId(rawTenantId, "tenantId");
  return { tenantId, db: stores.get(await regions.regionOf(tenantId, token)) };
}

/** What a data subgraph's per-request context starts from: its dependencies, the viewer, its token and the viewer's store. */
export type DataSubgraphRequest<D> = D & {
  /** The store of the viewer's tenant's region: the only one this request touches. */
  db: DataSource;
  viewer: Viewer;
  token: string;
};

/**
 * Builds a data subgraph's per-request context: `deps`, the viewer and token, the viewer's
 * store (`storeForViewer`), and what `over` adds for that store (its fresh loaders, ...).
 */
export async function dataSubgraphRequest<D extends { stores: RegionalStores; regions: TenantRegionDirectory }, X extends object>(
  deps: D,
  viewer: Viewer,
  token: string,
  over: (db: DataSource) => X,
): Promise<DataSubgraphRequest<D> & X> {
  const db = await storeForViewer(deps.stores, deps.regions, viewer, token);
  return { ...deps, db, viewer, token, ...over(db) };
}
