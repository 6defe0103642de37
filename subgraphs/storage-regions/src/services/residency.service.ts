import { BadUserInputError, NotFoundError, outOfBounds, personalDataScope, quote } from "@dgg/common";
import type { StorageRegionsContext } from "../context";
import { locationsIn } from "../storage-layout";
import type { DataResidency } from "../types/data-residency.type";

/**
 * Where one person's data lives: their tenant's elected region, and every store of the
 * configured layout in it. `tenantId` comes from governance through the gateway
 * (`@requires`); the forwarded identity is checked again here (defence in depth).
 */
export async function residencyOf(
  ctx: StorageRegionsContext,
  root: { userId: string; tenantId?: string | null },
): Promise<DataResidency> {
  const scope = personalDataScope(ctx.viewer, root.userId);
  if (typeof root.tenantId !== "string") {
    throw new BadUserInputError(`the PersonalData representation of user ${quote(root.userId)} carries no tenantId`, "tenantId");
  }
  if (scope.tenantId !== null && scope.tenantId !== root.tenantId) {
    throw outOfBounds(ctx.viewer, `personal data of user ${root.userId}`);
  }
  const tenant = await ctx.loaders.tenant.load(root.tenantId);
  if (!tenant) throw new NotFoundError(`no tenant with id ${quote(root.tenantId)}`);
  return { region: tenant.storageRegion, locations: locationsIn(ctx.layout, tenant.storageRegion) };
}
