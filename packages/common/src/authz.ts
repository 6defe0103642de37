import { ForbiddenError } from "./errors";
import type { DenialTarget } from "./errors";
import type { Role, Viewer } from "./identity";

/** Refuses unless the viewer has one of `roles`; `action` names the operation in the message. */
export function assertRole(viewer: Viewer, roles: readonly Role[], action: string): void {
  if (!roles.includes(viewer.role)) {
    throw new ForbiddenError(`role ${viewer.role} may not ${action}`);
  }
}

/**
 * True when the viewer may act on data of `tenantId`: tenant-scoped roles only in their
 * own tenant, the governance service everywhere, operators nowhere (they run the
 * platform, they do not read customers' personal data).
 */
export function canActInTenant(viewer: Viewer, tenantId: string): boolean {
  if (viewer.role === "service") return true;
  if (viewer.role === "operator") return false;
  return viewer.tenantId === tenantId;
}

/**
 * The single message for "not yours", used whether or not the thing exists in another
 * tenant, so that a refusal reveals nothing about other tenants.
 */
export function outOfBounds(viewer: Viewer, what: string, target: DenialTarget = {}): ForbiddenError {
  const scope = viewer.tenantId ? `tenant ${viewer.tenantId}` : `role ${viewer.role}`;
  return new ForbiddenError(`${what} is not accessible to ${scope}`, target);
}
