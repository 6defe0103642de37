import { assertRole, outOfBounds } from "./authz";
import { assertId } from "./validation";
import type { Role, Viewer } from "./identity";

/**
 * Which roles may call each public operation (root field): the README's access table, in
 * one place. The gateway refuses a role that may never call a field before any subgraph is
 * called; each subgraph checks the same table again from the forwarded identity (defence in
 * depth). Tenant and ownership rules ("own tenant", "self only") need the data and are
 * decided in the services. A root field missing here is refused for everyone (fail closed),
 * and the attacker's suite checks that the table, the README and the served schema agree.
 */
export const OPERATION_ROLES = {
  // Query
  personalData: ["tenant-admin", "privacy-officer", "data-subject"],
  userByPrincipalName: ["tenant-admin", "privacy-officer"],
  tenant: ["operator", "tenant-admin", "privacy-officer", "data-subject", "ingest"],
  privacyRequest: ["tenant-admin", "privacy-officer", "data-subject"],
  privacyRequests: ["tenant-admin", "privacy-officer"],
  privacyRequestPolicy: ["tenant-admin", "privacy-officer"],
  retentionPolicies: ["operator", "tenant-admin", "privacy-officer", "data-subject"],
  tenantAuditLog: ["tenant-admin", "privacy-officer"],
  retentionRuns: ["operator"],
  residencyMove: ["operator", "tenant-admin"],
  webhooks: ["tenant-admin", "privacy-officer"],
  // Mutation
  createTenant: ["operator"],
  electStorageRegion: ["tenant-admin"],
  cancelResidencyMove: ["operator", "tenant-admin"],
  createUser: ["tenant-admin"],
  enrollDevice: ["tenant-admin"],
  removeUserFromManagement: ["tenant-admin"],
  ingestTelemetry: ["tenant-admin", "ingest"],
  restrictProcessing: ["tenant-admin", "privacy-officer", "data-subject"],
  retryPrivacyRequest: ["tenant-admin", "privacy-officer"],
  requestPersonalDataExport: ["tenant-admin", "privacy-officer", "data-subject"],
  approvePrivacyRequest: ["tenant-admin", "privacy-officer"],
  denyPrivacyRequest: ["tenant-admin", "privacy-officer"],
  cancelPrivacyRequest: ["tenant-admin", "privacy-officer", "data-subject"],
  extendPrivacyRequestDeadline: ["tenant-admin", "privacy-officer"],
  setPrivacyRequestPolicy: ["tenant-admin", "privacy-officer"],
  createPrivacyExportDownload: ["tenant-admin", "privacy-officer", "data-subject"],
  runRetention: ["operator"],
  placeLegalHold: ["operator", "privacy-officer"],
  liftLegalHold: ["operator", "privacy-officer"],
  createWebhook: ["tenant-admin", "privacy-officer"],
  deleteWebhook: ["tenant-admin", "privacy-officer"],
} as const satisfies Record<string, readonly Role[]>;

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
