// Data only (no imports but a type): the privacy console bundles this very table to show each
// role only what it may do, so it must not pull in anything of Node.
import type { Role } from "./identity";

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

