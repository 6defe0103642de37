import type { Role } from "@dgg/common";

/**
 * Which roles may call each public root field: the README's access table, as the gateway
 * applies it before any subgraph is called. Tenant and ownership rules ("own tenant",
 * "self only") need the data and are decided in the subgraphs; this table only refuses
 * roles that may never call a field. A root field missing here is refused for everyone
 * (fail closed), and a test checks the table covers the served schema.
 */
export const ROOT_FIELD_ROLES: Readonly<Record<string, readonly Role[]>> = {
  // Query
  personalData: ["tenant-admin", "privacy-officer", "data-subject"],
  userByPrincipalName: ["tenant-admin", "privacy-officer"],
  tenant: ["operator", "tenant-admin", "privacy-officer", "data-subject", "ingest"],
  privacyRequest: ["tenant-admin", "privacy-officer", "data-subject"],
  privacyRequests: ["tenant-admin", "privacy-officer"],
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
  createPrivacyExportDownload: ["tenant-admin", "privacy-officer", "data-subject"],
  runRetention: ["operator"],
  placeLegalHold: ["operator", "privacy-officer"],
  liftLegalHold: ["operator", "privacy-officer"],
  createWebhook: ["tenant-admin", "privacy-officer"],
  deleteWebhook: ["tenant-admin", "privacy-officer"],
};

/** True when `role` may call the root field at all (meta fields such as `__typename` are open). */
export function mayCall(role: Role, field: string): boolean {
  if (field.startsWith("__")) return true;
  return ROOT_FIELD_ROLES[field]?.includes(role) ?? false;
}
