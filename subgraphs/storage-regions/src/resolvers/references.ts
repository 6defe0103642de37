import type { ReferenceResolvers } from "@dgg/common";
import type { StorageRegionsContext } from "../context";
import { canSeeTenant } from "../services/tenants.service";

/** Entity resolution for the gateway's `_entities` calls, all through loaders. */
export const referenceResolvers = {
  PersonalData: {
    // tenantId is governance's (@external); the gateway sends it because residency @requires it.
    __resolveReference: (reference: { userId: string; tenantId?: string }) => ({
      userId: reference.userId,
      tenantId: reference.tenantId,
    }),
  },
  Tenant: {
    __resolveReference: (reference: { id: string }, ctx: StorageRegionsContext) =>
      canSeeTenant(ctx.viewer, reference.id) ? ctx.loaders.tenant.load(reference.id) : null,
  },
} as unknown as ReferenceResolvers;
