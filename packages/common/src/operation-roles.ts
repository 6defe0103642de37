import { assertRole, outOfBounds } from "./authz";
import { OPERATION_ROLES } from "./operation-roles-table";
import { assertId } from "./validation";
import type { Role, Viewer } from "./identity";

export { OPERATION_ROLES };

export type Operation = keyof typeof OPERATION_ROLES;

/** True when `role` may call the root field at all (meta fields such as `__typename` are open). */
export function mayCall(role: Role, field: string): boolean {
  if (field.startsWith("__")) return true;
  const roles: readonly Role[] | undefined = (OPERATION_ROLES as Record<string, readonly Role[]>)[field];
  return roles?.includes(role) ?? false;
}

/** Refuses (FORBIDDEN) a viewer whose role may never call `operation`; `action` names it in the message. */
export function assertMayCall(viewer: Viewer, operation: Operation, action: string): void {
  assertRole(viewer, OPERATION_ROLES[operation], action);
}

/**
 * For operations on a whole tenant (its policy, its webhooks, its request list): the tenant
 * id, if the viewer's role may call `operation` and the viewer belongs to that tenant; the
 * same FORBIDDEN for any other tenant, whether or not it exists.
 */
export function assertOwnTenant(viewer: Viewer, operation: Operation, action: string, rawTenantId: string): string {
  assertMayCall(viewer, operation, action);
  const tenantId = assertId(rawTenantId, "tenantId");
  if (viewer.tenantId !== tenantId) throw outOfBounds(viewer, `tenant ${tenantId}`, { tenantId });
  return tenantId;
}
