import { assertId } from "@dgg/common";
import type { InternalRoute, TenantPlacement, TenantRecord } from "@dgg/common";
import { Tenant } from "../entities/tenant.entity";
import type { StorageRegionsDeps } from "../context";

/**
 * The tenant directory for other services (`TenantDirectoryClient`). Open to any verified
 * internal identity: users and governance call it with the caller's forwarded identity,
 * and tenant metadata is global, not personal data.
 */
export function tenantRoutes(deps: StorageRegionsDeps): InternalRoute[] {
  return [
    {
      method: "get",
      path: "/tenants/:id",
      access: "forwarded",
      async handler({ params }): Promise<{ tenant: (TenantRecord & TenantPlacement) | null }> {
        const id = assertId(params.id!, "id");
        const tenant = await deps.db.getRepository(Tenant).findOneBy({ id });
        return {
          tenant: tenant
            ? { id: tenant.id, name: tenant.name, storageRegion: tenant.storageRegion, state: tenant.state, movingTo: tenant.movingTo }
            : null,
        };
      },
    },
  ];
}
