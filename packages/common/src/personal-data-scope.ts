import { ForbiddenError } from "./errors";
import type { Viewer } from "./identity";

/**
 * Defence in depth for the fields a data subgraph contributes to PersonalData: the
 * gateway and governance have already authorised the read, and the subgraph checks
 * again from the forwarded identity. Returns the tenant every query must be limited to
 * (null for governance's service identity), or refuses.
 */
export function personalDataScope(viewer: Viewer, userId: string): { tenantId: string | null } {
  switch (viewer.role) {
    case "service":
      return { tenantId: null };
    case "tenant-admin":
    case "privacy-officer":
      return { tenantId: viewer.tenantId };
    case "data-subject":
      if (viewer.userId === userId) return { tenantId: viewer.tenantId };
      throw new ForbiddenError(`a data subject may read only its own personal data, not user ${userId}`);
    default:
      throw new ForbiddenError(`role ${viewer.role} may not read personal data`);
  }
}
